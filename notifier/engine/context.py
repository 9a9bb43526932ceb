"""What a message says, read from the database at dispatch time.

:func:`build_context` turns one outbox row into a :class:`MessageContext` just before
it is rendered, so "who has already acknowledged" and the digest figures are those
of the moment of sending, not of the moment the row was queued. Answer links and
Telegram buttons are the dispatcher's business, not this module's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlmodel import Session, col, select

from notifier.domain.policy import Role
from notifier.domain.steps import OccurrenceKind
from notifier.engine.digest import local_today, plan_summary, working_days_left
from notifier.render import Ack, MessageContext
from notifier.runtime import Runtime
from notifier.store.facts import load_occurrences
from notifier.store.models import Acknowledgement, Agency, Deadline, Notification, Person, Plan
from notifier.textfmt import vn_plan_date

# The role a row is addressed in when the creator left it empty.
DEFAULT_ROLE = {
    "digest": Role.MONITOR,
    "compiled_report": Role.COMPILER,
    "obstacle": Role.DIRECTING,
    "admin_alert": Role.MONITOR,
}


def _role(notification: Notification) -> str:
    try:
        return Role(notification.role).value
    except ValueError:
        return DEFAULT_ROLE.get(notification.kind, Role.LEAD).value


def acks_of(session: Session, deadline_id: int) -> tuple[Ack, ...]:
    """Every acknowledgement of the deadline, oldest first, with person and agency names."""
    query = (
        select(Acknowledgement, Person, Agency)
        .join(Person, col(Acknowledgement.person_id) == Person.id, isouter=True)
        .join(Agency, col(Person.agency_id) == Agency.id, isouter=True)
        .where(Acknowledgement.deadline_id == deadline_id)
        .order_by(col(Acknowledgement.at), col(Acknowledgement.id))
    )
    return tuple(
        Ack(
            person=person.name if person else "",
            agency=agency.name if agency else "",
            action=ack.action,
            channel=ack.via,
            at=ack.at,
            note=ack.note,
        )
        for ack, person, agency in session.exec(query)
    )


def build_context(session: Session, notification: Notification, runtime: Runtime) -> MessageContext:
    """The render context of ``notification`` as of ``runtime.clock.now()``."""
    now = runtime.clock.now()
    person = session.get(Person, notification.person_id)
    agency = session.get(Agency, person.agency_id) if person else None
    data: dict[str, Any] = dict(notification.context or {})
    ctx = MessageContext(
        kind=notification.kind,
        recipient_name=person.name if person else "",
        recipient_position=person.position if person else "",
        recipient_agency=agency.name if agency else "",
        role=_role(notification),
        copy=notification.copy_only,
        level=notification.level,
        late_news=notification.late or bool(data.get("late_news")),
        note=str(data.get("note", "")),
        reporter=str(data.get("reporter", "")),
        period=str(data.get("period", "")),
        now=now,
    )
    if notification.kind == "digest":
        return _with_summary(session, runtime, ctx, list(data.get("plan_keys", [])), now)
    if notification.kind == "compiled_report":
        return _compiled(session, runtime, ctx, data, now)
    if notification.deadline_id is not None:
        return _with_deadline(session, runtime, ctx, notification.deadline_id, now)
    return ctx


def _with_deadline(
    session: Session, runtime: Runtime, ctx: MessageContext, deadline_id: int, now: dt.datetime
) -> MessageContext:
    """Plan, task, lead agencies, effective deadline, days left and acks of one deadline."""
    found = load_occurrences(session, runtime.policy, deadline_ids=[deadline_id])
    if not found:  # cancelled deadline: still say which task, from the row itself
        row = session.get(Deadline, deadline_id)
        if row is None:
            return ctx
        left = working_days_left(runtime.calendar, local_today(now), row.effective_date)
        return replace(ctx, deadline=row.effective_date, working_days=left)
    occ = found[0]
    names = {a.code: a.name for a in session.exec(select(Agency))}
    lead = ", ".join(names.get(c, c) for c in occ.roles.lead) or occ.lead_written
    return replace(
        ctx,
        plan_number=occ.plan_number,
        plan_date=vn_plan_date(occ.plan_date),
        plan_title=occ.plan_title,
        task_ref=occ.task_ref,
        task_title=occ.task_title,
        lead_agencies=lead,
        period=(ctx.period or occ.period) if occ.kind == OccurrenceKind.REPORT else "",
        deadline=occ.effective,
        working_days=working_days_left(runtime.calendar, local_today(now), occ.effective),
        acks=acks_of(session, deadline_id),
    )


def _with_summary(
    session: Session, runtime: Runtime, ctx: MessageContext, plan_keys: list[str], now: dt.datetime
) -> MessageContext:
    summary = plan_summary(session, runtime, plan_keys, now)
    return replace(
        ctx,
        counts=summary.counts,
        overdue=summary.overdue,
        due_soon=summary.due_soon,
        open_items=summary.open_items,
    )


def _compiled(
    session: Session, runtime: Runtime, ctx: MessageContext, data: dict[str, Any], now: dt.datetime
) -> MessageContext:
    """The compiled report: the plan's header, period, reporting deadline and summary."""
    plan = session.get(Plan, data.get("plan_id")) if data.get("plan_id") else None
    if plan is None and data.get("plan_key"):
        plan = session.exec(select(Plan).where(Plan.key == data["plan_key"])).first()
    if plan is None:
        return ctx
    deadline = dt.date.fromisoformat(data["deadline"]) if data.get("deadline") else None
    ctx = replace(
        ctx,
        plan_number=plan.number,
        plan_date=vn_plan_date(plan.plan_date),
        plan_title=plan.title,
        deadline=deadline,
        working_days=(
            working_days_left(runtime.calendar, local_today(now), deadline) if deadline else 0
        ),
    )
    return _with_summary(session, runtime, ctx, [plan.key], now)
