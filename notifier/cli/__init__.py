"""The ``notifier`` command line: thin wrappers around the use cases.

Exit status: 0 success, 1 a runtime error (unknown person, refused action),
2 bad input (configuration, plan document, unresolved agency names, usage),
3 the database or the disk failed (unreachable, read-only, locked, full): the command's
transaction was rolled back, nothing is half-written.
"""

from __future__ import annotations

import sys

from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError, SQLAlchemyError

from notifier.cli.app import app
from notifier.cli.common import AppState, err_console
from notifier.cli.glossary import localized
from notifier.errors import ConfigError, NotifierError, PlanConflict, PlanParseError, ResolveError
from notifier.store.db import describe_database_error

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
    except (SQLAlchemyError, OSError) as exc:  # unreachable, read-only, full disk, not a database
        if isinstance(exc, IntegrityError | ProgrammingError | DataError):
            raise  # a bug of ours, not the database's state: keep the traceback
        url = state.db_url or (state._settings.database_url if state._settings else "")
        err_console.print(
            f"[bold red]Lỗi cơ sở dữ liệu hoặc ổ đĩa:[/] {describe_database_error(exc, url)}",
            highlight=False,
        )
        return 3
    return 0


def main() -> None:
    sys.exit(run_cli(sys.argv[1:]))
