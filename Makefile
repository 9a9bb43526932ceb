# notifier — common tasks. Every target sets up .venv first if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run init test check fmt demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Initialise the embedded database (SQLite, config/), import the example plan, start the service.
run: $(STAMP)
	$(BIN)/notifier init
	$(BIN)/notifier plan import config/plans/ke-hoach-ba-to-thai-hoa-2024.md
	$(BIN)/notifier run

init: $(STAMP)
	$(BIN)/notifier init

## The whole test suite (PostgreSQL tests run when NOTIFIER_TEST_POSTGRES_URL is set).
test: $(STAMP)
	$(BIN)/pytest -q

check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy notifier
	$(BIN)/pytest -q

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Replay the sample plan from 15/4/2024 to 31/5/2024 to the console (and var/demo-outbox.log,
## its own transcript: `make run` keeps var/outbox.log).
DEMO := NOTIFIER_CONSOLE_PATH=var/demo-outbox.log $(BIN)/notifier --db sqlite:///var/demo.db
demo: $(STAMP)
	rm -f var/demo.db var/demo.db-wal var/demo.db-shm var/demo-outbox.log
	$(DEMO) init
	$(DEMO) plan import config/plans/ke-hoach-ba-to-thai-hoa-2024.md
	$(DEMO) simulate --from 2024-04-15 --to 2024-05-31

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f; done
	if command -v valgrind >/dev/null; then $(BIN)/python benchmarks/count_sweep.py; fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
