"""Schema, migrations and time zones on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, select

from notifier.store.db import current_revision, downgrade, head_revision, upgrade
from notifier.store.models import (
    Agency,
    Deadline,
    Event,
    Notification,
    Person,
    Plan,
    Task,
)
from notifier.vocab import EventKind

T0 = datetime(2024, 4, 22, 1, 0, tzinfo=UTC)


def _plan_task_deadline(session: Session) -> tuple[Person, Deadline]:
    agency = Agency(code="vp", name="Văn phòng")
    session.add(agency)
    session.flush()
    person = Person(key="vp.a", agency_id=agency.id, name="A", channels=["email"])
    plan = Plan(key="p", content_hash="h", imported_at=T0, updated_at=T0)
    session.add_all([person, plan])
    session.flush()
    task = Task(plan_id=plan.id, ref="II.1", title="Tham quan")
    session.add(task)
    session.flush()
    deadline = Deadline(
        task_id=task.id,
        nominal_date=date(2024, 4, 30),
        effective_date=date(2024, 5, 2),
        next_action_at=T0,
    )
    session.add(deadline)
    session.flush()
    return person, deadline


def test_upgrade_is_idempotent_and_reaches_head(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {
        "agency",
        "agency_group",
        "person",
        "plan",
        "task",
        "task_role",
        "deadline",
        "notification",
        "delivery_attempt",
        "acknowledgement",
        "event",
    } <= tables


def test_datetimes_come_back_aware_in_utc(engine: Engine) -> None:
    hanoi = timezone(timedelta(hours=7))
    with Session(engine) as session:
        _, deadline = _plan_task_deadline(session)
        deadline.completed_at = datetime(2024, 5, 2, 23, 59, tzinfo=hanoi)
        session.commit()
        deadline_id = deadline.id
    with Session(engine) as session:
        row = session.get(Deadline, deadline_id)
        assert row is not None and row.completed_at is not None
        assert row.completed_at.tzinfo is not None
        assert row.completed_at == datetime(2024, 5, 2, 16, 59, tzinfo=UTC)
        assert row.completed_at.utcoffset() == timedelta(0)


def test_naive_datetime_is_refused(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(Exception, match="time-zone aware"):
        session.add(Event(at=datetime(2024, 1, 1), kind=EventKind.PLAN_IMPORT))  # noqa: DTZ001
        session.flush()


def test_outbox_key_is_unique(engine: Engine) -> None:
    with Session(engine) as session:
        person, deadline = _plan_task_deadline(session)
        for _ in range(2):
            session.add(
                Notification(
                    occurrence=f"d{deadline.id}",
                    step="reminder-5",
                    person_id=person.id,
                    channel="email",
                    deadline_id=deadline.id,
                    kind="reminder",
                    due_at=T0,
                    created_at=T0,
                )
            )
        with pytest.raises(IntegrityError):
            session.flush()


def test_event_log_is_append_only(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Event(at=T0, kind=EventKind.PLAN_IMPORT, message="first"))
        session.commit()
    with Session(engine) as session, pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("UPDATE event SET message = 'changed'"))
    with Session(engine) as session, pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("DELETE FROM event"))
    with Session(engine) as session:
        assert [e.message for e in session.exec(select(Event))] == ["first"]


def test_downgrade_and_upgrade_keep_working(engine: Engine) -> None:
    downgrade(engine, "base")
    assert "agency" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_migrations_match_the_models(engine: Engine) -> None:
    """What the migrations build is exactly what the models describe (no drift)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []


def test_upgrade_from_first_revision_keeps_data(engine: Engine) -> None:
    downgrade(engine, "0001")
    with Session(engine) as session:  # raw SQL: the model has columns revision 0001 lacks
        session.execute(
            text(
                "INSERT INTO agency (code, name, aliases, locality, active) "
                "VALUES ('giu-lai', 'Cơ quan giữ lại', '[]', '', true)"
            )
        )
        session.commit()
    upgrade(engine)
    with Session(engine) as session:
        assert session.exec(select(Agency).where(Agency.code == "giu-lai")).one().name == (
            "Cơ quan giữ lại"
        )
