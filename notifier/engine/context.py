"""What a message says, read from the database at dispatch time.

:func:`build_context` turns one outbox row into a :class:`MessageContext` just before
it is rendered, so "who has already acknowledged", "who was reminded and has not
answered" and the digest figures are those of the moment of sending (the dispatcher's
``now``), not of the moment the row was queued. The row's stored context is read
through its typed dataclass (:mod:`notifier.store.contexts`); what is known about the
deadline comes from the read model. Answer links and buttons are the dispatcher's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlmodel import Session, select

from notifier.clock import VN_TZ, as_utc
from notifier.domain.reporting import data_period_of_label
from notifier.domain.status import bucket
from notifier.domain.steps import apply_send_window
from notifier.engine.catchup import catch_up_lines
from notifier.engine.digest import local_today, plan_summary, working_days_left
from notifier.render import MessageContext
from notifier.reports import build_report
from notifier.reports.periods import period_of_label
from notifier.runtime import Runtime
from notifier.store.contexts import (
    AnswerContext,
    CatchUpContext,
    DigestContext,
    EscalationContext,
    NoteContext,
    RowContext,
    StepContext,
    load_context,
)
from notifier.store.facts import Occurrence, TaskFacts, occurrence_of
from notifier.store.models import Agency, Deadline, Notification, Person, Plan
from notifier.store.readmodel import (
    answers_of,
    escalations_received,
    level_title,
    unanswered_of,
)
from notifier.textfmt import vn_plan_date
from notifier.vocab import (
    CHASING_KINDS,
    DigestMode,
    LateReason,
    MessageKind,
    OccurrenceKind,
)

# Kinds that wait for the send window; one that went out on a later day than planned
# (or was planned outside office hours) says that it waited.
_WINDOWED = CHASING_KINDS | {MessageKind.DIGEST, MessageKind.COMPILED_REPORT, MessageKind.CATCH_UP}


@dataclass
class ContextFacts:
    """What the messages of one dispatch batch share and need not read again each: the
    tasks' facts (plan, roles, lead, policy) and the agencies' names. The answers, the
    deadline and the row are read for each message, at its moment of sending."""

    tasks: dict[int, TaskFacts] = field(default_factory=dict)
    names: dict[str, str] | None = None
    names_by_id: dict[int, str] = field(default_factory=dict)

    def agency_names(self, session: Session) -> dict[str, str]:
        """Agency names by code."""
        if self.names is None:
            agencies = session.exec(select(Agency)).all()
            self.names = {a.code: a.name for a in agencies}
            self.names_by_id = {a.id: a.name for a in agencies if a.id is not None}
        return self.names

    def agency_name(self, session: Session, agency_id: int) -> str:
        self.agency_names(session)
        return self.names_by_id.get(agency_id, "")


def build_context(
    session: Session,
    notification: Notification,
    runtime: Runtime,
    now: dt.datetime,
    facts: ContextFacts | None = None,
) -> MessageContext:
    """The render context of ``notification`` as of ``now``; ``facts``: shared by a batch."""
    facts = facts or ContextFacts()
    person = session.get(Person, notification.person_id)
    agency_name = facts.agency_name(session, person.agency_id) if person else ""
    data = load_context(notification.kind, notification.context)
    office = runtime.settings.file.office
    ctx = MessageContext(
        kind=notification.kind,
        recipient_name=person.name if person else "",
        recipient_position=person.position if person else "",
        recipient_agency=agency_name,
        role=notification.role,
        copy=notification.copy_only,
        level=notification.level,
        late_news=notification.late or (isinstance(data, StepContext) and data.late_news),
        note=_note(data),
        topic=data.topic if isinstance(data, NoteContext) else "",
        reporter=data.reporter if isinstance(data, AnswerContext | EscalationContext) else "",
        period=data.period if isinstance(data, StepContext) else "",
        now=now,
        office=office.name,
        contact=office.contact_line(),
    )
    ctx = _late(ctx, data, notification, runtime, now)
    if isinstance(data, DigestContext):
        weekly = runtime.policy.digest.mode == DigestMode.WEEKLY
        return _with_summary(session, runtime, replace(ctx, weekly=weekly), data.plan_keys, now)
    if isinstance(data, CatchUpContext):
        items = catch_up_lines(session, runtime, data, notification.person_id, now)
        return replace(ctx, items=items)
    if notification.kind == MessageKind.COMPILED_REPORT and isinstance(data, StepContext):
        return _compiled(session, runtime, ctx, data, now)
    if notification.deadline_id is not None and notification.kind not in _NO_TASK_KINDS:
        return _with_deadline(session, runtime, ctx, notification, now, facts)
    return ctx


# Kinds that never describe their deadline's task, even when they carry its id.
_NO_TASK_KINDS = (MessageKind.ADMIN_ALERT, MessageKind.TEST)


def _note(data: RowContext) -> str:
    if isinstance(data, AnswerContext | EscalationContext | NoteContext):
        return data.note
    return ""


def _late(
    ctx: MessageContext,
    data: RowContext,
    row: Notification,
    runtime: Runtime,
    now: dt.datetime,
) -> MessageContext:
    """Why the message is late: as the sweep found it (late import, downtime), or because
    it waited for the send window (sent on a later day than planned, or planned outside
    office hours)."""
    if isinstance(data, StepContext | CatchUpContext) and data.late_reason is not None:
        return replace(ctx, late_reason=data.late_reason, late_since=data.late_since)
    if row.kind not in _WINDOWED or row.due_at is None:
        return ctx
    due = as_utc(row.due_at)
    planned_outside = as_utc(apply_send_window(due, runtime.policy, runtime.calendar)) > due
    later_day = as_utc(now).astimezone(VN_TZ).date() > due.astimezone(VN_TZ).date()
    if planned_outside or later_day:
        return replace(ctx, late_reason=LateReason.SEND_WINDOW, late_since=due)
    return ctx


def _with_deadline(
    session: Session,
    runtime: Runtime,
    ctx: MessageContext,
    row: Notification,
    now: dt.datetime,
    facts: ContextFacts,
) -> MessageContext:
    """Plan, task, lead agencies, effective (and planned) deadline, days left, answers,
    and for an escalation who it reports to, how often and who has not answered."""
    deadline_id = row.deadline_id
    assert deadline_id is not None
    deadline = session.get(Deadline, deadline_id)  # the dispatcher's, already in the session
    if deadline is None:
        return ctx
    occ = occurrence_of(session, runtime.policy, deadline, facts.tasks)
    if occ is None:  # cancelled deadline: still say which task, from the row itself
        left = working_days_left(runtime.calendar, local_today(now), deadline.effective_date)
        return replace(ctx, deadline=deadline.effective_date, working_days=left)
    names = facts.agency_names(session)
    # what the message says of the deadline: its row, its answers, and for an escalation
    # who has not answered (the read model's pieces, not all of deadline_states)
    done_at = deadline.completed_at
    answers = answers_of(session, [deadline_id])
    span = _data_span(deadline, occ)
    ctx = replace(
        ctx,
        plan_number=occ.plan_number,
        plan_date=vn_plan_date(occ.plan_date),
        plan_title=occ.plan_title,
        task_ref=occ.task_ref,
        task_title=occ.task_title,
        lead_agencies=", ".join(names.get(c, c) for c in occ.roles.lead) or occ.lead_written,
        period=(ctx.period or occ.period) if occ.kind == OccurrenceKind.REPORT else "",
        deadline=occ.effective,
        working_days=working_days_left(runtime.calendar, local_today(now), occ.effective),
        acks=tuple(answers.get(deadline_id, ())),
        nominal=occ.nominal,
        nominal_off=runtime.calendar.day_off_reason(occ.nominal) or "",
        data_from=span[0] if span else None,
        data_to=span[1] if span else None,
        done_label=bucket(occ.judged_by, done_at, now).label.lower() if done_at else "",
    )
    if row.kind == MessageKind.ESCALATION:
        unanswered = unanswered_of(session, [deadline_id], answers).get(deadline_id, ())
        return _escalation(session, runtime, ctx, row, occ, tuple(unanswered))
    return ctx


def _data_span(deadline: Deadline | None, occ: Occurrence) -> tuple[dt.date, dt.date] | None:
    """A reporting period's data cut-off: stored on the row, else read from its name
    (rows imported before the column existed)."""
    if occ.kind != OccurrenceKind.REPORT:
        return None
    if deadline is not None and deadline.data_from and deadline.data_to:
        return deadline.data_from, deadline.data_to
    return data_period_of_label(occ.period)


def _escalation(
    session: Session,
    runtime: Runtime,
    ctx: MessageContext,
    row: Notification,
    occ: Occurrence,
    unanswered: tuple,  # type: ignore[type-arg]
) -> MessageContext:
    targets = occ.escalation_targets(runtime.calendar).get(row.level, ())
    title = level_title(session, [t.agency for t in targets if not t.copy])
    assert row.deadline_id is not None
    nth = escalations_received(session, row.deadline_id, row.person_id, excluding=row.id) + 1
    return replace(ctx, level_title=title, nth=nth, unanswered=unanswered)


def _with_summary(
    session: Session,
    runtime: Runtime,
    ctx: MessageContext,
    plan_keys: tuple[str, ...],
    now: dt.datetime,
) -> MessageContext:
    summary = plan_summary(session, runtime, list(plan_keys), now)
    return replace(
        ctx,
        counts=summary.counts,
        overdue=summary.overdue,
        due_soon=summary.due_soon,
        open_items=summary.open_items,
        counted_reports=summary.reports,
    )


def _compiled(
    session: Session, runtime: Runtime, ctx: MessageContext, data: StepContext, now: dt.datetime
) -> MessageContext:
    """The compiled report: the plan's header, period, reporting deadline, and the report
    model (:func:`notifier.reports.build_report`) the Word and Excel reports are made of."""
    plan = session.get(Plan, data.plan_id) if data.plan_id else None
    if plan is None and data.plan_key:
        plan = session.exec(select(Plan).where(Plan.key == data.plan_key)).first()
    if plan is None:
        return ctx
    deadline = data.deadline
    period = period_of_label(data.period) if data.period else None
    report = build_report(
        session, plan_key=plan.key, at=now, calendar=runtime.calendar, policy=runtime.policy,
        period=period,
    )  # fmt: skip
    return replace(
        ctx,
        plan_number=plan.number,
        plan_date=vn_plan_date(plan.plan_date),
        plan_title=plan.title,
        deadline=deadline,
        working_days=(
            working_days_left(runtime.calendar, local_today(now), deadline) if deadline else 0
        ),
        report=report,
    )
