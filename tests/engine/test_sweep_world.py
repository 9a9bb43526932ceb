"""A database with the sample directory and the seed plan imported, and a runtime on a
virtual clock: what the sweep, digest, follow-up and context tests share."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VN_TZ, VirtualClock
from notifier.domain.preview import PreviewItem, preview
from notifier.runtime import Runtime, build_runtime
from notifier.settings import load_settings
from notifier.store.facts import load_occurrences, load_people
from notifier.store.models import Notification, Person
from tests.conftest import SEED_PLAN


def vn(day: str, hhmm: str = "08:00") -> datetime:
    """'2024-05-02', '08:00' -> that instant in Vietnam."""
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=VN_TZ)


@dataclass
class World:
    runtime: Runtime
    clock: VirtualClock
    config_dir: Path
    db_url: str

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    def cli(self, *args: str) -> int:
        state = AppState(clock=self.clock)
        return run_cli(["--config", str(self.config_dir), "--db", self.db_url, *args], state)

    def import_plan(self, path: Path = SEED_PLAN) -> None:
        assert self.cli("plan", "import", str(path)) == 0

    def rows(self) -> list[Notification]:
        with Session(self.engine) as session:
            return list(session.exec(select(Notification).order_by(col(Notification.id))))

    def person_keys(self) -> dict[int, str]:
        with Session(self.engine) as session:
            return {p.id or 0: p.key for p in session.exec(select(Person))}

    def simulate(self, first: datetime, last: datetime) -> None:
        """Replay [first, last] through the real sweep and dispatch (console channel)."""
        from notifier.engine.channels import build_channels
        from notifier.engine.service import new_worker_id, simulate

        channels = build_channels(self.runtime.settings, self.clock, echo=False)

        async def go() -> None:
            try:
                await simulate(self.runtime, channels, first, last, new_worker_id())
            finally:
                await channels.aclose()

        asyncio.run(go())

    def set_calendar(self, text: str) -> None:
        """Replace config/calendar.yaml and the runtime's calendar with it."""
        from notifier.domain.calendar import WorkingCalendar

        path = self.config_dir / "calendar.yaml"
        path.write_text(text, encoding="utf-8")
        self.runtime.calendar = WorkingCalendar.from_yaml(path)

    def sent(self, kind: str | None = None) -> list[Notification]:
        return [r for r in self.rows() if r.status == "sent" and (kind is None or r.kind == kind)]

    def preview(self, first: str, last: str) -> list[PreviewItem]:
        with Session(self.engine) as session:
            occs = load_occurrences(session, self.runtime.policy)
            people = load_people(session)
        start = datetime.combine(datetime.fromisoformat(first).date(), time(0), VN_TZ)
        end = datetime.combine(datetime.fromisoformat(last).date(), time(0), VN_TZ)
        return preview([o.preview() for o in occs], people, self.runtime.calendar, start, end)


def make_world(
    engine: Engine,
    config_dir: Path,
    db_url: str,
    start: datetime,
    env: dict[str, str] | None = None,
) -> World:
    """``env`` configures channels (e.g. an SMTP host and a bot token); none: console only."""
    clock = VirtualClock(start)
    settings = load_settings(config_dir, db_url, env=env or {})
    world = World(build_runtime(settings, engine, clock), clock, config_dir, db_url)
    assert world.cli("init") == 0
    return world


def days(first: datetime, last: datetime, step: timedelta) -> list[datetime]:
    out, at = [], first
    while at <= last:
        out.append(at)
        at += step
    return out
