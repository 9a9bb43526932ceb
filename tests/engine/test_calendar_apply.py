"""A change of calendar.yaml reaches the stored deadlines, their messages and the sweep.

Issue 11 §5: mark 30/6/2026 off -> the stored deadline of "Tháng 6 năm 2026" moves to
01/7/2026, its reminders move, the old pending ones are cancelled, nothing is sent twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from notifier.engine.channels import build_channels
from notifier.engine.dispatch import dispatch_all
from notifier.engine.service import new_worker_id
from notifier.engine.sweep import sweep
from notifier.services.calendar import apply_calendar, calendar_changed
from notifier.store.models import Deadline, Task
from notifier.vocab import DeliveryStatus
from tests.engine.test_sweep_world import World, make_world, vn

PLAN = Path(__file__).parent.parent / "data" / "ke-hoach-van-hoa-2026.md"
DAY_OFF = '  - date: 2026-06-30\n    reason: "Nghỉ theo thông báo của UBND tỉnh (kiểm thử)"\n'


def with_day_off(config_dir: Path) -> str:
    """The example calendar.yaml with 30/6/2026 added as a day off."""
    text = (config_dir / "calendar.yaml").read_text(encoding="utf-8")
    return text.replace("days_off:\n", "days_off:\n" + DAY_OFF, 1)


def _ii2(world: World) -> Deadline:
    with Session(world.engine) as session:
        task = session.exec(select(Task).where(Task.ref == "II.2")).one()
        return session.exec(select(Deadline).where(Deadline.task_id == task.id)).one()


def _dispatch(world: World, at_day: str, hhmm: str) -> None:
    import asyncio

    channels = build_channels(world.runtime.settings, world.clock, echo=False)

    async def go() -> None:
        try:
            await dispatch_all(world.runtime, channels, new_worker_id(), vn(at_day, hhmm))
        finally:
            await channels.aclose()

    asyncio.run(go())


def test_marking_30_june_off_moves_the_deadline_and_its_reminders(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2026-06-01", "07:00"))
    world.import_plan(PLAN)
    assert _ii2(world).effective_date == date(2026, 6, 30)
    # 23/6 08:00: the 5-day reminder (old date) goes out; 24/6: its follow-up is queued
    sweep(world.runtime, vn("2026-06-23", "08:00"))
    _dispatch(world, "2026-06-23", "08:01")
    sweep(world.runtime, vn("2026-06-24", "08:05"))
    old_key = f"d{_ii2(world).id}@2026-06-30"
    pending_before = [r for r in world.rows() if r.status == DeliveryStatus.PENDING]
    assert any(r.occurrence == old_key for r in pending_before)

    world.set_calendar(with_day_off(config_dir))
    world.clock.set(vn("2026-06-24", "09:00"))
    assert calendar_changed(world.runtime)
    change = apply_calendar(world.runtime)

    assert [(m.task_ref, m.old, m.new) for m in change.moved] == [
        ("II.2", date(2026, 6, 30), date(2026, 7, 1))
    ]
    assert "II.2: 30/6/2026 → 01/7/2026" in change.lines()
    moved = _ii2(world)
    assert (moved.nominal_date, moved.effective_date) == (date(2026, 6, 30), date(2026, 7, 1))
    old_rows = [r for r in world.rows() if r.occurrence == old_key]
    assert not [r for r in old_rows if r.status == DeliveryStatus.PENDING]  # cancelled
    assert any(r.status == DeliveryStatus.CANCELLED for r in old_rows)
    assert not calendar_changed(world.runtime)

    world.simulate(vn("2026-06-24", "09:01"), vn("2026-07-10", "17:00"))
    sent = [r for r in world.sent() if r.deadline_id == moved.id]
    steps = Counter((r.step, r.person_id) for r in sent)
    assert all(n == 1 for n in steps.values()), steps  # nothing sent twice
    new_key = f"d{moved.id}@2026-07-01"
    by_step = {r.step: r for r in sent if r.occurrence == new_key}
    # reminder-5 (23/6) had gone out under the old date: not again; the others follow the
    # new deadline: 2 working days before 01/7 is still Friday 26/6 (30/6 is off), the
    # deadline day moves from 30/6 to 01/7, the overdue notice from 01/7 to 02/7
    assert "reminder-5" not in by_step
    assert by_step["reminder-2"].due_at == vn("2026-06-26")
    assert by_step["due_today"].due_at == vn("2026-07-01")
    assert by_step["overdue"].due_at == vn("2026-07-02")
    assert not [r for r in sent if r.occurrence == old_key and r.step != "reminder-5"]


def test_init_and_sync_apply_a_changed_calendar(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2026-06-01", "07:00"))
    world.import_plan(PLAN)
    (config_dir / "calendar.yaml").write_text(with_day_off(config_dir), encoding="utf-8")
    import contextlib
    import io

    from notifier.cli import run_cli
    from notifier.cli.common import AppState

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run_cli(["--config", str(config_dir), "--db", db_url, "sync"],
                       AppState(clock=world.clock))  # fmt: skip
    assert code == 0
    assert "đổi hạn II.2: 30/6/2026 → 01/7/2026" in out.getvalue()
    assert _ii2(world).effective_date == date(2026, 7, 1)


def test_a_day_off_before_the_deadline_moves_its_reminders_only(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2026-06-01", "07:00"))
    world.import_plan(PLAN)
    sweep(world.runtime, vn("2026-06-19", "08:00"))
    assert _ii2(world).next_action_at == vn("2026-06-23")  # 5 working days before 30/6
    text = with_day_off(config_dir).replace("2026-06-30", "2026-06-25")
    world.set_calendar(text)
    change = apply_calendar(world.runtime, vn("2026-06-19", "09:00"))
    assert change.moved == [] and change.rescheduled >= 1
    assert _ii2(world).effective_date == date(2026, 6, 30)
    assert _ii2(world).next_action_at == vn("2026-06-22")  # 25/6 off: one day earlier


def test_calendar_show_lists_days_off_and_make_up_days_with_their_source(
    cli,
    config_dir: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    base = ("--config", config_dir, "--db", f"sqlite:///{tmp_path / 'cal.db'}")
    assert cli(*base, "init").code == 0
    result = cli(*base, "calendar", "show", "--year", "2026")
    assert result.code == 0, result.err
    lines = [" ".join(line.replace("│", " ").split()) for line in result.out.splitlines()]
    assert any(line.startswith("02/01/2026 Thứ Sáu nghỉ Nghỉ hoán đổi") and "calendar.yaml" in line
               for line in lines)  # fmt: skip
    assert any(line.startswith("10/01/2026 Thứ Bảy làm bù") for line in lines)
    assert any(line.startswith("16/02/2026 Thứ Hai nghỉ Giao thừa") and "gói holidays" in line
               for line in lines)  # fmt: skip
    assert "Năm 2026: đã xác nhận" in result.out
    result = cli(*base, "calendar", "show", "--year", "2027")
    assert "Năm 2027: chưa có mục xác nhận" in result.out
    applied = cli(*base, "calendar", "apply")
    assert applied.code == 0 and "không thời hạn nào thay đổi" in applied.out
