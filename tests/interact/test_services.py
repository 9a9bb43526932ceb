"""The answer use cases on SQLite and PostgreSQL: received, done, blocked, escalate now.

The helpers at the top (``seed``, ``rows``, ``add_notification``) are shared by the other
tests of this folder (web, CLI, story).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VN_TZ, VirtualClock
from notifier.errors import Refused
from notifier.runtime import Runtime, build_runtime
from notifier.services import (
    ReasonRequired,
    acknowledge,
    complete,
    escalate_now,
    find_task,
    report_obstacle,
)
from notifier.services.common import ByPerson, Target, open_scope
from notifier.settings import load_settings
from notifier.store.db import make_engine
from notifier.store.models import (
    Acknowledgement,
    Deadline,
    Event,
    Notification,
    Person,
    Plan,
    Task,
)
from notifier.vocab import Via
from tests.conftest import SEED_PLAN

START = datetime(2024, 4, 15, 8, 0, tzinfo=VN_TZ)
TABLES = (Acknowledgement, Event, Notification, Deadline)


SECRET = "test-secret-key-for-answer-links"


def seed(
    config_dir: Path, db_url: str, clock: VirtualClock, env: dict[str, str] | None = None
) -> Runtime:
    """init + import of the sample plan at the clock's time; returns a Runtime.

    The console log and the signing key stay inside the test's folder.
    """
    for argv in (["init"], ["plan", "import", str(SEED_PLAN)]):
        code = run_cli(
            ["--config", str(config_dir), "--db", db_url, *argv], state=AppState(clock=clock)
        )
        assert code == 0, argv
    settings = load_settings(config_dir, db_url, env={"NOTIFIER_SECRET_KEY": SECRET, **(env or {})})
    console = str(config_dir.parent / "outbox.log")
    file = settings.file.model_copy(update={"console_path": console})
    return build_runtime(dataclasses.replace(settings, file=file), make_engine(db_url), clock)


def rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tables an answer may touch, for before/after comparisons."""
    with Session(engine) as session:
        return {
            model.__name__: [r.model_dump() for r in session.exec(select(model)).all()]
            for model in TABLES
        }


def person_id(engine: Engine, key: str) -> int:
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.key == key)).one()
        assert person.id is not None
        return person.id


def deadline_of(engine: Engine, ref: str = "II.1") -> Deadline:
    with Session(engine) as session:
        return session.exec(
            select(Deadline)
            .where(Deadline.task_id == Task.id, Task.ref == ref)
            .order_by(col(Deadline.effective_date))
        ).first()  # type: ignore[return-value]


def add_notification(
    engine: Engine, deadline_id: int, key: str, kind: str = "reminder", step: str = "reminder-5"
) -> int:
    """A sent reminder row for the person, as the sweep and dispatcher would leave it."""
    who = person_id(engine, key)
    with Session(engine) as session:
        deadline = session.get(Deadline, deadline_id)
        assert deadline is not None
        row = Notification(
            occurrence=f"d{deadline_id}@{deadline.effective_date.isoformat()}",
            step=step,
            person_id=who,
            channel="email",
            deadline_id=deadline_id,
            kind=kind,
            role="lead",
            due_at=START,
            status="sent",
            sent_at=START,
            created_at=START,
        )
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def runtime(config_dir: Path, db_url: str, clock: VirtualClock) -> Iterator[Runtime]:
    rt = seed(config_dir, db_url, clock)
    yield rt
    rt.engine.dispose()


def _outbox(engine: Engine, occurrence_prefix: str) -> list[tuple[str, str, str, bool, str]]:
    """(person key, kind, role, copy, status) of the rows whose occurrence starts so."""
    with Session(engine) as session:
        found = session.exec(
            select(Notification, Person).where(
                Notification.person_id == Person.id,
                col(Notification.occurrence).startswith(occurrence_prefix),
            )
        ).all()
        return sorted((p.key, n.kind, n.role, n.copy_only, n.status) for n, p in found)


