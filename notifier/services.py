"""The use cases behind every answer: received, done, blocked, escalate now.

The Telegram bot, the email-link web app and the CLI all call these functions,
so an answer means the same thing whichever way it arrives. Each call is one
transaction: it checks who may act (:func:`authorize`), appends an
:class:`Acknowledgement` and an :class:`Event` (both append-only), changes the
deadline if needed and queues the resulting messages in the outbox (inserted
idempotently on the outbox key, due at once). Messages are rendered later by the
dispatcher, so they show the acknowledgements current at sending time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from notifier.clock import as_utc
from notifier.domain.policy import Policy
from notifier.domain.status import Bucket, bucket
from notifier.domain.steps import Role, StepKind, TaskRoles
from notifier.engine.outbox import (
    cancel_pending,
    choose_channel,
    configured_channels,
    insert_rows,
    new_row,
)
from notifier.errors import NotFound, Refused
from notifier.runtime import Runtime
from notifier.store.db import session_scope
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import (
    Acknowledgement,
    Agency,
    Deadline,
    DeadlineStatus,
    Event,
    GroupMember,
    Notification,
    NotificationStatus,
    Person,
    Plan,
    PlanRole,
    Task,
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


def acknowledge(
    runtime: Runtime,
    *,
    notification_id: int,
    person_id: int | None,
    via: str,
    now: datetime | None = None,
) -> Outcome:
    """ "Đã nhận": append the acknowledgement; cancel the pending no-answer follow-up."""
    now = as_utc(now or runtime.clock.now())
    with session_scope(runtime.engine) as session:
        if person_id is not None:
            notification = authorize(session, notification_id, person_id)
        else:
            notification = _notification(session, notification_id)
        assert notification.deadline_id is not None
        deadline = _deadline(session, notification.deadline_id)
        occ = _occurrence(session, notification.deadline_id, runtime.policy)
        person = session.get(Person, person_id) if person_id is not None else None
        if deadline.status == DeadlineStatus.DONE:
            return Outcome(AckKind.RECEIVED, notification.deadline_id, False, _done_msg(occ))
        earlier = session.exec(
            select(Acknowledgement).where(
                Acknowledgement.notification_id == notification_id,
                Acknowledgement.person_id == person_id,
                Acknowledgement.action == AckKind.RECEIVED,
            )
        ).first()
        if earlier is not None:
            msg = f"Đã ghi nhận trước đó: đồng chí đã nhận thông báo về {_label(occ)}."
            return Outcome(AckKind.RECEIVED, deadline.id or 0, False, msg, ack_id=earlier.id)
        msg = f"Đã ghi nhận: {_who(person)} đã nhận thông báo về {_label(occ)}."
        ack = _record(
            session, deadline=deadline, action=AckKind.RECEIVED, via=via, now=now,
            person=person, notification_id=notification_id, message=msg,
        )  # fmt: skip
        base = notification.step.removesuffix("+followup")
        session.execute(
            update(Notification)
            .where(
                col(Notification.occurrence) == notification.occurrence,
                col(Notification.step) == f"{base}+followup",
                col(Notification.status) == NotificationStatus.PENDING,
            )
            .values(status=NotificationStatus.CANCELLED)
        )
        return Outcome(AckKind.RECEIVED, deadline.id or 0, True, msg, ack_id=ack.id)


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


def _done_msg(occ: Occurrence) -> str:
    when = f" lúc {vn_datetime(occ.done_at)}" if occ.done_at else ""
    return f"{_label(occ).capitalize()} đã được báo cáo hoàn thành{when}; không ghi nhận thêm."


# ---------------------------------------------------------------- done


def _resolve_target(
    session: Session,
    deadline_id: int | None,
    notification_id: int | None,
    person_id: int | None,
) -> tuple[int, Person | None]:
    """The deadline acted on and the acting person, after the authorization check."""
    if notification_id is not None:
        notification = (
            authorize(session, notification_id, person_id)
            if person_id is not None
            else _notification(session, notification_id)
        )
        assert notification.deadline_id is not None
        if deadline_id is not None and deadline_id != notification.deadline_id:
            raise Refused("Thông báo và nhiệm vụ không khớp nhau.")
        deadline_id = notification.deadline_id
    if deadline_id is None:
        raise ValueError("cần deadline_id hoặc notification_id")
    if person_id is None:
        return deadline_id, None
    if notification_id is None:
        return deadline_id, authorize_deadline(session, deadline_id, person_id)
    return deadline_id, _active_person(session, person_id)


def complete(
    runtime: Runtime,
    *,
    deadline_id: int | None = None,
    notification_id: int | None = None,
    person_id: int | None,
    via: str,
    note: str = "",
    at: datetime | None = None,
    now: datetime | None = None,
) -> Outcome:
    """ "Đã hoàn thành": close the deadline, stop its messages, confirm and tell the monitor.

    1. authorize; a deadline already done is a no-op with a clear message;
    2. status done, completed_at/by/note, next_action_at NULL, pending rows cancelled;
    3. acknowledgement + event; confirmation to the sender, copy to the monitor people.
    """
    now = as_utc(now or runtime.clock.now())
    done_at = as_utc(at) if at is not None else now
    if done_at > now + timedelta(minutes=5):
        raise ValueError("Thời điểm hoàn thành không thể ở tương lai.")
    with session_scope(runtime.engine) as session:
        target, person = _resolve_target(session, deadline_id, notification_id, person_id)
        deadline = _deadline(session, target)
        occ = _occurrence(session, target, runtime.policy)
        if deadline.status == DeadlineStatus.DONE:
            return Outcome(AckKind.DONE, target, False, _done_msg(occ))
        result = bucket(deadline.effective_date, done_at, now)
        deadline.status = DeadlineStatus.DONE
        deadline.completed_at = done_at
        deadline.completed_by = person.key if person else via
        deadline.completion_note = note
        deadline.next_action_at = None
        session.add(deadline)
        cancel_pending(session, target, "task done")
        msg = (
            f"Đã ghi nhận: {_who(person)} báo cáo hoàn thành {_label(occ)} lúc "
            f"{vn_datetime(done_at)} ({result.label.lower()})."
        )
        ack = _record(
            session, deadline=deadline, action=AckKind.DONE, via=via, now=now, person=person,
            notification_id=notification_id, note=note, message=msg,
        )  # fmt: skip
        queued = _confirm(session, runtime, occ, ack, person, now, note, monitor=True)
        return Outcome(AckKind.DONE, target, True, msg, ack.id, queued, result)


def _confirm(
    session: Session,
    runtime: Runtime,
    occ: Occurrence,
    ack: Acknowledgement,
    person: Person | None,
    now: datetime,
    note: str,
    *,
    monitor: bool,
) -> int:
    """Confirmation to the sender and (for done) a copy to the monitor's people."""
    rows: list[_Row] = []
    kind = "confirmation"
    if person is not None:
        role = _role_of(_agency_code(session, person), occ.roles, Role.LEAD)
        rows.append(_Row(person, kind, role))
    if monitor:
        positions = [str(r) for r in occ.policy.addressed_roles]
        rows += [
            _Row(p, kind, Role.MONITOR, copy=True)
            for p in _people(session, occ.roles.monitor, positions)
        ]
    context = {"note": note, "reporter": _who(person), "ack_id": ack.id}
    return _queue(
        session, runtime, occurrence=f"confirm:{ack.id}", step="confirmation",
        deadline_id=occ.deadline_id, rows=rows, now=now, context=context,
    )  # fmt: skip


