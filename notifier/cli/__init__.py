"""The ``notifier`` command line: thin wrappers around the use cases.

Exit status: 0 success, 1 a runtime error (unknown person, refused action),
2 bad input (configuration, plan document, unresolved agency names, usage).
"""

from __future__ import annotations

import sys

from notifier.cli.app import app
from notifier.cli.common import AppState, err_console
from notifier.cli.glossary import localized
from notifier.errors import ConfigError, NotifierError, PlanConflict, PlanParseError, ResolveError

BAD_INPUT = (ConfigError, PlanParseError, ResolveError, PlanConflict)


def run_cli(argv: list[str] | None = None, state: AppState | None = None) -> int:
    """Run the CLI and return its exit status instead of raising SystemExit.

    ``state`` lets tests inject a prepared AppState (e.g. with a virtual clock).
    The engine is disposed at the end so SQLite checkpoints and closes its files.
    """
    state = state or AppState()
    try:
        return _run(argv, state)
    finally:
        state.close()


def _run(argv: list[str] | None, state: AppState) -> int:
    try:
        localized(app)(args=argv, prog_name="notifier", standalone_mode=True, obj=state)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except BAD_INPUT as exc:
        err_console.print(f"[bold red]Lỗi cấu hình/dữ liệu đầu vào:[/]\n{exc}", highlight=False)
        return 2
    except NotifierError as exc:
        err_console.print(f"[bold red]Lỗi:[/] {exc}", highlight=False)
        return 1
    return 0


def main() -> None:
    sys.exit(run_cli(sys.argv[1:]))