# ---------------------------------------------------------------- received


def test_received_is_logged_once_and_cancels_the_pending_followup(runtime: Runtime) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None
    nid = add_notification(runtime.engine, deadline.id, "vp.chanh")
    follow = add_notification(
        runtime.engine, deadline.id, "vp.chanh", "followup", "reminder-5+followup"
    )
    with Session(runtime.engine) as session:
        row = session.get(Notification, follow)
        assert row is not None
        row.status = "pending"
        session.add(row)
        session.commit()
    who = person_id(runtime.engine, "vp.chanh")

    first = acknowledge(runtime, notification_id=nid, person_id=who, via="telegram")
    again = acknowledge(runtime, notification_id=nid, person_id=who, via="telegram")

    assert first.changed and "đã nhận" in first.message
    assert not again.changed and "trước đó" in again.message
    with Session(runtime.engine) as session:
        acks = session.exec(select(Acknowledgement)).all()
        assert [(a.action, a.via, a.notification_id) for a in acks] == [
            ("received", "telegram", nid)
        ]
        assert session.get(Notification, follow).status == "cancelled"  # type: ignore[union-attr]
        events = session.exec(select(Event).where(Event.kind == "answer.received")).all()
        assert len(events) == 1


def test_person_of_another_agency_is_refused_and_nothing_changes(runtime: Runtime) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None
    nid = add_notification(runtime.engine, deadline.id, "vp.chanh")
    before = rows(runtime.engine)
    outsider = person_id(runtime.engine, "noi-vu.truong-phong")

    with pytest.raises(Refused):
        acknowledge(runtime, notification_id=nid, person_id=outsider, via="telegram")
    with pytest.raises(Refused):
        complete(runtime, notification_id=nid, person_id=outsider, via="telegram")
    with pytest.raises(Refused):
        complete(runtime, deadline_id=deadline.id, person_id=outsider, via="telegram")
    with pytest.raises(Refused):
        report_obstacle(runtime, notification_id=nid, person_id=outsider, via="email", reason="x")

    assert rows(runtime.engine) == before


def test_colleague_of_lead_agency_and_own_recipient_are_authorized(runtime: Runtime) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None
    nid = add_notification(runtime.engine, deadline.id, "vp.chanh")
    # A copy sent to someone outside lead/monitor: they may answer their own message.
    copy = add_notification(runtime.engine, deadline.id, "vhtt.truong-phong")
    ids = {
        k: person_id(runtime.engine, k) for k in ("vp.theo-doi", "vhtt.truong-phong", "vp.chanh")
    }
    outsider = person_id(runtime.engine, "ktht.truong-phong")

    def authorize(session: Session, notification_id: int, person: int) -> Notification:
        now = runtime.clock.now()
        target, actor = Target(notification_id), ByPerson(person)
        scope = open_scope(session, runtime, now, target, actor, Via.WEB)
        assert scope.notification is not None
        return scope.notification

    with Session(runtime.engine) as session:
        assert authorize(session, nid, ids["vp.theo-doi"]).id == nid
        assert authorize(session, copy, ids["vhtt.truong-phong"]).id == copy
        with pytest.raises(Refused):
            authorize(session, copy, outsider)
        with pytest.raises(Refused):
            authorize(session, 999_999, ids["vp.chanh"])


# ---------------------------------------------------------------- done


