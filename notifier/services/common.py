"""Shared by the use cases: who may act, recording an answer, queueing messages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from notifier.domain.policy import Policy
from notifier.domain.status import Bucket
from notifier.domain.steps import Role, TaskRoles
from notifier.engine.outbox import (
    choose_channel,
    configured_channels,
    insert_rows,
    new_row,
)
from notifier.errors import NotFound, Refused
from notifier.runtime import Runtime
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import (
    Acknowledgement,
    Agency,
    Deadline,
    DeadlineStatus,
    Event,
    Notification,
    Person,
)
from notifier.textfmt import vn_datetime


class Via(StrEnum):
    TELEGRAM = "telegram"
    EMAIL = "email"
    WEB = "web"
    CLI = "cli"


class AckKind(StrEnum):
    RECEIVED = "received"
    DONE = "done"
    BLOCKED = "blocked"
    ESCALATED = "escalated"


class ReasonRequired(Refused, ValueError):
    """A blocked report or a manual escalation without a reason/note."""


@dataclass(frozen=True)
class Outcome:
    """What an answer did; ``message`` is the Vietnamese sentence to show the person."""

    action: AckKind
    deadline_id: int
    changed: bool
    message: str
    ack_id: int | None = None
    queued: int = 0  # outbox rows created
    bucket: Bucket | None = None


@dataclass(frozen=True)
class TaskMatch:
    deadline_id: int
    plan_key: str
    task_ref: str
    note: str  # e.g. which occurrence of a recurring task was chosen


# ---------------------------------------------------------------- authorization


def _occurrence(session: Session, deadline_id: int, policy: Policy | None = None) -> Occurrence:
    found = load_occurrences(session, policy or Policy(), deadline_ids=[deadline_id])
    if not found:
        raise Refused("Nhiệm vụ này không còn được theo dõi (đã hủy hoặc không còn hiệu lực).")
    return found[0]


def _agency_code(session: Session, person: Person) -> str:
    agency = session.get(Agency, person.agency_id)
    return agency.code if agency is not None else ""


def _active_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None or not person.active:
        raise Refused("Người dùng không có trong danh bạ hoặc đã ngừng nhận thông báo.")
    return person


def authorize_deadline(session: Session, deadline_id: int, person_id: int) -> Person:
    """The person, if they belong to the lead or the monitor agency of the deadline."""
    person = _active_person(session, person_id)
    roles = _occurrence(session, deadline_id).roles
    if _agency_code(session, person) not in (*roles.lead, *roles.monitor):
        raise Refused(
            "Đồng chí không thuộc cơ quan chủ trì hoặc cơ quan theo dõi, đôn đốc nhiệm vụ này."
        )
    return person


def authorize(session: Session, notification_id: int, person_id: int) -> Notification:
    """The message, if ``person_id`` may answer it; Refused (nothing changed) otherwise.

    Allowed: the message's own recipient, and people of the lead or monitor agency
    of the message's deadline. A message without a deadline (digest) takes no answer.
    """
    notification = session.get(Notification, notification_id)
    if notification is None:
        raise Refused("Không tìm thấy thông báo này.")
    if notification.deadline_id is None:
        raise Refused("Thông báo này không gắn với một nhiệm vụ cụ thể nên không cần phản hồi.")
    if notification.person_id == person_id:
        _active_person(session, person_id)
        _occurrence(session, notification.deadline_id)
        return notification
    authorize_deadline(session, notification.deadline_id, person_id)
    return notification


# ---------------------------------------------------------------- outbox helpers


def _people(session: Session, codes: Iterable[str], positions: Sequence[str]) -> list[Person]:
    """Active people of the agencies holding one of ``positions``, each once."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return []
    agencies = session.exec(select(Agency).where(col(Agency.code).in_(wanted))).all()
    ids = [a.id for a in agencies if a.active]
    query = select(Person).where(col(Person.agency_id).in_(ids), Person.active == True)  # noqa: E712
    return [p for p in session.exec(query.order_by(col(Person.id))) if p.role in positions]


