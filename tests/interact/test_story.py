"""The full story of the sample plan on a virtual clock, through the real sweep and dispatch.

Task II.1 ("Tháng 4 năm 2024", effective deadline Thursday 02/5/2024, led by the
Văn phòng which is also the monitor): reminders on 22/4 and 25/4, due today on 2/5,
nobody answers, overdue on 3/5, level 1 skipped (the monitor is the lead itself),
escalation to UBND huyện on 8/5/2024. Then the office records "done" with the CLI:
nothing more is sent for II.1 and the status board shows "Đã hoàn thành quá hạn".
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VN_TZ, VirtualClock, as_utc
from notifier.engine.channels import build_channels
from notifier.engine.service import simulate
from notifier.runtime import Runtime
from notifier.store.models import Deadline, Notification, Person
from tests.interact.test_services import deadline_of, seed

IMPORTED = datetime(2024, 4, 15, 8, 0, tzinfo=VN_TZ)


def _day_end(day: date) -> datetime:
    return as_utc(datetime.combine(day, time(23, 59), tzinfo=VN_TZ))


async def _replay(runtime: Runtime, start: datetime, end: datetime) -> None:
    channels = build_channels(runtime.settings, runtime.clock, echo=False)
    try:
        await simulate(runtime, channels, as_utc(start), end, "story")
    finally:
        await channels.aclose()


def _sent_for(runtime: Runtime, deadline_id: int) -> list[tuple[date, str, str, str]]:
    """(local day sent, step, kind, person key) of the II.1 messages actually sent."""
    with Session(runtime.engine) as session:
        found = session.exec(
            select(Notification, Person)
            .where(Notification.person_id == Person.id, Notification.deadline_id == deadline_id)
            .where(Notification.status == "sent")
            .order_by(col(Notification.sent_at), col(Notification.id))
        ).all()
        return [
            (n.sent_at.astimezone(VN_TZ).date(), n.step, n.kind, p.key)  # type: ignore[union-attr]
            for n, p in found
        ]


def _cli(config_dir: Path, db_url: str, clock: VirtualClock, *args: str) -> int:
    return run_cli(
        ["--config", str(config_dir), "--db", db_url, *args], state=AppState(clock=clock)
    )


@pytest.fixture
def world(config_dir: Path, tmp_path: Path) -> tuple[Runtime, VirtualClock, str]:
    clock = VirtualClock(IMPORTED)
    db_url = f"sqlite:///{tmp_path / 'story.db'}"
    return seed(config_dir, db_url, clock), clock, db_url


async def test_story_reminders_overdue_escalation_then_done_stops_everything(
    world: tuple[Runtime, VirtualClock, str],
    config_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    runtime, clock, db_url = world
    ii1 = deadline_of(runtime.engine, "II.1")
    assert ii1.id is not None and ii1.effective_date == date(2024, 5, 2)

    # 15/4 .. 7/5: reminders, due today, overdue; nobody answers; no escalation yet.
    await _replay(runtime, IMPORTED, _day_end(date(2024, 5, 7)))
    sent = _sent_for(runtime, ii1.id)
    days = {(d, step) for d, step, _kind, _p in sent}
    assert (date(2024, 4, 22), "reminder-5") in days
    assert (date(2024, 4, 25), "reminder-2") in days
    assert (date(2024, 5, 2), "due_today") in days
    assert (date(2024, 5, 3), "overdue") in days
    assert not [s for s in sent if s[2] == "escalation"]
    assert any(kind == "followup" for _d, _s, kind, _p in sent), "no answer -> follow-up"

    # 8/5: escalation level 2 to the head of UBND huyện (copy to Phòng TC-KH).
    await _replay(runtime, _day_end(date(2024, 5, 7)), _day_end(date(2024, 5, 8)))
    escalations = [s for s in _sent_for(runtime, ii1.id) if s[2] == "escalation"]
    assert (date(2024, 5, 8), "escalation-2", "escalation", "ubnd-huyen.chu-tich") in escalations

    capsys.readouterr()
    clock.set(datetime(2024, 5, 8, 16, 0, tzinfo=VN_TZ))
    assert _cli(config_dir, db_url, clock, "status", "--json") == 0
    board = json.loads(capsys.readouterr().out)
    item = next(i for i in board["items"] if i["deadline_id"] == ii1.id)
    assert item["bucket_label"] == "Chưa hoàn thành, quá hạn"
    assert (
        item["escalation_level"] == 2 and item["working_days"] == -5
    )  # 3, 4 (make-up Sat), 6, 7, 8/5

    # The office records "done" at 16:00 on 8/5.
    assert _cli(config_dir, db_url, clock, "done", "II.1", "--note", "Đã đi Thái Hòa") == 0
    assert "quá hạn" in capsys.readouterr().out
    with Session(runtime.engine) as session:
        closed = session.get(Deadline, ii1.id)
        assert closed is not None and closed.status == "done" and closed.next_action_at is None
    before = {s for s in _sent_for(runtime, ii1.id) if s[2] != "confirmation"}

    # Two more months: nothing but the confirmation goes out for II.1.
    await _replay(runtime, clock.now(), _day_end(date(2024, 6, 30)))
    after = _sent_for(runtime, ii1.id)
    assert {s for s in after if s[2] != "confirmation"} == before
    with Session(runtime.engine) as session:
        pending = session.exec(
            select(Notification).where(
                Notification.deadline_id == ii1.id, Notification.status == "pending"
            )
        ).all()
        assert pending == []

    capsys.readouterr()
    clock.set(datetime(2024, 7, 1, 8, 0, tzinfo=VN_TZ))
    assert _cli(config_dir, db_url, clock, "status", "--json") == 0
    board = json.loads(capsys.readouterr().out)
    item = next(i for i in board["items"] if i["deadline_id"] == ii1.id)
    assert item["bucket_label"] == "Đã hoàn thành quá hạn"
    counts = {b["label"]: b["count"] for b in board["buckets"]}
    assert counts["Đã hoàn thành quá hạn"] >= 1
    assert _cli(config_dir, db_url, clock, "status") == 0
    text = capsys.readouterr().out
    assert "Đã hoàn thành quá hạn" in text


async def test_done_confirmation_reaches_the_monitor(
    world: tuple[Runtime, VirtualClock, str],
) -> None:
    from notifier.services import complete

    runtime, clock, _db_url = world
    ii1 = deadline_of(runtime.engine, "II.1")
    assert ii1.id is not None
    clock.set(datetime(2024, 4, 23, 9, 0, tzinfo=VN_TZ))
    outcome = complete(runtime, deadline_id=ii1.id, person_id=None, via="cli")
    await _replay(runtime, clock.now(), _day_end(date(2024, 4, 23)))
    sent = [s for s in _sent_for(runtime, ii1.id) if s[2] == "confirmation"]
    assert outcome.queued > 0 and len(sent) == outcome.queued
