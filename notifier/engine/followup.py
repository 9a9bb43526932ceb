"""The "no answer" follow-up (issue 6 §2): an unanswered reminder is sent once more.

A reminder, due-today notice or report request addressed to the lead agency gets
``followup_at`` when the sweep creates it. Each sweep reads the rows whose
``followup_at`` has come (an indexed range, like the deadline sweep) and decides:

1. not sent yet (pending, claimed): look again later; failed, cancelled, skipped: never;
2. sent, but less than N working days ago: move ``followup_at`` to that instant;
3. the deadline is closed or moved, somebody of the recipient's agency answered
   after it was sent, or a newer message of the same occurrence already reached
   the person: no follow-up;
4. otherwise one row of kind ``followup`` to the same person on their next usable
   channel (the same one if they have only one), key ``(occurrence, step+followup)``.

``followup_at`` is cleared once decided, and the insert is idempotent, so running
the sweep twice (or two sweeps at once) sends one follow-up at most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import exists
from sqlmodel import Session, col, select

from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import Policy
from notifier.domain.steps import after_working_days
from notifier.store.addresses import next_channel
from notifier.store.contexts import FollowupContext, StepContext, load_context
from notifier.store.facts import occurrence_key
from notifier.store.models import Acknowledgement, Deadline, Notification, Person
from notifier.store.outbox import insert_rows, new_row
from notifier.vocab import (
    LIVE_STATUSES,
    WAITING_STATUSES,
    DeadlineStatus,
    DeliveryStatus,
    MessageKind,
)

FOLLOWUP_SUFFIX = "+followup"


def followup_step(step: str) -> str:
    """The step key of the follow-up of ``step`` (and of a follow-up: itself)."""
    return step.removesuffix(FOLLOWUP_SUFFIX) + FOLLOWUP_SUFFIX


def run_followups(
    session: Session,
    calendar: WorkingCalendar,
    policy: Policy,
    configured: Collection[str],
    now: dt.datetime,
    limit: int = 1000,
) -> int:
    """Create the follow-ups whose time has come; returns how many rows were created."""
    query = (
        select(Notification)
        .where(col(Notification.followup_at) <= now)
        .order_by(col(Notification.followup_at))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    created = 0
    for row in session.exec(query).all():
        if row.status in WAITING_STATUSES:
            continue
        if row.status != DeliveryStatus.SENT or row.sent_at is None:
            row.followup_at = None
            continue
        due = after_working_days(
            row.sent_at, policy.no_answer_followup_working_days, calendar, policy
        )
        if due > now:
            row.followup_at = due
            continue
        row.followup_at = None
        if _still_wanted(session, row):
            created += _create(session, row, configured, now)
    return created


def _still_wanted(session: Session, row: Notification) -> bool:
    """Deadline open and unmoved, nobody of the agency answered, nothing newer sent."""
    deadline = session.get(Deadline, row.deadline_id) if row.deadline_id else None
    if deadline is None or deadline.status != DeadlineStatus.OPEN:
        return False
    if deadline.id is None or row.occurrence != occurrence_key(
        deadline.id, deadline.effective_date
    ):
        return False
    person = session.get(Person, row.person_id)
    if person is None or not person.active:
        return False
    colleagues = select(Person.id).where(Person.agency_id == person.agency_id)
    answered = session.exec(
        select(Acknowledgement.id).where(
            Acknowledgement.deadline_id == deadline.id,
            col(Acknowledgement.at) >= row.sent_at,
            col(Acknowledgement.person_id).in_(colleagues),
        )
    ).first()
    if answered is not None:
        return False
    newer = session.exec(
        select(
            exists().where(
                col(Notification.occurrence) == row.occurrence,
                col(Notification.person_id) == row.person_id,
                col(Notification.due_at) > row.due_at,
                col(Notification.status).in_(LIVE_STATUSES),
                col(Notification.kind) != MessageKind.FOLLOWUP,
            )
        )
    ).one()
    return not newer


def _create(
    session: Session, row: Notification, configured: Collection[str], now: dt.datetime
) -> int:
    person = session.get(Person, row.person_id)
    assert person is not None
    original = load_context(row.kind, row.context)
    step = original if isinstance(original, StepContext) else StepContext()
    context = FollowupContext(
        **{f: getattr(step, f) for f in StepContext.__dataclass_fields__},
        followup_of=row.id,
        followup_of_kind=row.kind,
    )
    values = new_row(
        occurrence=row.occurrence,
        step=followup_step(row.step),
        person=person,
        channel=next_channel(person, configured, row.channel),
        kind=MessageKind.FOLLOWUP,
        due_at=now,
        now=now,
        deadline_id=row.deadline_id,
        level=row.level,
        role=row.role,
        context=context,
    )
    return len(insert_rows(session, [values]))
