"""`notifier status | log | done | escalate | ack` on the sample plan (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VN_TZ, VirtualClock
from notifier.runtime import Runtime
from notifier.store.models import Acknowledgement, AgencyGroup, Deadline, GroupMember, Notification
from tests.interact.test_services import add_notification, deadline_of, rows, seed

START = datetime(2024, 4, 15, 8, 0, tzinfo=VN_TZ)
OFFICIAL = [
    "Đã hoàn thành đúng hạn",
    "Đã hoàn thành quá hạn",
    "Chưa hoàn thành, trong hạn",
    "Chưa hoàn thành, quá hạn",
]


class World:
    def __init__(self, runtime: Runtime, clock: VirtualClock, config: Path, db_url: str) -> None:
        self.runtime, self.clock, self.config, self.db_url = runtime, clock, config, db_url

    def cli(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run_cli(
            ["--config", str(self.config), "--db", self.db_url, *args],
            state=AppState(clock=self.clock),
        )
        out = capsys.readouterr()
        return code, out.out, out.err


@pytest.fixture
def world(config_dir: Path, db_url: str) -> Iterator[World]:
    clock = VirtualClock(START)
    runtime = seed(config_dir, db_url, clock)
    yield World(runtime, clock, config_dir, db_url)
    runtime.engine.dispose()


def test_status_json_has_four_buckets_in_official_order(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.clock.set(datetime(2024, 5, 6, 9, 0, tzinfo=VN_TZ))
    code, out, _ = world.cli(capsys, "status", "--json")
    assert code == 0
    board = json.loads(out)
    assert [b["label"] for b in board["buckets"]] == OFFICIAL
    ii1 = next(i for i in board["items"] if i["task"] == "II.1")
    assert ii1["bucket_label"] == "Chưa hoàn thành, quá hạn"
    assert ii1["deadline"] == "2024-05-02" and ii1["working_days"] == -3
    assert sum(b["count"] for b in board["buckets"]) == len(board["items"])


def test_status_text_shows_labels_open_items_and_last_answer(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    deadline = deadline_of(world.runtime.engine)
    assert deadline.id is not None
    nid = add_notification(world.runtime.engine, deadline.id, "vp.chanh")
    assert world.cli(capsys, "ack", str(nid))[0] == 0
    code, out, _ = world.cli(capsys, "status")
    assert code == 0
    for label in OFFICIAL:
        assert label in out
    assert "02/5/2024" in out and "còn" in out
    assert "Đã nhận – Trần Văn Minh" in out


def test_status_filters_by_plan_and_agency(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = world.cli(capsys, "status", "--json", "--agency", "phong-noi-vu")
    assert code == 0 and json.loads(out)["items"] == []
    code, out, _ = world.cli(capsys, "status", "--json", "--agency", "vp-hdnd-ubnd")
    assert {i["task"] for i in json.loads(out)["items"]} == {"II.1", "II.2"}
    code, out, err = world.cli(capsys, "status", "--json", "--plan", "no-such-plan")
    assert code == 1 and "Không rõ kế hoạch 'no-such-plan'" in err and "/KH-UBND" in err
    for ref in ("1", "/KH-UBND"):  # a plan by its id or its number, not only its key
        code, out, _ = world.cli(capsys, "status", "--json", "--plan", ref)
        assert code == 0 and {i["task"] for i in json.loads(out)["items"]} == {"II.1", "II.2"}


def test_status_warns_loudly_about_empty_groups_used_by_plans(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(world.runtime.engine) as session:
        group = session.exec(
            select(AgencyGroup).where(AgencyGroup.code == "lien-quan-ba-to-thai-hoa")
        ).one()
        for member in session.exec(select(GroupMember).where(GroupMember.group_id == group.id)):
            session.delete(member)
        session.commit()
    code, out, err = world.cli(capsys, "status")
    assert code == 0
    assert "CẢNH BÁO" in out and "lien-quan-ba-to-thai-hoa" in out and "CẢNH BÁO" in err
    code, out, _ = world.cli(capsys, "status", "--json")
    assert any("lien-quan-ba-to-thai-hoa" in w for w in json.loads(out)["warnings"])


def test_done_closes_the_task_and_a_second_done_says_so(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = world.cli(capsys, "done", "II.1", "--at", "2024-04-30T10:00")
    assert code == 2 and "tương lai" in err  # the clock is still at 15/4
    world.clock.set(datetime(2024, 5, 6, 9, 0, tzinfo=VN_TZ))
    code, out, _ = world.cli(
        capsys, "done", "II.1", "--note", "Đã tham quan", "--at", "2024-04-30T10:00"
    )
    assert code == 0 and "đúng hạn" in out
    with Session(world.runtime.engine) as session:
        d = session.get(Deadline, deadline_of(world.runtime.engine).id)
        assert d is not None and d.status == "done" and d.completion_note == "Đã tham quan"
        assert d.completed_at == datetime(2024, 4, 30, 10, 0, tzinfo=VN_TZ)
    before = rows(world.runtime.engine)
    code, out, _ = world.cli(capsys, "done", "II.1")
    assert code == 0 and "không ghi nhận thêm" in out
    assert rows(world.runtime.engine) == before


def test_done_on_recurring_task_closes_the_earliest_open_period(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(world.runtime.engine) as session:
        periods = session.exec(
            select(Deadline).where(
                Deadline.task_id == deadline_of(world.runtime.engine, "II.2").task_id
            )
        ).all()
    earliest = min(periods, key=lambda d: d.effective_date)
    code, out, _ = world.cli(capsys, "done", "II.2", "--at", "2024-04-15T08:00")
    assert code == 0
    if len(periods) > 1:
        assert "kỳ sớm nhất" in out
    with Session(world.runtime.engine) as session:
        done = session.exec(select(Deadline).where(Deadline.status == "done")).all()
        assert [d.id for d in done] == [earliest.id]


def test_unknown_task_and_bad_at_are_clear_errors(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = world.cli(capsys, "done", "IX.9")
    assert code == 1 and "Không có nhiệm vụ 'IX.9'" in err
    code, _, err = world.cli(capsys, "done", "II.1", "--at", "hôm qua")
    assert code == 2 and "--at" in err


def test_escalate_queues_the_next_level_with_the_note(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = world.cli(capsys, "escalate", "II.1", "--note", "Đề nghị chỉ đạo gấp")
    assert code == 0 and "cấp 2" in out
    with Session(world.runtime.engine) as session:
        queued = session.exec(select(Notification).where(Notification.step == "manual-1")).all()
        assert queued and all(n.context["note"] == "Đề nghị chỉ đạo gấp" for n in queued)
    code, _, err = world.cli(capsys, "escalate", "II.1")
    assert code == 2  # --note is required


def test_ack_records_received_for_the_recipient_and_log_lists_it(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    deadline = deadline_of(world.runtime.engine)
    assert deadline.id is not None
    nid = add_notification(world.runtime.engine, deadline.id, "vp.theo-doi")
    code, out, _ = world.cli(capsys, "ack", str(nid))
    assert code == 0 and "Hồ Văn Tâm" in out
    with Session(world.runtime.engine) as session:
        ack = session.exec(select(Acknowledgement)).one()
        assert (ack.action, ack.via, ack.notification_id) == ("received", "cli", nid)
    code, out, _ = world.cli(capsys, "log", "--json", "--task", "II.1")
    entries = json.loads(out)
    answer = next(e for e in entries if e["event"] == "answer")
    assert answer["person"] == "Hồ Văn Tâm" and answer["channel"] == "cli"
    assert answer["action"] == "received" and answer["message_id"] == nid
    assert "Văn phòng HĐND và UBND" in answer["agency"]
    # the sample plan has no number: named by the id --plan takes, not by its content hash
    assert {e["task"] for e in entries} == {"II.1 (kế hoạch 1, chưa có số)"}
    code, out, _ = world.cli(capsys, "log", "--since", "2030-01-01", "--json")
    assert json.loads(out) == []
    code, out, _ = world.cli(capsys, "log")
    assert code == 0 and "Hồ Văn Tâm" in out
    assert world.cli(capsys, "ack", "999999")[0] == 1
