"""The office's actions on the task page over HTTP: who may, CSRF, what gets recorded.

Done, escalate now, received (told by phone) and extend go through the services with
the account's login; an account that may not act gets a 403 and nothing changes.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VN_TZ
from notifier.domain.status import Bucket, bucket
from notifier.store.facts import load_occurrences
from notifier.store.models import Acknowledgement, Deadline, Notification
from notifier.vocab import AckAction, DeadlineStatus, DeliveryStatus, MessageKind
from tests.interact.test_services import rows
from tests.web.conftest import World, csrf_of

SAMPLE_II1 = 1  # deadline of II.1 of the sample plan (led by Văn phòng)


def second_plan_deadline(world: World) -> int:
    with Session(world.runtime.engine) as session:
        occs = load_occurrences(session, world.runtime.policy)
    return next(o.deadline_id for o in occs if "phong-gddt" in o.roles.lead)


async def post(client, path: str, data: dict[str, str], csrf: bool = True):  # type: ignore[no-untyped-def]
    if csrf:
        data = {"csrf": await csrf_of(client, "/"), **data}
    return await client.post(path, data=data, allow_redirects=False)


def cli_json(world: World, capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    settings = world.runtime.settings
    url = world.runtime.engine.url.render_as_string(hide_password=False)
    capsys.readouterr()
    code = run_cli(
        ["--config", str(settings.config_dir), "--db", url, *argv],
        state=AppState(clock=world.clock),
    )
    assert code == 0
    return json.loads(capsys.readouterr().out)


def deadline(world: World, deadline_id: int) -> Deadline:
    with Session(world.runtime.engine) as session:
        row = session.get(Deadline, deadline_id)
        assert row is not None
        return row


async def test_office_marks_done_from_the_task_page_and_the_log_names_the_account(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    client = await world.signed_in("vanphong")
    response = await post(
        client, f"/task/{SAMPLE_II1}/done", {"note": "Đã tổ chức tham quan", "day": "2024-04-22"}
    )
    assert response.status == 303
    assert response.headers["Location"].startswith(f"/task/{SAMPLE_II1}?ok=done")
    row = deadline(world, SAMPLE_II1)
    assert row.status == DeadlineStatus.DONE and row.completion_note == "Đã tổ chức tham quan"
    async with client.get(response.headers["Location"]) as page:
        html = await page.text()
    assert "Đã ghi nhận hoàn thành nhiệm vụ" in html
    assert "Tài khoản vanphong" in html  # the timeline names the account
    assert 'action="/task/1/done"' not in html  # no forms once done
    entries = cli_json(world, capsys, "log", "--json", "--task", "II.1")
    assert isinstance(entries, list)
    answers = [e for e in entries if e["event"] == "answer"]
    assert [(e["action"], e["account"], e["channel"]) for e in answers] == [
        ("done", "vanphong", "board")
    ]
    assert all("account" not in e for e in entries if e["event"] == "delivery")


async def test_agency_account_on_another_agencys_task_is_refused_and_nothing_changes(
    world: World,
) -> None:
    engine = world.runtime.engine
    before = rows(engine)
    gddt = await world.signed_in("gddt")  # leads only the second plan's task
    vhtt = await world.signed_in("vhtt")  # coordinates II.1: sees it, does not lead it
    for client in (gddt, vhtt):
        for action, data in (
            ("done", {"note": "x"}),
            ("escalate", {"note": "x"}),
            ("extend", {"new_date": "2024-05-20", "reason": "x"}),
        ):
            response = await post(client, f"/task/{SAMPLE_II1}/{action}", data)
            assert response.status == 403, (action, await response.text())
            assert "Không có quyền" in await response.text()
    own = second_plan_deadline(world)
    for action in ("escalate", "extend"):  # the office's actions, even on its own task
        data = {"note": "x", "new_date": "2024-07-30", "reason": "x"}
        assert (await post(gddt, f"/task/{own}/{action}", data)).status == 403
    viewer = await world.signed_in("lanhdao")
    assert (await post(viewer, f"/task/{SAMPLE_II1}/done", {"note": "x"})).status == 403
    assert rows(engine) == before
    ok = await post(gddt, f"/task/{own}/done", {"note": "Đã xong"})  # its own task: allowed
    assert ok.status == 303 and deadline(world, own).status == DeadlineStatus.DONE


async def test_post_without_csrf_is_refused_and_changes_nothing(world: World) -> None:
    engine = world.runtime.engine
    before = rows(engine)
    client = await world.signed_in("vanphong")
    for action, data in (
        ("done", {"note": "x"}),
        ("escalate", {"note": "x"}),
        ("extend", {"new_date": "2024-05-20", "reason": "x"}),
    ):
        response = await post(client, f"/task/{SAMPLE_II1}/{action}", data, csrf=False)
        assert response.status == 403
        forged = await post(client, f"/task/{SAMPLE_II1}/{action}", {**data, "csrf": "sai"}, False)
        assert forged.status == 403
    assert rows(engine) == before


async def test_extend_moves_the_deadline_keeps_the_original_and_replans(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    client = await world.signed_in("vanphong")
    response = await post(
        client, f"/task/{SAMPLE_II1}/extend",
        {"new_date": "15/5/2024", "reason": "Chờ bố trí xe đưa đón"},
    )  # fmt: skip
    assert response.status == 303
    row = deadline(world, SAMPLE_II1)
    assert (row.effective_date, row.original_date) == (date(2024, 5, 15), date(2024, 5, 2))
    assert row.original_nominal == date(2024, 4, 30)  # the plan's own date, kept
    assert row.next_action_at is not None  # the sweep plans its steps again
    with Session(world.runtime.engine) as session:
        waiting = session.exec(
            select(Notification).where(
                Notification.deadline_id == SAMPLE_II1,
                col(Notification.status).in_([DeliveryStatus.PENDING, DeliveryStatus.CLAIMED]),
            )
        ).all()
        ack = session.exec(
            select(Acknowledgement).where(Acknowledgement.action == AckAction.EXTENDED)
        ).one()
    assert waiting == [] and ack.note == "Chờ bố trí xe đưa đón" and ack.account == "vanphong"
    status = cli_json(world, capsys, "status", "--json", "--plan", "1")
    assert isinstance(status, dict)
    item = next(i for i in status["items"] if i["deadline_id"] == SAMPLE_II1)
    assert item["deadline"] == "2024-05-15" and item["original_deadline"] == "2024-05-02"
    others = [i for i in status["items"] if i["deadline_id"] != SAMPLE_II1]
    assert all("original_deadline" not in i for i in others)
    async with client.get(f"/task/{SAMPLE_II1}") as page:
        html = await page.text()
    assert "Thứ Tư, 15/5/2024" in html and "hạn ban đầu 02/5/2024" in html
    assert '<td data-label="Kế hoạch ghi">30/4/2024</td>' in html
    # done after the original date but by the extended one: on time (extensions count)
    world.clock.set(datetime(2024, 5, 10, 9, 0, tzinfo=VN_TZ))
    client = await world.signed_in("vanphong")  # the earlier session is idle too long
    done = await post(client, f"/task/{SAMPLE_II1}/done", {"note": "Xong"})
    assert done.status == 303 and "?ok=done" in done.headers["Location"]
    status = cli_json(world, capsys, "status", "--json", "--plan", "1")
    assert isinstance(status, dict)
    item = next(i for i in status["items"] if i["deadline_id"] == SAMPLE_II1)
    assert item["bucket"] == "done_on_time" and item["original_deadline"] == "2024-05-02"
    with Session(world.runtime.engine) as session:
        occ = load_occurrences(session, world.runtime.policy, deadline_ids=[SAMPLE_II1])[0]
    strict = dataclasses.replace(occ, policy=occ.policy.merged({"extensions_count": False}))
    assert occ.judged_by == date(2024, 5, 15) and strict.judged_by == date(2024, 5, 2)
    assert bucket(strict.judged_by, occ.done_at, world.clock.now()) == Bucket.DONE_LATE
    out = tmp_path / "bao-cao.csv"
    settings = world.runtime.settings
    url = world.runtime.engine.url.render_as_string(hide_password=False)
    argv = ["--config", str(settings.config_dir), "--db", url, "report", "--plan", "1"]
    code = run_cli([*argv, "--format", "csv", "-o", str(out)], state=AppState(clock=world.clock))
    assert code == 0
    rows_ = list(csv.reader(out.read_text("utf-8-sig").splitlines(keepends=True)))
    row_ = next(r for r in rows_ if any(c.startswith("Tham quan") for c in r))
    assert any("Đã gia hạn (hạn ban đầu 02/5/2024)." in cell for cell in row_)
    assert "Đã hoàn thành đúng hạn" in row_


async def test_extend_refuses_bad_input_and_changes_nothing(world: World) -> None:
    engine = world.runtime.engine
    before = rows(engine)
    client = await world.signed_in("vanphong")
    for data, sentence in (
        ({"new_date": "2024-04-30", "reason": "x"}, "Hạn mới phải sau hạn hiện tại"),
        ({"new_date": "2024-05-20", "reason": "  "}, "Vui lòng nêu lý do gia hạn"),
        ({"new_date": "20/15/2024", "reason": "x"}, "không hợp lệ"),
        ({"new_date": "mai", "reason": "x"}, "ví dụ 15/5/2024"),
        ({"reason": "x"}, "Vui lòng nhập ngày"),
    ):
        response = await post(client, f"/task/{SAMPLE_II1}/extend", data)
        assert response.status == 400, data
        assert sentence in await response.text()
    empty = await post(client, f"/task/{SAMPLE_II1}/escalate", {"note": " "})
    assert empty.status == 400
    future = await post(client, f"/task/{SAMPLE_II1}/done", {"day": "2024-04-30"})
    assert future.status == 400 and "không thể sau ngày hôm nay" in await future.text()
    assert rows(engine) == before


async def test_received_told_by_phone_for_a_message_of_its_own_people(world: World) -> None:
    with Session(world.runtime.engine) as session:
        reminders = session.exec(
            select(Notification).where(
                Notification.deadline_id == SAMPLE_II1,
                Notification.kind == MessageKind.REMINDER,
                Notification.status == DeliveryStatus.SENT,
                Notification.copy_only == False,  # noqa: E712
            )
        ).all()
    assert reminders
    message = reminders[0].id
    vhtt = await world.signed_in("vhtt")  # not its people's message
    assert (
        await post(vhtt, f"/task/{SAMPLE_II1}/received", {"message": str(message)})
    ).status == 403
    vp = await world.signed_in("vp")
    html = await (await vp.get(f"/task/{SAMPLE_II1}")).text()
    assert f'<option value="{message}">' in html
    response = await post(vp, f"/task/{SAMPLE_II1}/received", {"message": str(message)})
    assert response.status == 303
    with Session(world.runtime.engine) as session:
        ack = session.exec(
            select(Acknowledgement).where(Acknowledgement.notification_id == message)
        ).one()
    assert (ack.action, ack.account, ack.person_id) == (
        AckAction.RECEIVED, "vp", reminders[0].person_id,
    )  # fmt: skip
