"""The digest counts done items in the database: the same figures as reading every row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from notifier.domain.policy import Policy
from notifier.domain.status import deadline_end
from notifier.engine.digest import Summary, summarize
from notifier.store.done_counts import done_counts
from notifier.store.facts import load_occurrences
from notifier.store.models import Deadline, Plan
from notifier.vocab import DeadlineStatus
from tests.engine.test_sweep_world import World, make_world, vn


def _both(world: World, policy: Policy, now: datetime) -> tuple[Summary, Summary]:
    """(every row read, open rows read and done ones counted) for all plans."""
    calendar = world.runtime.calendar
    with Session(world.engine) as session:
        keys = list(session.exec(select(Plan.key)))
        every = [o for k in keys for o in load_occurrences(session, policy, plan_key=k)]
        opened = [
            o for k in keys for o in load_occurrences(session, policy, plan_key=k, open_only=True)
        ]
        read = summarize(session, every, calendar, now)
        counted = summarize(session, opened, calendar, now, done_counts(session, policy, keys))
    return read, counted


def _finish(world: World, moves: list[tuple[int, int | None]]) -> list[Deadline]:
    """Complete the first deadlines: µs after 24:00 of the day (None: an extension moved
    the deadline 10 days and the task was done 3 days after the original date)."""
    with Session(world.engine) as session:
        rows = list(session.exec(select(Deadline).order_by(col(Deadline.id))))
        for row, (offset, _) in zip(rows, moves, strict=False):
            end = deadline_end(row.effective_date).astimezone(UTC)
            if _ is None:
                row.original_date = row.effective_date
                row.effective_date = row.effective_date + timedelta(days=10)
                end += timedelta(days=3)
            row.status = DeadlineStatus.DONE
            row.completed_at = end + timedelta(microseconds=offset)
            session.add(row)
        session.commit()
        return rows


def test_done_counts_agree_with_reading_every_row_on_the_boundaries(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    _finish(world, [(0, 0), (1, 0), (-1, 0), (0, None)])  # at 24:00, 1 µs late, 1 µs early
    for extensions_count in (True, False):
        policy = world.runtime.policy.model_copy(update={"extensions_count": extensions_count})
        for now in (vn("2024-05-07", "07:30"), vn("2024-12-20", "08:00")):
            read, counted = _both(world, policy, now)
            assert read == counted
        # the extended one is on time by its new date, late by its old one
        expected = (3, 1, 0, 0) if extensions_count else (2, 2, 0, 0)
        assert tuple(n for _, n in read.counts) == expected
