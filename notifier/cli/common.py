"""What every command shares: the global options, lazy settings and engine, output helpers."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlmodel import Session, select

from notifier.clock import VN_TZ, Clock, SystemClock, as_utc
from notifier.settings import Settings, load_settings
from notifier.textfmt import capfirst
from notifier.vocab import ChannelName, Labelled, MessageKind

if TYPE_CHECKING:
    from notifier.runtime import Runtime

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

    def runtime(self) -> Runtime:
        """Settings, initialised database, clock, calendar, policy and renderer."""
        from notifier.runtime import build_runtime

        return build_runtime(self.settings, self.ready_engine(), self.clock)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def ready_engine(self) -> Engine:
        """The engine of a database already initialised (else a clear error)."""
        from notifier.errors import ConfigError
        from notifier.store.db import current_revision, head_revision, safe_url

        engine = self.engine
        current = current_revision(engine)
        if current != head_revision():
            raise ConfigError(
                [
                    f"database {safe_url(self.settings.database_url)} is at schema revision "
                    f"{current or 'none'}, expected {head_revision()}: run `notifier init` first"
                ]
            )
        return engine


def state(ctx: typer.Context) -> AppState:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppState)
    return obj


# The years a date given on the command line may fall in: the working calendar holds
# the holidays package's years (from 1900) and a deadline needs the day after it too.
CLI_YEARS = range(1990, 2100)
# The longest window `preview` and `simulate` expand, so a typo cannot ask for 8,000 years.
MAX_SPAN_DAYS = 5 * 366


def _in_range(day: date, text: str, option: str) -> None:
    if day.year not in CLI_YEARS:
        raise typer.BadParameter(
            f"'{text}': năm {day.year} nằm ngoài khoảng nhận được "
            f"({CLI_YEARS.start} đến {CLI_YEARS.stop - 1})",
            param_hint=option,
        )


def parse_date(text: str, option: str) -> date:
    """A day YYYY-MM-DD between 1990 and 2099 (else a usage error, exit 2)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"'{text}' không phải là ngày; ghi theo dạng YYYY-MM-DD, ví dụ 2024-05-02",
            param_hint=option,
        ) from None
    _in_range(day, text, option)
    return day


def parse_instant(text: str, option: str) -> datetime:
    """ISO date or instant; without an offset it is Vietnam time."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"'{text}' không phải là thời điểm; ghi theo ISO 8601, ví dụ 2024-05-08T16:30",
            param_hint=option,
        ) from None
    _in_range(value.date(), text, option)
    return as_utc(value if value.tzinfo else value.replace(tzinfo=VN_TZ))


def date_range(first: date, last: date, options: str = "--from/--to") -> tuple[date, date]:
    """A window of days, first ≤ last and at most MAX_SPAN_DAYS long (else exit 2)."""
    if last < first:
        raise typer.BadParameter(
            f"ngày cuối {last.isoformat()} trước ngày đầu {first.isoformat()}; đổi chỗ hai ngày",
            param_hint=options,
        )
    if (last - first).days + 1 > MAX_SPAN_DAYS:
        raise typer.BadParameter(
            f"khoảng {(last - first).days + 1} ngày dài quá {MAX_SPAN_DAYS} ngày (5 năm); "
            "hãy chia thành nhiều khoảng ngắn hơn",
            param_hint=options,
        )
    return first, last


def start_of_day(day: date) -> datetime:
    """00:00 of ``day`` in Vietnam, as a UTC instant."""
    return as_utc(datetime.combine(day, time(0), tzinfo=VN_TZ))


def plan_key(session: Session, ref: str | None) -> str | None:
    """A plan named on the command line by its key, its number (24/KH-UBND) or its id."""
    from notifier.errors import NotFound
    from notifier.store.models import Plan

    if ref is None:
        return None
    plans = session.exec(select(Plan)).all()
    for match in (
        [p for p in plans if p.key == ref],
        [p for p in plans if ref.isdigit() and p.id == int(ref)],
        [p for p in plans if p.number == ref],
    ):
        if len(match) == 1:
            return match[0].key
    known = "; ".join(f"{p.id}: {p.number or '(chưa có số)'} ({p.key})" for p in plans)
    raise NotFound(f"Không rõ kế hoạch '{ref}'. Các kế hoạch: {known or 'chưa có'}.")


def print_json(data: Any) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False, default=str), ensure_ascii=False)


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    out = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        out.add_column(column)
    for row in rows:
        out.add_row(*["" if v is None else str(v) for v in row])
    return out


def kind_label(kind: str) -> str:
    """A message kind as users read it ("Nhắc hạn"), never its code; unknown ones as stored."""
    return MessageKind(kind).label if kind in MessageKind._value2member_map_ else kind


def channel_label(channel: str) -> str:
    """A channel as users read it ("Thư điện tử", "Màn hình"); plug-in channels by name."""
    if channel in ChannelName._value2member_map_:
        return capfirst(ChannelName(channel).label)
    from notifier.channels.registry import channel_label as plugin_label

    return capfirst(plugin_label(channel))


def label_of(value: str, *enums: type[Labelled]) -> str:
    """The Vietnamese label of ``value`` in the first of ``enums`` that has it, else as is."""
    for enum in enums:
        if value in enum._value2member_map_:
            return capfirst(enum(value).label)
    return value
