"""The sweep: turn what is due now into outbox rows.

Steps of :func:`sweep`, each batch in one transaction:

1. claim up to ``limit`` open deadline rows with ``next_action_at <= now`` through the
   ``(status, next_action_at)`` index (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
   transactions are ``BEGIN IMMEDIATE``), so the cost follows the due rows, not the table;
2. bulk-load their facts and plan every step with ``processed_until < at <= now``;
3. one row per addressed person of each target agency (nobody addressable: an Event);
   catch-up: steps more than ``catch_up_after_working_days`` old are not sent one by one,
   per occurrence and person only the most recent is sent (``late``), the others are
   recorded ``skipped`` with the reason;
4. insert idempotently, advance ``processed_until`` and ``next_action_at``.

Then the no-answer follow-ups and the daily digest. Running twice creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from notifier.clock import as_utc
from notifier.domain.steps import (
    AgencyTarget,
    PlannedStep,
    after_working_days,
    apply_send_window,
    next_step_after,
)
from notifier.engine.digest import run_digests
from notifier.engine.followup import run_followups
from notifier.runtime import Runtime
from notifier.store.addresses import choose_channel, usable_channels
from notifier.store.contexts import step_context
from notifier.store.db import is_postgres, session_scope
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import Agency, Deadline, Event, Person
from notifier.store.outbox import configured_channels, insert_rows, new_row
from notifier.vocab import (
    FOLLOWED_UP_KINDS,
    DeadlineStatus,
    DeliveryStatus,
    EventKind,
    MessageKind,
    Role,
)

NOBODY = "không có người nhận phù hợp trong cơ quan"


@dataclass
class SweepReport:
    """What one sweep did, for logs and the simulate summary."""

    deadlines: int = 0
    created: int = 0
    skipped: int = 0
    late: int = 0
    warnings: int = 0
    followups: int = 0
    digests: int = 0


@dataclass(frozen=True)
class _Candidate:
    """One message the sweep would create: an occurrence's step for one person."""

    occurrence: str
    occ: Occurrence
    step: PlannedStep
    target: AgencyTarget
    person: Person
    stale: bool


class Directory:
    """Active people with a usable channel, by agency code, loaded once per batch."""

    def __init__(self, session: Session) -> None:
        codes = {a.id: a.code for a in session.exec(select(Agency)) if a.active}
        self.people: dict[str, list[Person]] = defaultdict(list)
        query = select(Person).where(Person.active == True).order_by(col(Person.id))  # noqa: E712
        for person in session.exec(query):
            code = codes.get(person.agency_id)
            if code is not None and usable_channels(person):
                self.people[code].append(person)

    def addressed(self, agency: str, roles: Collection[str]) -> list[Person]:
        return [p for p in self.people.get(agency, ()) if p.role in roles]


def sweep(runtime: Runtime, now: dt.datetime | None = None, limit: int = 1000) -> SweepReport:
    """Everything due at ``now`` (default: the runtime's clock) into the outbox."""
    now = as_utc(now or runtime.clock.now())
    report = SweepReport()
    configured = configured_channels(runtime.settings)
    while True:
        with session_scope(runtime.engine) as session:
            claimed = sweep_batch(session, runtime, now, limit, configured, report)
        if claimed < limit:
            break
    with session_scope(runtime.engine) as session:
        report.followups = run_followups(session, runtime.calendar, runtime.policy, configured, now)
    report.digests = run_digests(runtime, now)
    return report


