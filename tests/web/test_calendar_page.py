"""The calendar page over HTTP: everyone reads it, only admins change it; a local day off
moves the stored deadlines it touches (the same apply as ``notifier calendar``) and the
page names each task with its old and new date; bad input changes nothing."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import date, datetime

from sqlmodel import Session, col, select

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VN_TZ
from notifier.store.models import CalendarDay, Deadline, Event, Task
from notifier.vocab import EventKind
from tests.web.conftest import World, csrf_of


def ii1(world: World) -> Deadline:
    with Session(world.runtime.engine) as session:
        task = session.exec(select(Task).where(Task.ref == "II.1", Task.plan_id == 1)).one()
        return session.exec(select(Deadline).where(Deadline.task_id == task.id)).one()


def state(world: World) -> tuple[object, ...]:
    with Session(world.runtime.engine) as session:
        days = [(d.day, d.working, d.reason) for d in session.exec(select(CalendarDay))]
        deadlines = [
            (d.id, d.effective_date, d.next_action_at) for d in session.exec(select(Deadline))
        ]
        events = session.exec(
            select(Event).where(col(Event.kind).in_([EventKind.CALENDAR_APPLY]))
        ).all()
    return days, deadlines, len(events)


async def add(client, fields: dict[str, str]):  # type: ignore[no-untyped-def]
    data = {"csrf": await csrf_of(client, "/calendar"), **fields}
    return await client.post("/calendar/add", data=data, allow_redirects=False)


async def test_everyone_reads_only_admins_edit(world: World) -> None:
    viewer = await world.signed_in("lanhdao")
    async with viewer.get("/calendar?year=2024") as response:
        html = await response.text()
        assert response.status == 200
    assert "Lịch làm việc năm 2024" in html and "Giỗ Tổ Hùng Vương" in html
    assert "gói holidays" in html and "/calendar/add" not in html
    assert 'href="/calendar"' in html  # in the board's navigation
    before = state(world)
    for login in ("lanhdao", "vanphong", "vp"):
        client = await world.signed_in(login)
        response = await add(client, {"day": "02/5/2024", "kind": "off", "reason": "Nghỉ"})
        assert response.status == 403, login
        response = await client.post(
            "/calendar/remove",
            data={"csrf": await csrf_of(client, "/calendar"), "day": "2024-05-02"},
            allow_redirects=False,
        )
        assert response.status == 403
    assert state(world) == before


async def test_bad_input_says_why_and_writes_nothing(world: World) -> None:
    client = await world.signed_in("quantri")
    before = state(world)
    cases = [
        ({"day": "31/02/2024", "kind": "off", "reason": "x"}, "không hợp lệ"),
        ({"day": "hôm nay", "kind": "off", "reason": "x"}, "ngày/tháng/năm"),
        ({"day": "02/5/2024", "kind": "off", "reason": "  "}, "Chưa ghi lý do"),
        ({"day": "02/5/2024", "kind": "le", "reason": "x"}, "Chọn loại ngày"),
        ({"day": "30/4/2024", "kind": "off", "reason": "x"}, "đã là ngày nghỉ"),
        ({"day": "02/5/2024", "kind": "working", "reason": "x"}, "đã là ngày làm việc"),
        ({"day": "02/5/1890", "kind": "off", "reason": "x"}, "ngoài khoảng"),
    ]
    for fields, message in cases:
        response = await add(client, fields)
        text = await response.text()
        assert response.status == 422 and message in text, (fields, text)
        assert "Không có thay đổi nào được ghi nhận" in text
    response = await client.post(
        "/calendar/remove",
        data={"csrf": await csrf_of(client, "/calendar"), "day": "2026-01-02"},
        allow_redirects=False,
    )
    assert response.status == 422 and "config/calendar.yaml" in await response.text()
    assert state(world) == before


async def test_a_local_day_off_moves_the_deadline_and_says_so(world: World) -> None:
    client = await world.signed_in("quantri")
    assert ii1(world).effective_date == date(2024, 5, 2)
    reason = "Nghỉ theo Thông báo số 12/TB-UBND của UBND tỉnh (kiểm thử)"
    response = await add(client, {"day": "02/5/2024", "kind": "off", "reason": reason})
    html = await response.text()
    assert response.status == 200, html
    assert "Đã thêm ngày nghỉ 02/5/2024" in html and "1 thời hạn đổi ngày" in html
    assert re.search(r'class="ref">II\.1</td>.*?02/5/2024.*?03/5/2024', html, re.S)
    assert reason in html and "thêm trên trang Lịch làm việc" in html
    assert ii1(world).effective_date == date(2024, 5, 3)
    assert not world.runtime.calendar.is_working_day(date(2024, 5, 2))  # the service sees it
    # the CLI reads the same calendar
    out = io.StringIO()
    settings = world.runtime.settings
    with contextlib.redirect_stdout(out):
        code = run_cli(
            ["--config", str(settings.config_dir), "--db", settings.database_url,
             "calendar", "show", "--year", "2024"], state=AppState(clock=world.clock),
        )  # fmt: skip
    assert code == 0 and "02/5/2024" in out.getvalue() and "trang Lịch làm việc" in out.getvalue()
    # removing it moves the deadline back
    response = await client.post(
        "/calendar/remove",
        data={"csrf": await csrf_of(client, "/calendar"), "day": "2024-05-02"},
        allow_redirects=False,
    )
    html = await response.text()
    assert response.status == 200 and "Đã bỏ ngày 02/5/2024" in html
    assert re.search(r'class="ref">II\.1</td>.*?03/5/2024.*?02/5/2024', html, re.S)
    assert ii1(world).effective_date == date(2024, 5, 2)


async def test_banner_while_next_year_is_not_confirmed(world: World) -> None:
    client = await world.signed_in("lanhdao")
    world.clock.set(datetime(2026, 9, 30, 9, 0, tzinfo=VN_TZ))
    client = await world.signed_in("lanhdao")
    async with client.get("/calendar") as response:
        assert "chưa được xác nhận" not in await response.text()
    world.clock.set(datetime(2026, 10, 5, 9, 0, tzinfo=VN_TZ))
    client = await world.signed_in("lanhdao")
    async with client.get("/calendar") as response:
        html = await response.text()
    assert "Lịch nghỉ Tết Nguyên Đán năm 2027" in html and "chưa được xác nhận" in html
