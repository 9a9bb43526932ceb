"""Completed occurrences counted in the database, for the digest's figures.

A done item is only counted (on time or late), never listed, so the digest reads no
row of it: one GROUP BY per task and kind sums which were done by the end of their
effective deadline, and of the extended ones, by the end of their date before the
extension. The task's policy then says which date judges them
(:attr:`notifier.store.facts.Occurrence.judged_by`); the rule counted is
:func:`notifier.domain.status.bucket`'s: done by 24:00 of that day in Vietnam is on time.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, case, cast, func, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from notifier.clock import VN_TZ
from notifier.domain.policy import Policy
from notifier.domain.steps import TaskRoles
from notifier.store.db import is_postgres
from notifier.store.facts import TaskFacts, load_tasks
from notifier.store.models import Deadline, Plan, Task
from notifier.vocab import DeadlineStatus, OccurrenceKind, PlanStatus


@dataclass(frozen=True)
class DoneGroup:
    """How many done occurrences of one task and kind were on time, how many late."""

    plan_key: str
    roles: TaskRoles
    policy: Policy
    kind: OccurrenceKind
    on_time: int
    late: int


def _by_end_of(session: Session, day: Any) -> Any:
    """1 when ``completed_at`` is at or before 24:00 of ``day`` in Vietnam, else 0."""
    end: Any
    if is_postgres(session.get_bind()):  # type: ignore[arg-type]
        end = func.timezone(VN_TZ.key, cast(day + 1, DateTime()))
    else:
        # SQLite keeps dates as "YYYY-MM-DD" and naive UTC as "YYYY-MM-DD HH:MM:SS[.ffffff]"
        # text; Vietnam has kept UTC+7 since 1975, so 24:00 there is 17:00 UTC that day
        # (".000000": the exact end compares equal, not after)
        end = day.op("||")(literal(" 17:00:00.000000"))
    return case((col(Deadline.completed_at) <= end, 1), else_=0)


def done_counts(
    session: Session,
    policy: Policy,
    plan_keys: Collection[str],
    tasks: dict[int, TaskFacts] | None = None,
) -> list[DoneGroup]:
    """The done occurrences of these plans (not closed ones), counted per task and kind;
    ``tasks``: see :func:`notifier.store.facts.load_tasks`."""
    if not plan_keys:
        return []
    never_extended = col(Deadline.original_date).is_(None)
    by_effective = _by_end_of(session, col(Deadline.effective_date))
    by_original = _by_end_of(session, col(Deadline.original_date))
    query = (
        sa_select(
            col(Deadline.task_id),
            col(Deadline.kind),
            func.count().label("n"),
            func.sum(by_effective).label("on_time"),
            # of the extended ones: on time by the new date, and by the date before
            func.sum(case((never_extended, 0), else_=by_effective)).label("extended_on_time"),
            func.sum(case((never_extended, 0), else_=by_original)).label("originally_on_time"),
        )
        .join(Task, col(Task.id) == col(Deadline.task_id))
        .join(Plan, col(Plan.id) == col(Task.plan_id))
        .where(
            col(Plan.key).in_(list(plan_keys)),
            col(Plan.status) != PlanStatus.CLOSED,
            col(Task.active) == True,  # noqa: E712
            col(Deadline.status) != DeadlineStatus.CANCELLED,
            col(Deadline.completed_at).is_not(None),
        )
        .group_by(col(Deadline.task_id), col(Deadline.kind))
    )
    rows = session.execute(query).all()
    known = load_tasks(session, policy, {r.task_id for r in rows}, tasks)
    out = []
    for row in rows:
        facts = known[row.task_id]
        on_time = int(row.on_time)
        if not facts.policy.extensions_count:  # judged by the date before the extension
            on_time += int(row.originally_on_time) - int(row.extended_on_time)
        kind = OccurrenceKind(row.kind)
        late = int(row.n) - on_time
        out.append(DoneGroup(facts.plan_key, facts.roles, facts.policy, kind, on_time, late))
    return out
