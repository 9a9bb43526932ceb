"""The next time something is due for a deadline row (``next_action_at``).

The sweep asks "what is due now" with one indexed query on
``(status, next_action_at)``; this module keeps that column right. A row whose
steps are all processed, or that is closed, gets ``NULL`` and leaves the index
range the sweep reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import Policy
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import Deadline, Plan


def next_action_time(
    occurrence: Occurrence, calendar: WorkingCalendar, processed_until: datetime | None
) -> datetime | None:
    """Earliest pending step after ``processed_until`` (the first if None); None if none."""
    for step in occurrence.pending_steps(calendar):
        if processed_until is None or step.at > processed_until:
            return step.at
    return None


def schedule_plan(
    session: Session, plan: Plan, calendar: WorkingCalendar, policy: Policy
) -> list[Occurrence]:
    """Recompute next_action_at for every deadline of ``plan`` (after an import);
    returns the plan's occurrences as scheduled."""
    occurrences = load_occurrences(session, policy, plan_key=plan.key)
    rows = {
        d.id: d
        for d in session.exec(
            select(Deadline).where(col(Deadline.id).in_([o.deadline_id for o in occurrences]))
        )
    }
    for occurrence in occurrences:
        row = rows[occurrence.deadline_id]
        row.next_action_at = next_action_time(occurrence, calendar, row.processed_until)
    return occurrences
