"""What a message says, read from the database at dispatch time.

:func:`build_context` turns one outbox row into a :class:`MessageContext` just before
it is rendered, so "who has already acknowledged" and the digest figures are those
of the moment of sending (the dispatcher's ``now``), not of the moment the row was
queued. The row's stored context is read through its typed dataclass
(:mod:`notifier.store.contexts`). Answer links and buttons are the dispatcher's business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlmodel import Session, select

from notifier.engine.digest import local_today, plan_summary, working_days_left
from notifier.render import MessageContext
from notifier.runtime import Runtime
from notifier.store.contexts import (
    AnswerContext,
    DigestContext,
    EscalationContext,
    NoteContext,
    RowContext,
    StepContext,
    load_context,
)
from notifier.store.facts import load_occurrences
from notifier.store.models import Agency, Deadline, Notification, Person, Plan
from notifier.store.readmodel import answers_of
from notifier.textfmt import vn_plan_date
from notifier.vocab import MessageKind, OccurrenceKind


def build_context(
    session: Session, notification: Notification, runtime: Runtime, now: dt.datetime
) -> MessageContext:
    """The render context of ``notification`` as of ``now``."""
    person = session.get(Person, notification.person_id)
    agency = session.get(Agency, person.agency_id) if person else None
    data = load_context(notification.kind, notification.context)
    ctx = MessageContext(
        kind=notification.kind,
        recipient_name=person.name if person else "",
        recipient_position=person.position if person else "",
        recipient_agency=agency.name if agency else "",
        role=notification.role,
        copy=notification.copy_only,
        level=notification.level,
        late_news=notification.late or (isinstance(data, StepContext) and data.late_news),
        note=_note(data),
        reporter=data.reporter if isinstance(data, AnswerContext | EscalationContext) else "",
        period=data.period if isinstance(data, StepContext) else "",
        now=now,
    )
    if isinstance(data, DigestContext):
        return _with_summary(session, runtime, ctx, list(data.plan_keys), now)
    if notification.kind == MessageKind.COMPILED_REPORT and isinstance(data, StepContext):
        return _compiled(session, runtime, ctx, data, now)
    if notification.deadline_id is not None and notification.kind not in _NO_TASK_KINDS:
        return _with_deadline(session, runtime, ctx, notification.deadline_id, now)
    return ctx


# Kinds that never describe their deadline's task, even when they carry its id.
_NO_TASK_KINDS = (MessageKind.ADMIN_ALERT, MessageKind.TEST)


def _note(data: RowContext) -> str:
    if isinstance(data, AnswerContext | EscalationContext | NoteContext):
        return data.note
    return ""


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
        acks=tuple(answers_of(session, [deadline_id]).get(deadline_id, ())),
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
    session: Session, runtime: Runtime, ctx: MessageContext, data: StepContext, now: dt.datetime
) -> MessageContext:
    """The compiled report: the plan's header, period, reporting deadline and summary."""
    plan = session.get(Plan, data.plan_id) if data.plan_id else None
    if plan is None and data.plan_key:
        plan = session.exec(select(Plan).where(Plan.key == data.plan_key)).first()
    if plan is None:
        return ctx
    deadline = data.deadline
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
