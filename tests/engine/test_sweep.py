"""The sweep against the real seed plan: exactly what the preview predicts, once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from notifier.engine.sweep import due_deadlines, sweep
from notifier.store.models import Deadline, Event, Notification
from notifier.vocab import DeadlineStatus, DeliveryStatus
from tests.conftest import SEED_PLAN
from tests.engine.test_sweep_world import World, days, make_world, vn


def _keys(world: World, rows: list[Notification]) -> Counter[tuple[str, str, str]]:
    people = world.person_keys()
    return Counter(
        (r.step, people[r.person_id], r.due_at.astimezone(UTC).isoformat())
        for r in rows
        if r.kind != "digest"  # the daily digest is not a deadline step: see test_digest
    )


def _predicted(world: World, first: str, last: str) -> Counter[tuple[str, str, str]]:
    items = world.preview(first, last)
    assert all(i.person for i in items)  # every agency of the sample has somebody
    return Counter(
        (i.step, i.person, i.at.astimezone(UTC).isoformat())
        for i in items
        if i.kind != "followup"  # needs a delivered message: see test_followup
    )


def test_sweeping_april_and_may_creates_exactly_the_preview_once(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    instants = sorted({i.at for i in world.preview("2024-04-15", "2024-06-01")})
    assert instants  # the worked example has steps in the window
    for at in sorted(instants + [vn("2024-05-31", "23:00")]):
        first = sweep(world.runtime, at)
        again = sweep(world.runtime, at)  # the same instant twice: nothing new
        assert again.created == 0
        assert first.skipped == 0 and first.late == 0
    rows = world.rows()
    assert _keys(world, rows) == _predicted(world, "2024-04-15", "2024-06-01")
    assert all(r.status == DeliveryStatus.PENDING and not r.late for r in rows)
    assert {r.channel for r in rows} == {"console"}  # nothing configured: embedded default


def test_sweep_at_many_instants_creates_nothing_twice(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    for at in days(vn("2024-04-15", "07:00"), vn("2024-05-31", "23:00"), timedelta(hours=6)):
        sweep(world.runtime, at)
    sweep(world.runtime, vn("2024-05-31", "23:00"))
    rows = world.rows()
    unique = {(r.occurrence, r.step, r.person_id) for r in rows}
    assert len(unique) == len(rows)
    # swept 6-hourly: a step is at most 6 h old when swept, never stale
    assert not [r for r in rows if r.late or r.status == DeliveryStatus.SKIPPED]
    assert _keys(world, rows) == _predicted(world, "2024-04-15", "2024-06-01")


def test_late_import_sends_only_the_latest_step_per_person_and_records_the_rest(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-05-10", "09:00"))
    world.import_plan()
    report = sweep(world.runtime, vn("2024-05-10", "09:00"))
    rows = [r for r in world.rows() if r.kind != "digest"]
    people = world.person_keys()
    pending = [r for r in rows if r.status == DeliveryStatus.PENDING]
    sent = {(people[r.person_id], r.step) for r in pending}
    assert sent == {
        ("vp.chanh", "overdue"),  # the lead heard reminders, due today, overdue: latest only
        ("vp.theo-doi", "overdue"),
        ("ubnd-huyen.chu-tich", "escalation-2"),  # 08/5: more than a working day ago
    }  # copies "để biết" of stale steps (TC-KH, the coordinating agencies) are not sent
    per_person = Counter(r.person_id for r in pending)
    assert set(per_person.values()) == {1}
    assert all(r.late for r in pending)
    skipped = [r for r in rows if r.status == DeliveryStatus.SKIPPED]
    assert {(people[r.person_id], r.step) for r in skipped} >= {
        ("vp.chanh", "reminder-5"),
        ("vp.chanh", "reminder-2"),
        ("vp.chanh", "due_today"),
        ("ktht.truong-phong", "reminder-5"),
        ("tckh.truong-phong", "escalation-2"),
    }
    assert all(r.copy_only for r in skipped if "để biết" in r.last_error)
    assert all("bỏ qua khi gửi bù" in r.last_error and not r.late for r in skipped)
    assert report.late == len(pending) and report.skipped == len(skipped)
    assert sweep(world.runtime, vn("2024-05-10", "10:00")).created == 0


def test_recent_step_is_not_late_after_a_short_outage(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    sweep(world.runtime, vn("2024-04-19", "09:00"))
    # down from Friday to Tuesday 23/4 07:45: 22/4 08:00 is within one working day
    report = sweep(world.runtime, vn("2024-04-23", "07:45"))
    assert report.created > 0 and report.late == 0 and report.skipped == 0


def test_moved_deadline_gets_fresh_steps(
    engine: Engine, config_dir: Path, db_url: str, tmp_path: Path
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    numbered = SEED_PLAN.read_text().replace("Số: /KH-UBND", "Số: 24/KH-UBND")
    (tmp_path / "plan.md").write_text(numbered)  # a number keeps the plan's identity
    world.import_plan(tmp_path / "plan.md")
    sweep(world.runtime, vn("2024-04-22", "08:00"))
    before = {r.occurrence for r in world.rows()}
    moved_id = next(r.deadline_id for r in world.rows() if r.step == "reminder-5")
    moved = tmp_path / "moved.md"
    moved.write_text(numbered.replace("Tháng 4 năm 2024", "Tháng 6 năm 2024"))
    world.clock.set(vn("2024-04-22", "09:00"))
    world.import_plan(moved)
    sweep(world.runtime, vn("2024-06-24", "08:00"))
    sweep(world.runtime, vn("2024-06-27", "08:00"))
    fresh = [r for r in world.rows() if r.deadline_id == moved_id and r.occurrence not in before]
    assert {r.step for r in fresh} == {"reminder-5", "reminder-2"}  # 24/6 and 27/6 (not late)
    assert {r.occurrence for r in fresh} == {f"d{moved_id}@2024-07-01"}
    assert not [r for r in fresh if r.late]
    old = [r for r in world.rows() if r.deadline_id == moved_id and r.occurrence in before]
    assert {r.status for r in old} == {DeliveryStatus.CANCELLED}  # by the importer


def test_done_deadline_produces_nothing_more(engine: Engine, config_dir: Path, db_url: str) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    sweep(world.runtime, vn("2024-04-22", "08:00"))
    with Session(engine) as session:
        for row in session.exec(select(Deadline).where(Deadline.kind == "deadline")):
            row.status = DeadlineStatus.DONE
            session.add(row)
        session.commit()
    count = len([r for r in world.rows() if r.kind != "digest"])
    sweep(world.runtime, vn("2024-05-31", "08:00"))
    assert (
        len([r for r in world.rows() if r.kind != "digest"]) == count
    )  # the report deadline of II.2 has nothing in May either
    with Session(engine) as session:
        due = due_deadlines(session, vn("2024-12-31", "08:00"), 100)
        assert {d.kind for d in due} == {"report"}  # done rows are never read again


def test_target_agency_with_nobody_addressable_is_logged(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    directory = config_dir / "directory.yaml"
    text = directory.read_text()
    directory.write_text(
        text.replace("    role: head\n    email: vinh.px", "    role: deputy\n    email: vinh.px")
    )
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    sweep(world.runtime, vn("2024-05-08", "08:00"))
    with Session(engine) as session:
        events = session.exec(select(Event).where(Event.kind == "sweep.nobody")).all()
    assert [e.data["agency"] for e in events] == ["ubnd-huyen"]
    assert "không có người nhận" in events[0].message


def test_due_query_reads_only_due_open_rows_through_the_index(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    with Session(engine) as session:
        due = due_deadlines(session, vn("2024-04-22", "08:00"), 10)
        assert [d.effective_date.isoformat() for d in due] == ["2024-05-02"]
        plan = (
            session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM deadline WHERE status='open' "
                "AND next_action_at <= '2024-04-22' ORDER BY next_action_at LIMIT 10"
            )
            if engine.dialect.name == "sqlite"
            else None
        )
        if plan is not None:
            assert "ix_deadline_due" in " ".join(str(r) for r in plan)
