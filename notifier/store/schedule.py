"""The next time something is due for a deadline row (``next_action_at``).

The sweep asks "what is due now" with one indexed query on
``(status, next_action_at)``; this module keeps that column right. A row whose
steps are all processed, or that is closed, gets ``NULL`` and leaves the index
range the sweep reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from notifier.clock import as_utc
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import Policy
from notifier.domain.steps import PlannedStep
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import Deadline, Plan, Task
from notifier.vocab import DeadlineStatus, MessageKind, OccurrenceKind


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
    returns the plan's occurrences as scheduled.

    The facts are read in bulk, the steps planned through :class:`StepTimes` and only
    the rows whose time changes are written, by one executemany UPDATE."""
    session.flush()
    occurrences = load_occurrences(session, policy, plan_key=plan.key)
    if not occurrences:
        return occurrences
    current = dict(
        session.exec(
            select(col(Deadline.id), col(Deadline.next_action_at))
            .join(Task, col(Task.id) == col(Deadline.task_id))
            .where(Task.plan_id == plan.id)
        ).all()
    )
    processed = dict(
        session.exec(
            select(col(Deadline.id), col(Deadline.processed_until))
            .join(Task, col(Task.id) == col(Deadline.task_id))
            .where(Task.plan_id == plan.id, col(Deadline.processed_until).is_not(None))
        ).all()
    )
    times = StepTimes(calendar)
    changed: list[dict[str, Any]] = []
    for occ in occurrences:
        following = times.next_after(occ, processed.get(occ.deadline_id))
        if not _same_instant(following, current.get(occ.deadline_id)):
            changed.append({"b_id": occ.deadline_id, "b_at": following})
    if changed:
        table = cast(Any, Deadline).__table__
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(next_action_at=bindparam("b_at"))
        )
        session.connection().execute(statement, changed)
        for row in session.identity_map.values():  # loaded objects must not keep old times
            if isinstance(row, Deadline):
                session.expire(row, ["next_action_at"])
    return occurrences


class StepTimes:
    """:func:`next_action_time` for many occurrences, planning each distinct case once.

    Which steps an occurrence has depends on its roles (a step with nobody to address is
    dropped), but when each of them falls depends only on its kind, date and policy. So
    the step keys are planned once per (kind, roles, policy) and the times once per
    (kind, date, those keys, policy): exact, and a plan of 10,000 deadlines on a few
    hundred dates plans a few hundred times, not 10,000."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self._shapes: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._times: dict[tuple[Any, ...], list[PlannedStep]] = {}

    def pending(self, occ: Occurrence) -> list[PlannedStep]:
        """Steps with the right times (their targets may be another task's)."""
        if occ.plan_closed:
            return []
        shape_key = (occ.kind, occ.roles, id(occ.policy))
        shape = self._shapes.get(shape_key)
        steps: list[PlannedStep] | None = None
        if shape is None:
            steps = occ.steps(self.calendar)
            shape = self._shapes[shape_key] = tuple(s.key for s in steps)
        key = (occ.kind, occ.nominal, shape, id(occ.policy))
        found = self._times.get(key)
        if found is None:
            found = self._times[key] = steps if steps is not None else occ.steps(self.calendar)
        if occ.status == DeadlineStatus.OPEN:
            return found
        if occ.status == DeadlineStatus.DONE and occ.kind == OccurrenceKind.REPORT:
            return [s for s in found if s.kind == MessageKind.COMPILED_REPORT]
        return []

    def next_after(self, occ: Occurrence, processed_until: datetime | None) -> datetime | None:
        for step in self.pending(occ):
            if processed_until is None or step.at > as_utc(processed_until):
                return step.at
        return None


def _same_instant(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return as_utc(a) == as_utc(b)
