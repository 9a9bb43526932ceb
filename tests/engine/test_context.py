"""build_context reads the deadline, the recipient and the acknowledgements at send time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from notifier.engine.context import build_context
from notifier.engine.sweep import sweep
from notifier.store.models import Acknowledgement, Notification, Person
from notifier.vocab import LateReason
from tests.engine.test_sweep_world import make_world, vn


def test_reminder_context_has_plan_task_deadline_days_and_acks(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    sweep(world.runtime, vn("2024-04-25", "08:00"))
    world.clock.set(vn("2024-04-25", "08:05"))
    with Session(engine) as session:
        chanh = session.exec(select(Person).where(Person.key == "vp.chanh")).one()
        row = session.exec(
            select(Notification).where(
                Notification.step == "reminder-2", Notification.person_id == chanh.id
            )
        ).one()
        assert row.deadline_id is not None
        session.add(
            Acknowledgement(
                deadline_id=row.deadline_id,
                person_id=chanh.id,
                action="received",
                via="telegram",
                at=vn("2024-04-25", "08:03"),
            )
        )
        session.commit()
        ctx = build_context(session, row, world.runtime, world.runtime.clock.now())
    assert (ctx.kind, ctx.role, ctx.copy, ctx.late_news) == ("reminder", "lead", False, False)
    assert ctx.task_ref == "II.1" and ctx.task_title
    assert ctx.deadline == date(2024, 5, 2) and ctx.working_days == 2
    assert ctx.lead_agencies == "Văn phòng HĐND và UBND huyện Ba Tơ"
    assert ctx.recipient_name == "Trần Văn Minh"
    assert [(a.person, a.action, a.via) for a in ctx.acks] == [
        ("Trần Văn Minh", "received", "telegram")
    ]
    rendered = world.runtime.renderer.render(ctx)
    assert "Thứ Năm, 02/5/2024" in rendered.text


def test_late_news_and_copy_reach_the_context(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-05-10", "09:00"))
    world.import_plan()
    sweep(world.runtime, vn("2024-05-10", "09:00"))
    with Session(engine) as session:
        rows = session.exec(select(Notification).where(Notification.status == "pending")).all()
        contexts = [
            build_context(session, r, world.runtime, world.runtime.clock.now())
            for r in rows
            if r.kind != "digest"
        ]
    assert contexts and all(c.late_news for c in contexts)
    # the plan was imported after the steps' dates, and the messages say that, not downtime
    assert {c.late_reason for c in contexts} == {LateReason.IMPORTED_LATE}
    overdue = [c for c in contexts if c.kind == "overdue"]
    # overdue since 02/5: 03/5, Saturday 04/5 (a make-up working day), 06/5 to 10/5
    assert overdue and all(c.working_days == -7 for c in overdue)
    assert not any(c.copy for c in contexts)  # no copies "để biết" of stale steps
    for ctx in contexts:
        assert world.runtime.renderer.render(ctx).subject
