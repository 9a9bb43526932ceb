"""The no-answer follow-up: once, on the next channel, only when nobody of the lead answered."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from notifier.engine.sweep import sweep
from notifier.store.models import Acknowledgement, Notification, Person
from notifier.vocab import DeliveryStatus
from tests.engine.test_sweep_world import World, make_world, vn

CHANNELS = {"NOTIFIER_SMTP_HOST": "127.0.0.1", "NOTIFIER_TELEGRAM_TOKEN": "123:abc"}


def _send_all(world: World, at: datetime) -> None:
    """What the dispatcher does, reduced to its outcome: every pending row is sent at ``at``."""
    with Session(world.engine) as session:
        for row in session.exec(select(Notification).where(Notification.status == "pending")):
            row.status, row.sent_at = DeliveryStatus.SENT, at
            session.add(row)
        session.commit()


def _followups(world: World) -> list[tuple[str, str, str]]:
    people = world.person_keys()
    return sorted(
        (people[r.person_id], r.step, r.channel) for r in world.rows() if r.kind == "followup"
    )


def _world(engine: Engine, config_dir: Path, db_url: str) -> World:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"), env=CHANNELS)
    world.import_plan()
    sweep(world.runtime, vn("2024-04-22", "08:00"))
    _send_all(world, vn("2024-04-22", "08:01"))
    return world


def test_unanswered_reminder_is_followed_up_once_on_the_next_channel(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = _world(engine, config_dir, db_url)
    assert sweep(world.runtime, vn("2024-04-23", "07:59")).followups == 0  # not a day yet
    report = sweep(world.runtime, vn("2024-04-23", "08:02"))
    assert report.followups == 2
    # vp.chanh: telegram then email; vp.theo-doi likewise. Copies (coordinating) get none.
    assert _followups(world) == [
        ("vp.chanh", "reminder-5+followup", "email"),
        ("vp.theo-doi", "reminder-5+followup", "email"),
    ]
    assert sweep(world.runtime, vn("2024-04-23", "09:00")).followups == 0
    assert len(_followups(world)) == 2


def test_an_answer_from_anyone_of_the_lead_agency_stops_the_followup(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = _world(engine, config_dir, db_url)
    with Session(engine) as session:
        colleague = session.exec(select(Person).where(Person.key == "vp.pho-chanh")).one()
        row = session.exec(select(Notification).where(Notification.step == "reminder-5")).first()
        assert row is not None and row.deadline_id is not None
        session.add(
            Acknowledgement(
                deadline_id=row.deadline_id,
                person_id=colleague.id,
                action="received",
                via="email",
                at=vn("2024-04-22", "10:00"),
            )
        )
        session.commit()
    assert sweep(world.runtime, vn("2024-04-23", "08:30")).followups == 0
    assert _followups(world) == []


def test_a_person_with_one_channel_gets_the_followup_on_the_same_one(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))  # console only
    world.import_plan()
    sweep(world.runtime, vn("2024-04-22", "08:00"))
    _send_all(world, vn("2024-04-22", "08:01"))
    sweep(world.runtime, vn("2024-04-23", "08:30"))
    assert {c for _, _, c in _followups(world)} == {"console"}


def test_unsent_reminder_waits_and_a_failed_one_is_never_followed_up(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"), env=CHANNELS)
    world.import_plan()
    sweep(world.runtime, vn("2024-04-22", "08:00"))
    assert sweep(world.runtime, vn("2024-04-23", "08:30")).followups == 0  # still pending
    with Session(engine) as session:
        for row in session.exec(select(Notification).where(Notification.status == "pending")):
            row.status = DeliveryStatus.FAILED
            session.add(row)
        session.commit()
    sweep(world.runtime, vn("2024-04-23", "09:00"))
    with Session(engine) as session:
        waiting = session.exec(
            select(Notification).where(Notification.followup_at != None)  # noqa: E711
        ).all()
    assert waiting == [] and _followups(world) == []