# ---------------------------------------------------------------- blocked


def _plan_route(session: Session, plan_id: int) -> tuple[list[str], list[str]]:
    """Agency codes of the plan's obstacle route (to, cc); groups expand to members."""
    codes = {a.id: a.code for a in session.exec(select(Agency)) if a.active}
    to: list[str] = []
    cc: list[str] = []
    for prole in session.exec(select(PlanRole).where(PlanRole.plan_id == plan_id)):
        if prole.role not in ("obstacle_to", "obstacle_cc"):
            continue
        target = to if prole.role == "obstacle_to" else cc
        if prole.agency_id is not None and prole.agency_id in codes:
            target.append(codes[prole.agency_id])
        elif prole.group_id is not None:
            members = session.exec(
                select(GroupMember).where(GroupMember.group_id == prole.group_id)
            ).all()
            target += [codes[m.agency_id] for m in members if m.agency_id in codes]
    return to, cc


def report_obstacle(
    runtime: Runtime,
    *,
    notification_id: int | None = None,
    deadline_id: int | None = None,
    person_id: int | None,
    via: str,
    reason: str,
    now: datetime | None = None,
) -> Outcome:
    """ "Báo vướng mắc": record the reason and send it at once along the obstacle route.

    The route is the plan's (III.4 of the sample: to UBND huyện, copy to Phòng TC-KH);
    a plan without one sends to the monitor. The sender gets a confirmation.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise ReasonRequired("Vui lòng nêu rõ nội dung khó khăn, vướng mắc.")
    now = as_utc(now or runtime.clock.now())
    with session_scope(runtime.engine) as session:
        target, person = _resolve_target(session, deadline_id, notification_id, person_id)
        deadline = _deadline(session, target)
        occ = _occurrence(session, target, runtime.policy)
        if deadline.status == DeadlineStatus.DONE:
            return Outcome(AckKind.BLOCKED, target, False, _done_msg(occ))
        to, cc = _plan_route(session, occ.plan_id)
        if not to:
            to = list(occ.roles.monitor)
        msg = f"Đã ghi nhận vướng mắc về {_label(occ)} và chuyển ngay đến cơ quan có thẩm quyền."
        ack = _record(
            session, deadline=deadline, action=AckKind.BLOCKED, via=via, now=now,
            person=person, notification_id=notification_id, note=reason, message=msg,
        )  # fmt: skip
        positions = [str(r) for r in occ.policy.addressed_roles]
        rows = [
            _Row(p, "obstacle", _role_of(code, occ.roles, Role.DIRECTING))
            for code in to
            for p in _people(session, [code], positions)
        ]
        rows += [
            _Row(p, "obstacle", _role_of(code, occ.roles, Role.COMPILER), copy=True)
            for code in cc
            if code not in to
            for p in _people(session, [code], positions)
        ]
        reporter = _who(person)
        if person is not None:
            reporter = f"{person.name} – {_agency_name(session, person)}"
        context = {"note": reason, "reporter": reporter, "ack_id": ack.id}
        queued = _queue(
            session, runtime, occurrence=f"obstacle:{ack.id}", step="obstacle",
            deadline_id=target, rows=rows, now=now, context=context,
        )  # fmt: skip
        queued += _confirm(session, runtime, occ, ack, person, now, reason, monitor=False)
        return Outcome(AckKind.BLOCKED, target, True, msg, ack.id, queued)


def _agency_name(session: Session, person: Person) -> str:
    agency = session.get(Agency, person.agency_id)
    return agency.name if agency is not None else ""


# ---------------------------------------------------------------- escalate now


def _escalation_levels(occ: Occurrence, runtime: Runtime) -> dict[int, Any]:
    """Policy escalation levels kept for this occurrence: level -> targets."""
    levels: dict[int, Any] = {}
    for step in occ.steps(runtime.calendar):
        if step.kind == StepKind.ESCALATION and step.level not in levels:
            levels[step.level] = step.targets
    return levels


def current_level(session: Session, deadline_id: int) -> int:
    """Highest escalation level already queued or sent for the deadline (0 if none)."""
    levels = session.exec(
        select(Notification.level).where(
            Notification.deadline_id == deadline_id,
            Notification.kind == "escalation",
            col(Notification.status).in_(["pending", "claimed", "sent"]),
        )
    ).all()
    return max(levels, default=0)


def escalate_now(
    runtime: Runtime,
    *,
    deadline_id: int,
    note: str,
    by: str = "",
    person_id: int | None = None,
    via: str = Via.CLI,
    now: datetime | None = None,
) -> Outcome:
    """The office pushes an open item to the next escalation level at once, with a note."""
    note = " ".join(note.split())
    if not note:
        raise ReasonRequired("Vui lòng ghi ý kiến kèm theo khi chuyển cấp (--note).")
    now = as_utc(now or runtime.clock.now())
    with session_scope(runtime.engine) as session:
        person = authorize_deadline(session, deadline_id, person_id) if person_id else None
        deadline = _deadline(session, deadline_id)
        occ = _occurrence(session, deadline_id, runtime.policy)
        if deadline.status == DeadlineStatus.DONE:
            return Outcome(AckKind.ESCALATED, deadline_id, False, _done_msg(occ))
        levels = _escalation_levels(occ, runtime)
        if not levels:
            raise Refused("Chính sách không có cấp nào để chuyển đôn đốc nhiệm vụ này.")
        reached = current_level(session, deadline_id)
        level = min((lv for lv in levels if lv > reached), default=max(levels))
        earlier = session.exec(
            select(Notification.step).where(
                Notification.occurrence == occ.key, col(Notification.step).like("manual-%")
            )
        ).all()
        step = f"manual-{len(set(earlier)) + 1}"
        msg = f"Đã chuyển {_label(occ)} lên cấp {level} với ý kiến: {note}"
        ack = _record(
            session, deadline=deadline, action=AckKind.ESCALATED, via=via, now=now,
            person=person, note=note, message=msg,
        )  # fmt: skip
        rows = [
            _Row(p, "escalation", t.role, copy=t.copy, level=level)
            for t in levels[level]
            for p in _people(session, [t.agency], t.addressed_roles)
        ]
        context = {"note": note, "reporter": _who(person, by), "ack_id": ack.id, "manual": True}
        queued = _queue(
            session, runtime, occurrence=occ.key, step=step, deadline_id=deadline_id,
            rows=rows, now=now, context=context,
        )  # fmt: skip
        return Outcome(AckKind.ESCALATED, deadline_id, True, msg, ack.id, queued)


# ---------------------------------------------------------------- task references


def find_task(
    session: Session, ref: str, plan_key: str | None = None, *, open_only: bool = True
) -> TaskMatch:
    """The deadline a CLI task reference means: the earliest open occurrence of the task
    (with ``open_only=False`` and none open: the latest done one, so callers can say so).

    Ambiguous across plans -> NotFound asking for --plan; unknown -> NotFound.
    """
    query = select(Task, Plan).where(Task.plan_id == Plan.id, Task.ref == ref.strip())
    query = query.where(Task.active == True)  # noqa: E712
    if plan_key is not None:
        query = query.where(Plan.key == plan_key)
    matches = session.exec(query).all()
    if not matches:
        where = f" trong kế hoạch '{plan_key}'" if plan_key else ""
        raise NotFound(f"Không có nhiệm vụ '{ref}'{where}. Xem `notifier status`.")
    if len(matches) > 1:
        plans = ", ".join(sorted(p.key for _, p in matches))
        raise NotFound(f"Nhiệm vụ '{ref}' có trong nhiều kế hoạch ({plans}): hãy chỉ rõ --plan.")
    task, plan = matches[0]
    rows = _deadlines(session, task.id, DeadlineStatus.OPEN)
    if not rows and not open_only:
        # Nothing open: the latest done occurrence, so the service can say it is done.
        rows = _deadlines(session, task.id, DeadlineStatus.DONE)[::-1]
    if not rows:
        raise NotFound(f"Nhiệm vụ {ref} của kế hoạch '{plan.key}' không còn hạn nào đang mở.")
    first = rows[0]
    note = ""
    if len(rows) > 1 and first.status == DeadlineStatus.OPEN:
        what = first.period or first.effective_date.strftime("%d/%m/%Y")
        note = f"Nhiệm vụ {ref} có {len(rows)} kỳ đang mở; chọn kỳ sớm nhất: {what}."
    assert first.id is not None
    return TaskMatch(first.id, plan.key, task.ref, note)


def _deadlines(session: Session, task_id: int | None, status: str) -> list[Deadline]:
    return list(
        session.exec(
            select(Deadline)
            .where(Deadline.task_id == task_id, Deadline.status == status)
            .order_by(col(Deadline.effective_date), col(Deadline.id))
        ).all()
    )


__all__ = [
    "AckKind",
    "Outcome",
    "ReasonRequired",
    "TaskMatch",
    "Via",
    "acknowledge",
    "authorize",
    "authorize_deadline",
    "complete",
    "current_level",
    "escalate_now",
    "find_task",
    "report_obstacle",
]
