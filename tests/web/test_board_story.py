"""The sample plan's story on the virtual clock, driven from the board over HTTP.

II.1 (effective deadline 2/5/2024): reminded on 22/4; the office records "received"
told by phone, extends the deadline to 15/5 (nothing overdue goes out on 3/5), the
overdue notice follows the new date, the office escalates from the task page, then
marks it done after the extended date: done late, with the original date kept.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlmodel import Session, col, select

from notifier.clock import VN_TZ
from notifier.store.models import Acknowledgement, Deadline, Notification
from notifier.vocab import AckAction, DeliveryStatus, MessageKind
from tests.web.conftest import World, csrf_of, send_due

II1 = 1
COUNTS = re.compile(r'<span class="n">(\d+)</span>\s*<span class="l">([^<]+)</span>')


def at(day: int, month: int, hour: int = 9) -> datetime:
    return datetime(2024, month, day, hour, 0, tzinfo=VN_TZ)


async def act(world: World, action: str, data: dict[str, str]) -> None:
    """Sign in as the office (the clock moved past the idle limit) and post a task form."""
    client = await world.signed_in("vanphong")
    token = await csrf_of(client, f"/task/{II1}")
    response = await client.post(
        f"/task/{II1}/{action}", data={"csrf": token, **data}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    assert f"?ok={AckAction(ACTIONS[action]).value}" in response.headers["Location"]


ACTIONS = {"received": "received", "extend": "extended", "escalate": "escalated", "done": "done"}


def messages(world: World, kind: MessageKind) -> list[Notification]:
    with Session(world.runtime.engine) as session:
        return list(
            session.exec(
                select(Notification)
                .where(Notification.deadline_id == II1, Notification.kind == kind)
                .order_by(col(Notification.id))
            ).all()
        )


async def test_story_of_ii1_driven_from_the_board(world: World) -> None:
    reminders = [m for m in messages(world, MessageKind.REMINDER) if not m.copy_only]
    assert reminders and all(m.status == DeliveryStatus.SENT for m in reminders)
    world.clock.set(at(23, 4))
    await act(world, "received", {"message": str(reminders[0].id)})
    world.clock.set(at(25, 4, 10))
    await send_due(world, at(25, 4, 10))
    await act(world, "extend", {"new_date": "15/5/2024", "reason": "Chờ lịch làm việc của đoàn"})

    await send_due(world, at(3, 5, 8))  # the day after the old deadline: no overdue notice
    await send_due(world, at(6, 5, 8))
    assert messages(world, MessageKind.OVERDUE) == []
    await send_due(world, at(15, 5, 8))  # due today under the new date
    due = [m for m in messages(world, MessageKind.DUE_TODAY) if "2024-05-15" in m.occurrence]
    assert due and all(m.status == DeliveryStatus.SENT for m in due)
    await send_due(world, at(16, 5, 8))
    overdue = messages(world, MessageKind.OVERDUE)
    assert overdue and all("2024-05-15" in m.occurrence for m in overdue)
    assert all(m.status == DeliveryStatus.SENT for m in overdue)

    world.clock.set(at(17, 5))
    before = len(messages(world, MessageKind.ESCALATION))
    await act(world, "escalate", {"note": "Đề nghị Chủ tịch chỉ đạo"})
    await send_due(world, at(17, 5, 9))
    escalations = messages(world, MessageKind.ESCALATION)
    assert len(escalations) > before
    assert all(m.status == DeliveryStatus.SENT for m in escalations[before:])

    world.clock.set(at(20, 5))
    await act(world, "done", {"note": "Đã tổ chức đoàn tham quan"})
    client = await world.signed_in("vanphong")
    async with client.get("/?bucket=done_late") as response:
        board = await response.text()
    counts = {label: int(n) for n, label in COUNTS.findall(board)}
    assert counts["Đã hoàn thành quá hạn"] == 1
    assert 'id="d1"' in board  # listed under "done late"
    with Session(world.runtime.engine) as session:
        row = session.get(Deadline, II1)
        answers = session.exec(
            select(Acknowledgement).where(Acknowledgement.deadline_id == II1)
        ).all()
    assert row is not None
    assert (row.effective_date, row.original_date) == (date(2024, 5, 15), date(2024, 5, 2))
    assert [(a.action, a.account) for a in answers] == [
        (AckAction.RECEIVED, "vanphong"), (AckAction.EXTENDED, "vanphong"),
        (AckAction.ESCALATED, "vanphong"), (AckAction.DONE, "vanphong"),
    ]  # fmt: skip
    after = len(messages(world, MessageKind.OVERDUE)) + len(messages(world, MessageKind.ESCALATION))
    await send_due(world, at(29, 5, 8))  # done: nothing more chases it
    assert after == len(messages(world, MessageKind.OVERDUE)) + len(
        messages(world, MessageKind.ESCALATION)
    )