def test_done_closes_deadline_cancels_pending_and_confirms(
    runtime: Runtime, clock: VirtualClock
) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None
    nid = add_notification(runtime.engine, deadline.id, "vp.chanh")
    pending = add_notification(runtime.engine, deadline.id, "vp.chanh", "reminder", "reminder-2")
    with Session(runtime.engine) as session:
        row = session.get(Notification, pending)
        assert row is not None
        row.status = "pending"
        session.add(row)
        session.commit()
    clock.set(datetime(2024, 4, 26, 9, 30, tzinfo=VN_TZ))

    out = complete(
        runtime, notification_id=nid, person_id=person_id(runtime.engine, "vp.chanh"),
        via="telegram", note="Đã tổ chức đoàn tham quan",
    )  # fmt: skip

    assert out.changed and out.bucket is not None and out.bucket.label == "Đã hoàn thành đúng hạn"
    with Session(runtime.engine) as session:
        d = session.get(Deadline, deadline.id)
        assert d is not None
        assert (d.status, d.completed_by, d.completion_note) == (
            "done",
            "vp.chanh",
            "Đã tổ chức đoàn tham quan",
        )
        assert d.completed_at == clock.now() and d.next_action_at is None
        assert session.get(Notification, pending).status == "cancelled"  # type: ignore[union-attr]
    # Sender confirmed; the monitor (the same office in the sample plan) gets copies.
    assert _outbox(runtime.engine, f"confirm:{out.ack_id}") == [
        ("vp.chanh", "confirmation", "lead", False, "pending"),
        ("vp.theo-doi", "confirmation", "monitor", True, "pending"),
    ]


def test_second_done_is_a_noop_with_a_clear_message(runtime: Runtime, clock: VirtualClock) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None
    complete(runtime, deadline_id=deadline.id, person_id=None, via="cli")
    before = rows(runtime.engine)
    clock.advance(timedelta(days=1))

    again = complete(runtime, deadline_id=deadline.id, person_id=None, via="cli", note="lại")

    assert not again.changed and "đã được báo cáo hoàn thành" in again.message
    assert rows(runtime.engine) == before


def test_done_after_effective_deadline_is_late(runtime: Runtime, clock: VirtualClock) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None
    clock.set(datetime(2024, 5, 10, 10, 0, tzinfo=VN_TZ))
    on_time = datetime(2024, 5, 2, 23, 59, tzinfo=VN_TZ)

    out = complete(runtime, deadline_id=deadline.id, person_id=None, via="cli", at=on_time)

    assert out.bucket is not None and out.bucket.label == "Đã hoàn thành đúng hạn"
    other = deadline_of(runtime.engine, "II.2")
    assert other.id is not None
    late = complete(runtime, deadline_id=other.id, person_id=None, via="cli")
    assert late.bucket is not None and (late.bucket.label == "Đã hoàn thành quá hạn") == (
        other.effective_date < clock.now().date()
    )


def test_done_in_the_future_is_refused(runtime: Runtime, clock: VirtualClock) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None
    with pytest.raises(ValueError):
        complete(
            runtime,
            deadline_id=deadline.id,
            person_id=None,
            via="cli",
            at=clock.now() + timedelta(days=2),
        )


# ---------------------------------------------------------------- blocked


def test_blocked_goes_at_once_to_ubnd_huyen_with_copy_to_tckh(runtime: Runtime) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None
    nid = add_notification(runtime.engine, deadline.id, "vp.chanh")

    out = report_obstacle(
        runtime, notification_id=nid, person_id=person_id(runtime.engine, "vp.chanh"),
        via="telegram", reason="  Chưa bố trí được   kinh phí đi lại ",
    )  # fmt: skip

    assert out.changed
    assert _outbox(runtime.engine, f"obstacle:{out.ack_id}") == [
        ("tckh.tong-hop", "obstacle", "compiler", True, "pending"),
        ("tckh.truong-phong", "obstacle", "compiler", True, "pending"),
        ("ubnd-huyen.chu-tich", "obstacle", "directing", False, "pending"),
    ]
    assert _outbox(runtime.engine, f"confirm:{out.ack_id}") == [
        ("vp.chanh", "confirmation", "lead", False, "pending")
    ]
    with Session(runtime.engine) as session:
        row = session.exec(select(Notification).where(Notification.kind == "obstacle")).first()
        assert row is not None and row.due_at == runtime.clock.now()
        assert row.context["note"] == "Chưa bố trí được kinh phí đi lại"
        ack = session.exec(select(Acknowledgement)).one()
        assert (ack.action, ack.note) == ("blocked", "Chưa bố trí được kinh phí đi lại")
        assert session.get(Deadline, deadline.id).status == "open"  # type: ignore[union-attr]


