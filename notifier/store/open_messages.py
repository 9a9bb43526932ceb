"""The messages a chat may still answer with a word ("xong"), newest per deadline.

A chat without buttons (Zalo) answers by text; a bare "xong" applies to the person's
only open message, so the bot needs that list: messages sent on this chat platform to
the chat's people that ask for an answer, whose deadline is still open, one per
deadline (the latest, the one the person most likely read).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from notifier.store.models import Deadline, Notification, Task
from notifier.vocab import (
    ANSWER_KINDS,
    AckAction,
    DeadlineStatus,
    DeliveryStatus,
    OccurrenceKind,
    offered_answers,
)


@dataclass(frozen=True)
class OpenMessage:
    notification_id: int  # the reference the message shows ("#42")
    deadline_id: int
    task_ref: str
    task_title: str
    period: str  # a reporting period's name ("6 tháng đầu năm 2024"); "" for a task deadline
    deadline: date
    offered: tuple[AckAction, ...]


def open_messages(session: Session, person_ids: Collection[int], channel: str) -> list[OpenMessage]:
    """Open messages of these people on ``channel``, soonest deadline first."""
    if not person_ids:
        return []
    query = (
        select(Notification, Deadline, Task)
        .join(Deadline, col(Deadline.id) == col(Notification.deadline_id))
        .join(Task, col(Task.id) == col(Deadline.task_id))
        .where(
            col(Notification.person_id).in_(list(person_ids)),
            Notification.channel == channel,
            Notification.status == DeliveryStatus.SENT,
            col(Notification.kind).in_(list(ANSWER_KINDS)),
            Notification.copy_only == False,  # noqa: E712
            Deadline.status == DeadlineStatus.OPEN,
        )
        .order_by(col(Notification.id).desc())
    )
    latest: dict[int, OpenMessage] = {}
    for row, deadline, task in session.exec(query).all():
        assert row.id is not None and deadline.id is not None
        offered = offered_answers(row.kind, row.role, row.copy_only)
        if deadline.id in latest or not offered:
            continue
        latest[deadline.id] = OpenMessage(
            row.id, deadline.id, task.ref, task.title,
            deadline.period if deadline.kind == OccurrenceKind.REPORT else "",
            deadline.effective_date, offered,
        )  # fmt: skip
    return sorted(latest.values(), key=lambda m: (m.deadline, m.notification_id))
