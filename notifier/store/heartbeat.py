"""The running service's heartbeat: when the sweep last ran, so downtime is a fact.

Each sweep reads the previous beat before it works and writes its own after: a step
whose time falls after the previous beat and long before this one was missed because
the service was not running, and its catch-up message says so with the time the
service was last seen. One upserted row per loop name; nothing else writes here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from notifier.store.models import Heartbeat

SWEEP = "sweep"


def last_beat(session: Session, name: str = SWEEP) -> Heartbeat | None:
    return session.get(Heartbeat, name)


def beat(session: Session, now: datetime, name: str = SWEEP) -> None:
    """Record that the loop ``name`` is alive at ``now`` (insert or update, race-free)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Heartbeat.__table__  # type: ignore[attr-defined]
    statement = insert(table).values(name=name, last_seen=now, started_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=["name"], set_={"last_seen": statement.excluded.last_seen}
    )
    session.connection().execute(statement)


def horizon_done(session: Session, today: date, name: str = SWEEP) -> bool:
    """Whether the reporting horizon was already extended on this local day."""
    row = session.get(Heartbeat, name)
    return row is not None and row.horizon_on == today


def mark_horizon(session: Session, today: date, now: datetime, name: str = SWEEP) -> None:
    beat(session, now, name)
    row = session.get(Heartbeat, name)
    assert row is not None
    session.refresh(row)
    row.horizon_on = today
    session.add(row)
