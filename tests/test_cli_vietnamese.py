"""What the command line says is Vietnamese (issue 14, item 6): every command's --help,
typer's own words around it, flags shown alone, and the labels of preview, simulate,
`run --once`, `plan parse` and `plan list` instead of internal codes and ISO dates."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer.rich_utils

from notifier.cli.app import app
from notifier.cli.glossary import localized, walk
from tests.conftest import SEED_PLAN, CliResult

Cli = Callable[..., CliResult]
ENGLISH = (
    "Usage:", "Options", "Commands", "Arguments", "Show this message", "[required]",
    "[default:", "<bool>", "<str>", "<path>", "<int>", "[OPTIONS]", "COMMAND [ARGS]",
    "Print JSON", "Only this", "Person key", "First day",
)  # fmt: skip
# Letters only Vietnamese writes (with its tone marks), not plain ASCII.
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")
CODES = ("reminder", "digest", "followup", "due_today", "escalation", "lead", "coordinating",
         "monitor", "compiler", "console", "reminder-5", "reminder-2")  # fmt: skip


@pytest.fixture(autouse=True)
def wide_help(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Help pages one line per option, so a phrase is never cut by the terminal width."""
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 250)
    yield


def commands() -> list[tuple[str, ...]]:
    return walk(localized(app))


def test_every_command_is_listed() -> None:
    paths = {" ".join(p) for p in commands()}
    assert {"", "plan import", "user add", "report", "calendar show", "contact invite"} <= paths
    assert len(paths) > 30


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "notifier")
def test_help_of_every_command_is_vietnamese(cli: Cli, path: tuple[str, ...]) -> None:
    result = cli(*path, "--help")
    assert result.code == 0, result.err
    page = result.out
    assert f"Cách dùng: notifier {' '.join(path)}".rstrip() in page
    assert "Xem hướng dẫn này rồi thoát." in page and "Tùy chọn" in page
    found = [word for word in ENGLISH if word in page]
    assert found == [], f"English left in `notifier {' '.join(path)} --help`: {found}\n{page}"


def test_every_help_text_is_written_in_vietnamese() -> None:
    """The description of each command and the help of each of its parameters."""
    missing = []
    stack = [((), localized(app))]
    while stack:
        path, command = stack.pop()
        name = " ".join(path) or "notifier"
        if not VIETNAMESE.search(command.help or ""):
            missing.append(f"{name}: {command.help!r}")
        for param in command.params:
            if not VIETNAMESE.search(getattr(param, "help", None) or ""):
                missing.append(f"{name} {param.opts[0]}: {getattr(param, 'help', None)!r}")
        stack += [((*path, n), c) for n, c in getattr(command, "commands", {}).items()]
    assert missing == []


def test_flags_show_alone(cli: Cli) -> None:
    page = cli("agency", "list", "--help").out
    assert re.search(r"--json +In kết quả dạng JSON", page)
    assert re.search(r"--all +Kể cả cơ quan đã ngừng", page)
    assert re.search(r"--help +Xem hướng dẫn", page)
    page = cli("plan", "import", "--help").out
    assert re.search(r"--dry-run +Chỉ kiểm tra", page)
    assert re.search(r"--until +<giá trị> +Tạo các thời hạn", page)  # a value keeps its type


def test_typer_errors_say_where_to_look_in_vietnamese(cli: Cli) -> None:
    result = cli("simulate", "--from", "x", "--to", "2024-05-01")
    assert result.code == 2
    assert "Cách dùng: notifier simulate [TÙY CHỌN]" in result.err
    assert "Xem 'notifier simulate --help' để biết cách dùng." in result.err
    assert "Lỗi" in result.err and "Error" not in result.err


@pytest.fixture
def seeded(cli: Cli, config_dir: Path, tmp_path: Path) -> tuple[str, ...]:
    base = ("--config", str(config_dir), "--db", f"sqlite:///{tmp_path / 'v.db'}")
    assert cli(*base, "init").code == 0
    assert cli(*base, "plan", "import", SEED_PLAN).code == 0
    return base


def words(text: str) -> set[str]:
    return set(re.findall(r"[\w\-]+", text))


def test_preview_prints_labels_not_codes(cli: Cli, seeded: tuple[str, ...]) -> None:
    result = cli(*seeded, "preview", "--from", "2024-04-15", "--to", "2024-05-20")
    assert result.code == 0, result.err
    out = result.out
    assert words(out) & set(CODES) == set()
    for label in ("Nhắc hạn", "Đến hạn", "Quá hạn", "Tổng hợp hằng ngày", "Đôn đốc cấp 2",
                  "Nhắc lại khi chưa phản hồi", "Chủ trì", "Phối hợp (đồng gửi)",
                  "Theo dõi, đôn đốc", "Màn hình"):  # fmt: skip
        assert label in out, label
    as_json = cli(*seeded, "preview", "--from", "2024-04-23", "--to", "2024-04-23", "--json").out
    reasons = {i["reason"] for i in json.loads(as_json) if i["kind"] == "followup"}
    assert reasons == {"Chưa có phản hồi cho tin nhắc hạn ngày 22/4/2024; nhắc lại qua kênh khác"}


def test_simulate_prints_labels_not_codes(cli: Cli, seeded: tuple[str, ...]) -> None:
    result = cli(*seeded, "simulate", "--from", "2024-04-22", "--to", "2024-05-03", "--quiet")
    assert result.code == 0, result.err
    summary = result.out[result.out.index("Đã gửi từ 22/4/2024 đến 03/5/2024") :]
    assert words(summary) & set(CODES) == set()
    for label in ("Nhắc hạn", "Đến hạn", "Quá hạn", "Tổng hợp hằng ngày", "Màn hình"):
        assert label in summary, label


def test_run_once_reports_in_vietnamese(cli: Cli, seeded: tuple[str, ...]) -> None:
    result = cli(*seeded, "run", "--once", "--at", "2024-04-22T08:30")
    assert result.code == 0, result.err
    tail = result.out[result.out.index("Lần chạy lúc 08:30 Thứ Hai, 22/4/2024.") :]
    assert re.search(r"Quét: \d+ thời hạn cần xử lý; đưa vào hàng gửi \d+ tin theo lịch", tail)
    assert re.search(r"Gửi: (\d+)/\1 tin đã gửi; 0 tin sẽ gửi lại sau, 0 tin không gửi được", tail)
    assert not {"claimed", "sent", "retried", "SweepReport"} & words(tail)
    log = cli(*seeded, "log").out  # what went out, in the same words
    assert "Nhắc hạn" in log and "Đã gửi" in log and "Màn hình" in log
    assert not re.search(
        r"│ (reminder|digest|sent|console|email|telegram) +│", log
    )  # no cell a code


def test_plan_parse_and_list_write_dates_as_documents_do(cli: Cli, seeded: tuple[str, ...]) -> None:
    parsed = cli("plan", "parse", SEED_PLAN).out
    assert "Kế hoạch (chưa có số) — UBND huyện Ba Tơ" in parsed
    assert "Ba Tơ, tháng 4/2024: Triển khai thực hiện" in parsed
    assert "Tháng 4 năm 2024 → 30/4/2024" in parsed
    listed = cli(*seeded, "plan", "list").out
    assert "tháng 4/2024" in listed
    assert not re.search(r"\d{4}-\d{2}", parsed + listed)