def due_deadlines(session: Session, now: dt.datetime, limit: int) -> Sequence[Deadline]:
    """Rows whose next action is due, oldest first, read through the index (a done
    reporting period keeps one: its compiled report; other closed rows hold NULL)."""
    query = (
        select(Deadline)
        .where(
            col(Deadline.status).in_([DeadlineStatus.OPEN, DeadlineStatus.DONE]),
            col(Deadline.next_action_at) <= now,
        )
        .order_by(col(Deadline.next_action_at))
        .limit(limit)
    )
    if is_postgres(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update(skip_locked=True)
    return session.exec(query).all()


def sweep_batch(
    session: Session,
    runtime: Runtime,
    now: dt.datetime,
    limit: int,
    configured: Collection[str],
    report: SweepReport,
) -> int:
    """One claimed batch (steps 1-4 of the module doc); returns how many rows were claimed."""
    rows = due_deadlines(session, now, limit)
    if not rows:
        return 0
    occurrences = {
        o.deadline_id: o
        for o in load_occurrences(
            session, runtime.policy, deadline_ids=[r.id for r in rows if r.id]
        )
    }
    directory = Directory(session)
    candidates: list[_Candidate] = []
    for row in rows:
        occ = occurrences.get(row.id or 0)
        steps = occ.pending_steps(runtime.calendar) if occ is not None else []
        if occ is None or not steps:
            row.next_action_at = None
            continue
        for step in steps:
            if (row.processed_until is None or step.at > row.processed_until) and step.at <= now:
                candidates += _expand(session, runtime, occ, step, directory, now, report)
        row.processed_until = now
        following = next_step_after(steps, now)
        row.next_action_at = following.at if following else None
    report.deadlines += len(rows)
    values = _decide(candidates, runtime, configured, now, report)
    report.created += len(insert_rows(session, values))
    return len(rows)


def _occurrence_key(occ: Occurrence, step: PlannedStep) -> str:
    if step.kind == MessageKind.COMPILED_REPORT:
        return f"compiled:{occ.plan_id}:{occ.period or occ.nominal.isoformat()}"
    return occ.key


def _expand(
    session: Session,
    runtime: Runtime,
    occ: Occurrence,
    step: PlannedStep,
    directory: Directory,
    now: dt.datetime,
    report: SweepReport,
) -> list[_Candidate]:
    """One candidate per addressed person of each target; an Event for an empty target."""
    n = occ.policy.catch_up_after_working_days
    stale = after_working_days(step.at, n, runtime.calendar, occ.policy) < now if n else False
    key = _occurrence_key(occ, step)
    out = []
    for target in step.targets:
        people = directory.addressed(target.agency, target.addressed_roles)
        if not people:
            report.warnings += 1
            session.add(_nobody_event(occ, step, target, now))
        out += [_Candidate(key, occ, step, target, p, stale) for p in people]
    return out


def _nobody_event(
    occ: Occurrence, step: PlannedStep, target: AgencyTarget, now: dt.datetime
) -> Event:
    return Event(
        at=now,
        kind=EventKind.SWEEP_NOBODY,
        message=f"{step.reason}; {NOBODY} {target.agency} (vai trò {target.role})",
        plan_id=occ.plan_id,
        deadline_id=occ.deadline_id,
        data={
            "occurrence": occ.key,
            "step": step.key,
            "agency": target.agency,
            "addressed_roles": list(target.addressed_roles),
        },
    )


def _decide(
    candidates: list[_Candidate],
    runtime: Runtime,
    configured: Collection[str],
    now: dt.datetime,
    report: SweepReport,
) -> list[dict[str, Any]]:
    """Catch-up: per (occurrence, person) stale steps other than the latest are skipped."""
    unique: dict[tuple[str, str, int], _Candidate] = {}
    for c in candidates:
        unique.setdefault((c.occurrence, c.step.key, c.person.id or 0), c)
    groups: dict[tuple[str, int], list[_Candidate]] = defaultdict(list)
    for c in unique.values():
        groups[(c.occurrence, c.person.id or 0)].append(c)
    values = []
    for group in groups.values():
        group.sort(key=lambda c: c.step.at)
        latest = group[-1]
        for c in group:
            skip = c.stale and c is not latest
            late = c.stale and c is latest
            report.skipped += skip
            report.late += late
            values.append(_values(c, latest, skip, late, runtime, configured, now))
    return values


def _values(
    c: _Candidate,
    latest: _Candidate,
    skip: bool,
    late: bool,
    runtime: Runtime,
    configured: Collection[str],
    now: dt.datetime,
) -> dict[str, Any]:
    compiled = c.step.kind == MessageKind.COMPILED_REPORT
    # a sweep that runs late (downtime, a late import) still sends inside the send window
    extra: dict[str, Any] = {
        "next_attempt_at": apply_send_window(now, c.occ.policy, runtime.calendar)
    }
    if skip:
        extra = {
            "status": DeliveryStatus.SKIPPED,
            "next_attempt_at": None,
            "last_error": (
                f"bỏ qua khi gửi bù: thời điểm gửi đã qua hơn "
                f"{c.occ.policy.catch_up_after_working_days} ngày làm việc; "
                f"chỉ gửi tin mới nhất ({latest.step.key})"
            ),
        }
    followup = (
        not skip
        and c.step.kind in FOLLOWED_UP_KINDS
        and c.target.role == Role.LEAD
        and not c.target.copy
        and c.occ.policy.no_answer_followup_working_days > 0
    )
    if followup:
        n = c.occ.policy.no_answer_followup_working_days
        extra["followup_at"] = after_working_days(
            max(c.step.at, now), n, runtime.calendar, c.occ.policy
        )
    return new_row(
        occurrence=c.occurrence,
        step=c.step.key,
        person=c.person,
        channel=choose_channel(c.person, configured),
        kind=c.step.kind,
        due_at=c.step.at,
        now=now,
        deadline_id=None if compiled else c.occ.deadline_id,
        level=c.step.level,
        role=c.target.role,
        copy_only=c.target.copy,
        late=late,
        context=step_context(
            c.step.kind,
            reason=c.step.reason,
            agency=c.target.agency,
            plan_id=c.occ.plan_id,
            plan_key=c.occ.plan_key,
            period=c.occ.period,
            deadline=c.step.deadline,
            late_news=late,
        ),
        **extra,
    )
