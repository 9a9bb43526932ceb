"""What every command shares: the global options, lazy settings and engine, output helpers."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from notifier.clock import Clock, SystemClock
from notifier.settings import Settings, load_settings

# Piped output (scripts, logs, tests) is not squeezed into 80 columns.
_WIDTH = None if sys.stdout.isatty() else 200
console = Console(highlight=False, width=_WIDTH)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class AppState:
    """Built from the global options; settings and engine are loaded on first use."""

    config_dir: Path | None = None
    db_url: str | None = None
    clock: Clock = field(default_factory=SystemClock)
    _settings: Settings | None = None
    _engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_dir, self.db_url)
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from notifier.store.db import make_engine

            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def ready_engine(self) -> Engine:
        """The engine of a database already initialised (else a clear error)."""
        from notifier.errors import ConfigError
        from notifier.store.db import current_revision, head_revision

        engine = self.engine
        current = current_revision(engine)
        if current != head_revision():
            raise ConfigError(
                [
                    f"database {self.settings.database_url} is at schema revision "
                    f"{current or 'none'}, expected {head_revision()}: run `notifier init` first"
                ]
            )
        return engine


def state(ctx: typer.Context) -> AppState:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppState)
    return obj


def print_json(data: Any) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False, default=str), ensure_ascii=False)


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    out = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        out.add_column(column)
    for row in rows:
        out.add_row(*["" if v is None else str(v) for v in row])
    return out