@dataclass(frozen=True)
class _Row:
    person: Person
    kind: str
    role: str
    copy: bool = False
    level: int = 0


def _queue(
    session: Session,
    runtime: Runtime,
    *,
    occurrence: str,
    step: str,
    deadline_id: int,
    rows: Sequence[_Row],
    now: datetime,
    context: dict[str, Any],
) -> int:
    """Insert outbox rows due now, each person once (ON CONFLICT DO NOTHING on the key)."""
    configured = configured_channels(runtime.settings)
    seen: set[int] = set()
    values = []
    for row in rows:
        if row.person.id is None or row.person.id in seen:
            continue
        seen.add(row.person.id)
        values.append(
            new_row(
                occurrence=occurrence, step=step, person=row.person,
                channel=choose_channel(row.person, configured), kind=row.kind, due_at=now,
                now=now, deadline_id=deadline_id, level=row.level, role=str(row.role),
                copy_only=row.copy, context=context,
            )
        )  # fmt: skip
    return len(insert_rows(session, values))


def _role_of(agency: str, roles: TaskRoles, default: Role) -> Role:
    for role in (Role.LEAD, Role.MONITOR, Role.DIRECTING, Role.COMPILER, Role.COORDINATING):
        if agency in roles.agencies(role):
            return role
    return default


def _record(
    session: Session,
    *,
    deadline: Deadline,
    action: AckKind,
    via: str,
    now: datetime,
    person: Person | None,
    notification_id: int | None = None,
    note: str = "",
    message: str,
) -> Acknowledgement:
    """Append the acknowledgement and its event; returns the flushed acknowledgement."""
    assert deadline.id is not None
    ack = Acknowledgement(
        deadline_id=deadline.id,
        notification_id=notification_id,
        person_id=person.id if person else None,
        action=action,
        via=via,
        note=note,
        at=now,
    )
    session.add(ack)
    session.flush()
    session.add(
        Event(
            at=now,
            kind=f"answer.{action}",
            message=message,
            deadline_id=deadline.id,
            person_id=ack.person_id,
            data={"ack_id": ack.id, "via": via, "notification_id": notification_id, "note": note},
        )
    )
    return ack


def _who(person: Person | None, by: str = "") -> str:
    return person.name if person is not None else (by or "Quản trị viên")


def _label(occ: Occurrence) -> str:
    period = f" ({occ.period})" if occ.period else ""
    return f"nhiệm vụ {occ.task_ref}{period}"


# ---------------------------------------------------------------- received


def _notification(session: Session, notification_id: int) -> Notification:
    notification = session.get(Notification, notification_id)
    if notification is None:
        raise NotFound(f"Không có thông báo số {notification_id}.")
    if notification.deadline_id is None:
        raise Refused("Thông báo này không gắn với một nhiệm vụ cụ thể nên không cần phản hồi.")
    return notification


def _deadline(session: Session, deadline_id: int) -> Deadline:
    deadline = session.get(Deadline, deadline_id)
    if deadline is None:
        raise NotFound(f"Không có hạn nhiệm vụ số {deadline_id}.")
    if deadline.status == DeadlineStatus.CANCELLED:
        raise Refused("Hạn nhiệm vụ này đã bị hủy.")
    return deadline


def _agency_name(session: Session, person: Person) -> str:
    agency = session.get(Agency, person.agency_id)
    return agency.name if agency is not None else ""


# ---------------------------------------------------------------- escalate now


def _done_msg(occ: Occurrence) -> str:
    when = f" lúc {vn_datetime(occ.done_at)}" if occ.done_at else ""
    return f"{_label(occ).capitalize()} đã được báo cáo hoàn thành{when}; không ghi nhận thêm."


# ---------------------------------------------------------------- done
