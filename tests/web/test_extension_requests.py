""" "Xin gia hạn": asked through the answer link (date + reason), decided by the office on
the task page (approve moves the deadline, refuse keeps it), the requester told by a message."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, col, select

from notifier.store.models import Deadline, ExtensionRequest, Notification, Person
from notifier.vocab import AckAction, DeliveryStatus, ExtensionStatus, MessageKind
from tests.interact.test_services import rows
from tests.web.conftest import World, csrf_of, send_due

LINK = re.compile(r"/a/[A-Za-z0-9_\-\.]+")
II1 = 1


def extension_link(world: World, person_key: str = "vp.chanh") -> str:
    """The fourth link ("Xin gia hạn") of the first reminder of II.1 to ``person_key``."""
    with Session(world.runtime.engine) as session:
        person = session.exec(select(Person).where(Person.key == person_key)).one()
        reminders = session.exec(
            select(Notification)
            .where(Notification.person_id == person.id, Notification.deadline_id == II1)
            .where(Notification.kind == MessageKind.REMINDER)
            .order_by(col(Notification.id))
        ).all()
    links = [LINK.findall(r.body_text) for r in reminders if LINK.search(r.body_text)]
    assert len(links[0]) == 4
    return links[0][3]


async def ask(world: World, data: dict[str, str]):  # type: ignore[no-untyped-def]
    client = await world.client()
    path = extension_link(world)
    async with client.get(path) as page:
        html = await page.text()
    assert page.status == 200 and 'name="proposed"' in html and 'name="reason"' in html
    return await client.post(path, data=data)


def requests(world: World) -> list[ExtensionRequest]:
    with Session(world.runtime.engine) as session:
        return list(session.exec(select(ExtensionRequest).order_by(col(ExtensionRequest.id))))


async def decide(world: World, action: str, request_id: int, note: str) -> int:
    office = await world.signed_in("vanphong")
    token = await csrf_of(office, f"/task/{II1}")
    response = await office.post(
        f"/task/{II1}/{action}", data={"csrf": token, "request": str(request_id), "note": note},
        allow_redirects=False,
    )  # fmt: skip
    return response.status


async def test_bad_request_through_the_link_changes_nothing(world: World) -> None:
    before = rows(world.runtime.engine)
    for data, sentence in (
        ({"proposed": "31/02/2024", "reason": "x"}, "không hợp lệ"),
        ({"proposed": "20/5/2024", "reason": " "}, "lý do đề nghị gia hạn"),
    ):
        response = await ask(world, data)
        assert response.status == 400 and sentence in await response.text()
    too_early = await ask(world, {"proposed": "30/4/2024", "reason": "x"})
    assert too_early.status == 403 and "phải sau hạn hiện tại" in await too_early.text()
    assert rows(world.runtime.engine) == before and requests(world) == []


async def test_request_approved_moves_the_deadline_and_the_requester_is_told(
    world: World,
) -> None:
    response = await ask(world, {"proposed": "20/5/2024", "reason": "Chờ lịch của đoàn"})
    assert response.status == 200 and "Đã ghi nhận đề nghị gia hạn" in await response.text()
    [request] = requests(world)
    assert (request.proposed_date, request.reason, request.status) == (
        date(2024, 5, 20), "Chờ lịch của đoàn", ExtensionStatus.PENDING,
    )  # fmt: skip
    with Session(world.runtime.engine) as session:
        assert session.get(Deadline, II1).effective_date == date(2024, 5, 2)  # type: ignore[union-attr]
    office = await world.signed_in("vanphong")
    board = await (await office.get("/")).text()
    assert "Đề nghị gia hạn chờ xem xét (1)" in board and 'href="/task/1#de-nghi"' in board
    page = await (await office.get(f"/task/{II1}")).text()
    assert "đề nghị gia hạn đến ngày <strong>20/5/2024</strong>" in page
    vp = await world.signed_in("vp")  # an agency account does not decide
    token = await csrf_of(vp, f"/task/{II1}")
    refused = await vp.post(
        f"/task/{II1}/approve", data={"csrf": token, "request": str(request.id)},
        allow_redirects=False,
    )  # fmt: skip
    assert refused.status == 403 and requests(world)[0].status == ExtensionStatus.PENDING

    assert await decide(world, "approve", request.id or 0, "Đồng ý") == 303
    [request] = requests(world)
    assert (request.status, request.decided_by) == (ExtensionStatus.APPROVED, "vanphong")
    with Session(world.runtime.engine) as session:
        row = session.get(Deadline, II1)
        assert row is not None
        assert (row.effective_date, row.original_date) == (date(2024, 5, 20), date(2024, 5, 2))
    await send_due(world, world.clock.now())
    told = told_rows(world, request.id or 0)
    assert told and all(r.status == DeliveryStatus.SENT for r in told)
    assert "đã gia hạn" in told[0].body_text and "20/5/2024" in told[0].body_text
    assert "Đề nghị gia hạn chờ xem xét" not in await (await office.get("/")).text()
    assert await decide(world, "approve", request.id or 0, "") == 400  # decided already


def told_rows(world: World, request_id: int) -> list[Notification]:
    with Session(world.runtime.engine) as session:
        return list(
            session.exec(
                select(Notification).where(Notification.occurrence == f"extension:{request_id}")
            ).all()
        )


async def test_request_refused_keeps_the_deadline_and_says_why(world: World) -> None:
    await ask(world, {"proposed": "20/5/2024", "reason": "Chờ lịch của đoàn"})
    [request] = requests(world)
    assert await decide(world, "refuse", request.id or 0, " ") == 400  # a reason is required
    assert await decide(world, "refuse", request.id or 0, "Cần hoàn thành trước kỳ họp") == 303
    with Session(world.runtime.engine) as session:
        row = session.get(Deadline, II1)
        assert row is not None and (row.effective_date, row.original_date) == (
            date(2024, 5, 2), None,
        )  # fmt: skip
    assert requests(world)[0].status == ExtensionStatus.REFUSED
    await send_due(world, world.clock.now())
    [told] = told_rows(world, request.id or 0)
    assert told.status == DeliveryStatus.SENT
    assert AckAction.EXTENSION_REFUSED.past in told.body_text
    assert "Cần hoàn thành trước kỳ họp" in told.body_text
