"""The monitor's daily digest and the compiled report's data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from notifier.domain.status import BUCKET_ORDER
from notifier.engine.context import build_context
from notifier.engine.digest import run_digests
from notifier.engine.sweep import sweep
from notifier.store.models import Deadline, Notification
from notifier.vocab import DeadlineStatus
from tests.engine.test_sweep_world import World, make_world, vn


def _digests(world: World) -> list[tuple[str, str]]:
    people = world.person_keys()
    return sorted((r.occurrence, people[r.person_id]) for r in world.rows() if r.kind == "digest")


def _world(engine: Engine, config_dir: Path, db_url: str) -> World:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    return world


def test_digest_goes_to_the_monitor_once_a_day_when_something_is_due_soon(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = _world(engine, config_dir, db_url)
    assert run_digests(world.runtime, vn("2024-04-22", "07:29")) == 0  # before 07:30
    assert run_digests(world.runtime, vn("2024-04-22", "07:30")) == 2
    assert run_digests(world.runtime, vn("2024-04-22", "15:00")) == 0  # once per day
    # vp-hdnd-ubnd monitors the plan; policy addresses heads and focal points
    assert _digests(world) == [
        ("digest:2024-04-22", "vp.chanh"),
        ("digest:2024-04-22", "vp.theo-doi"),
    ]


def test_digest_says_nothing_when_nothing_is_due_or_overdue(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = _world(engine, config_dir, db_url)
    assert run_digests(world.runtime, vn("2024-04-16", "07:30")) == 0  # 2/5 is 9 days away
    assert run_digests(world.runtime, vn("2024-04-20", "08:00")) == 0  # Saturday
    assert _digests(world) == []


def test_digest_context_has_the_four_counts_and_the_overdue_item(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = _world(engine, config_dir, db_url)
    world.clock.set(vn("2024-05-07", "07:30"))
    assert run_digests(world.runtime, vn("2024-05-07", "07:30")) == 2
    with Session(engine) as session:
        row = session.exec(select(Notification).where(Notification.kind == "digest")).first()
        assert row is not None
        ctx = build_context(session, row, world.runtime, world.runtime.clock.now())
    assert [label for label, _ in ctx.counts] == [b.label for b in BUCKET_ORDER]
    assert dict(ctx.counts)[BUCKET_ORDER[3].label] == 1  # II.1, due 02/5, still open
    assert [(t.task_ref, t.working_days) for t in ctx.overdue] == [("II.1", -4)]
    rendered = world.runtime.renderer.render(ctx)
    assert "Chưa hoàn thành, quá hạn" in rendered.text


def test_no_digest_once_everything_is_done(engine: Engine, config_dir: Path, db_url: str) -> None:
    world = _world(engine, config_dir, db_url)
    with Session(engine) as session:
        for row in session.exec(select(Deadline).where(Deadline.kind == "deadline")):
            row.status, row.completed_at = DeadlineStatus.DONE, vn("2024-04-19", "10:00")
            session.add(row)
        session.commit()
    assert run_digests(world.runtime, vn("2024-05-07", "07:30")) == 0


def test_compiled_report_is_one_per_plan_period_and_person(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = _world(engine, config_dir, db_url)
    for day in ("2024-06-10", "2024-06-13", "2024-06-17", "2024-06-18"):
        sweep(world.runtime, vn(day, "08:00"))
    rows = [r for r in world.rows() if r.kind == "compiled_report"]
    people = world.person_keys()
    assert sorted(people[r.person_id] for r in rows) == ["tckh.tong-hop", "tckh.truong-phong"]
    assert {r.occurrence.rsplit(":", 1)[1] for r in rows} == {"6 tháng đầu năm 2024"}
    assert all(r.deadline_id is None and r.role == "compiler" for r in rows)
    world.clock.set(vn("2024-06-18", "08:00"))
    with Session(engine) as session:
        ctx = build_context(session, rows[0], world.runtime, world.runtime.clock.now())
    assert ctx.plan_title and ctx.period == "6 tháng đầu năm 2024"
    # the report model of notifier/reports: the task and the report period counted apart
    assert ctx.report is not None and ctx.report.period is not None
    assert (ctx.report.tasks.total, ctx.report.reports.total) == (1, 1)
    assert ctx.report.period.data_window == (date(2023, 12, 15), date(2024, 6, 14))
    out = world.runtime.renderer.render(ctx)
    assert out.subject.startswith("[Tổng hợp] Kết quả 6 tháng đầu năm 2024 thực hiện Kế hoạch")
    assert "1 thời hạn của nhiệm vụ có thời hạn và 1 kỳ báo cáo" in out.text


def test_compiled_report_still_goes_out_when_the_period_was_reported_early(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    from notifier.services import complete
    from notifier.store.models import Deadline, Task

    world = _world(engine, config_dir, db_url)
    sweep(world.runtime, vn("2024-06-10", "08:00"))
    with Session(engine) as session:
        task = session.exec(select(Task).where(Task.ref == "II.2")).one()
        first = session.exec(
            select(Deadline).where(Deadline.task_id == task.id).order_by(col(Deadline.seq))
        ).first()
        assert first is not None and first.id is not None
    world.clock.set(vn("2024-06-11", "09:00"))
    complete(world.runtime, deadline_id=first.id, person_id=None, via="cli")
    for day in ("2024-06-13", "2024-06-17", "2024-06-18"):
        sweep(world.runtime, vn(day, "08:00"))
    rows = [r for r in world.rows() if r.deadline_id == first.id or r.kind == "compiled_report"]
    kinds = {r.kind for r in rows if r.status != "cancelled"}
    assert "compiled_report" in kinds  # the compiler still gets the period's status
    assert not kinds & {"due_today", "overdue", "escalation"}  # nothing chases a done report
    with Session(engine) as session:
        row = session.get(Deadline, first.id)
        assert row is not None and row.next_action_at is None  # nothing left after it