def test_blocked_without_reason_is_refused_and_nothing_changes(runtime: Runtime) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None
    nid = add_notification(runtime.engine, deadline.id, "vp.chanh")
    before = rows(runtime.engine)
    with pytest.raises(ReasonRequired):
        report_obstacle(
            runtime, notification_id=nid, person_id=person_id(runtime.engine, "vp.chanh"),
            via="telegram", reason="   ",
        )  # fmt: skip
    assert rows(runtime.engine) == before


# ---------------------------------------------------------------- escalate now


def test_escalate_now_goes_to_next_level_with_manual_steps(runtime: Runtime) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None

    first = escalate_now(runtime, deadline_id=deadline.id, note="Đề nghị chỉ đạo", by="VP")
    second = escalate_now(runtime, deadline_id=deadline.id, note="Nhắc lại", by="VP")

    # Level 1 (monitor) is the lead itself in the sample plan, so the next level is 2:
    # UBND huyện (head), copy to Phòng TC-KH (head).
    with Session(runtime.engine) as session:
        found = session.exec(
            select(Notification, Person)
            .where(Notification.person_id == Person.id, Notification.kind == "escalation")
            .order_by(col(Notification.step), col(Person.key))
        ).all()
        got = [(n.step, p.key, n.level, n.role, n.copy_only) for n, p in found]
        assert got == [
            ("manual-1", "tckh.truong-phong", 2, "compiler", True),
            ("manual-1", "ubnd-huyen.chu-tich", 2, "directing", False),
            ("manual-2", "tckh.truong-phong", 2, "compiler", True),
            ("manual-2", "ubnd-huyen.chu-tich", 2, "directing", False),
        ]
        assert found[0][0].context["note"] == "Đề nghị chỉ đạo"
        acks = session.exec(select(Acknowledgement.action)).all()
        assert acks == ["escalated", "escalated"]
    assert first.queued == 2 and second.queued == 2


def test_escalate_needs_a_note_and_an_open_task(runtime: Runtime) -> None:
    deadline = deadline_of(runtime.engine)
    assert deadline.id is not None
    with pytest.raises(ReasonRequired):
        escalate_now(runtime, deadline_id=deadline.id, note=" ")
    complete(runtime, deadline_id=deadline.id, person_id=None, via="cli")
    before = rows(runtime.engine)
    out = escalate_now(runtime, deadline_id=deadline.id, note="muộn")
    assert not out.changed and rows(runtime.engine) == before


# ---------------------------------------------------------------- task references


def test_find_task_picks_earliest_open_occurrence_and_says_so(runtime: Runtime) -> None:
    with Session(runtime.engine) as session:
        single = find_task(session, "II.1")
        assert single.note == "" and single.task_ref == "II.1"
        recurring = find_task(session, "II.2")
        count = len(
            session.exec(
                select(Deadline).where(Deadline.task_id == Task.id, Task.ref == "II.2")
            ).all()
        )
        if count > 1:
            assert "kỳ sớm nhất" in recurring.note


def test_find_task_ambiguous_across_plans_asks_for_plan(runtime: Runtime) -> None:
    with Session(runtime.engine) as session:
        plan = session.exec(select(Plan)).one()
        other = Plan(key="khac", content_hash="x", imported_at=START, updated_at=START)
        session.add(other)
        session.flush()
        session.add(Task(plan_id=other.id, ref="II.1", title="Khác"))
        session.commit()
        with pytest.raises(Exception, match="--plan"):
            find_task(session, "II.1")
        assert find_task(session, "II.1", plan.key).plan_key == plan.key
        with pytest.raises(Exception, match="Không có nhiệm vụ"):
            find_task(session, "IX.9")
