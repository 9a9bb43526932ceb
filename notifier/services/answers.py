"""Received, done, blocked: the answers recipients give."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from notifier.clock import as_utc
from notifier.domain.status import bucket
from notifier.domain.steps import Role
from notifier.engine.outbox import (
    cancel_pending,
)
from notifier.errors import Refused
from notifier.runtime import Runtime
from notifier.services.common import (
    AckKind,
    Outcome,
    ReasonRequired,
    _active_person,
    _agency_code,
    _agency_name,
    _deadline,
    _done_msg,
    _label,
    _notification,
    _occurrence,
    _people,
    _queue,
    _record,
    _role_of,
    _Row,
    _who,
    authorize,
    authorize_deadline,
)
from notifier.store.db import session_scope
from notifier.store.facts import Occurrence
from notifier.store.models import (
    Acknowledgement,
    Agency,
    DeadlineStatus,
    GroupMember,
    Notification,
    NotificationStatus,
    Person,
    PlanRole,
)
from notifier.store.schedule import next_action_time
from notifier.textfmt import vn_datetime


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
    2. status done, completed_at/by/note, pending rows cancelled; next_action_at NULL
       (or the compiled report's time for a reporting period);
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
        done = replace(occ, status=DeadlineStatus.DONE, done_at=done_at)
        deadline.next_action_at = next_action_time(done, runtime.calendar, deadline.processed_until)
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
