"""The sweep: turn what is due now into outbox rows.

Steps of :func:`sweep`, each batch in one transaction:

1. read the service's previous heartbeat (when the sweep last ran), then claim up to
   ``limit`` open deadline rows with ``next_action_at <= now`` through the
   ``(status, next_action_at)`` index (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
   transactions are ``BEGIN IMMEDIATE``), so the cost follows the due rows, not the table;
2. bulk-load their facts and plan every step with ``processed_until < at <= now``; a step
   already sent to the person for the same deadline under an earlier date (a moved
   deadline) is not sent again;
3. one candidate per addressed person of each target agency (nobody addressable: an
   Event), with why it is late when it is (:func:`notifier.domain.lateness.late_reason`);
   the catch-up rules of :mod:`notifier.engine.catchup` make the rows (per person at most
   one message for stale steps, no copies of stale steps);
4. insert idempotently, advance ``processed_until`` and ``next_action_at`` (one
   executemany each; the steps are planned once per distinct date, roles and policy).

Then, once a day, the reporting horizon of ongoing tasks; the no-answer follow-ups; the
digest; the calendar notice; and the heartbeat. Running twice creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, as_utc
from notifier.domain.lateness import late_reason
from notifier.domain.steps import AgencyTarget, PlannedStep, WorkingDaysLater, next_step_after
from notifier.engine.catchup import Candidate, decide
from notifier.engine.digest import run_digests
from notifier.engine.followup import run_followups
from notifier.runtime import Runtime
from notifier.store.addresses import usable_channels
from notifier.store.bulk import execute_many
from notifier.store.calendar_notice import queue_estimate_alert
from notifier.store.db import among, is_postgres, session_scope
from notifier.store.deadlines import extend_horizon
from notifier.store.facts import Occurrence, StepMemo, load_occurrences
from notifier.store.heartbeat import beat, horizon_done, last_beat, mark_horizon
from notifier.store.models import Agency, Deadline, Event, Notification, Person
from notifier.store.outbox import configured_channels, insert_many
from notifier.vocab import LIVE_STATUSES, DeadlineStatus, EventKind, MessageKind

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
    catch_ups: int = 0
    horizon: int = 0  # report deadlines added to keep ongoing tasks 12 months ahead


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
    with session_scope(runtime.engine) as session:
        previous = last_beat(session)
        last_seen = previous.last_seen if previous is not None else None
        _horizon(session, runtime, now, report)
    while True:
        with session_scope(runtime.engine) as session:
            claimed = sweep_batch(session, runtime, now, limit, configured, report, last_seen)
        if claimed < limit:
            break
    with session_scope(runtime.engine) as session:
        report.followups = run_followups(session, runtime.calendar, runtime.policy, configured, now)
    report.digests = run_digests(runtime, now)
    with session_scope(runtime.engine) as session:
        admins = runtime.settings.file.admins
        window = runtime.policy.send_window
        queue_estimate_alert(session, runtime.calendar, admins, configured, now, window)
        beat(session, now)
    return report


def _horizon(session: Session, runtime: Runtime, now: dt.datetime, report: SweepReport) -> None:
    """Once per local day: report deadlines of ongoing tasks at least 12 months ahead."""
    today = now.astimezone(VN_TZ).date()
    if horizon_done(session, today):
        return
    report.horizon = extend_horizon(session, runtime.calendar, runtime.policy, now)
    mark_horizon(session, today, now)


def due_deadlines(session: Session, now: dt.datetime, limit: int) -> Sequence[Row[Any]]:
    """Rows whose next action is due, oldest first, read through the index (a done
    reporting period keeps one: its compiled report; other closed rows hold NULL).
    Only the columns the sweep reads, as tuples: no ORM object to flush per row."""
    query = (
        sa_select(
            col(Deadline.id),
            col(Deadline.kind),
            col(Deadline.effective_date),
            col(Deadline.processed_until),
        )
        .where(
            col(Deadline.status).in_([DeadlineStatus.OPEN, DeadlineStatus.DONE]),
            col(Deadline.next_action_at) <= now,
        )
        .order_by(col(Deadline.next_action_at))
        .limit(limit)
    )
    if is_postgres(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update(skip_locked=True)
    return session.execute(query).all()


def sweep_batch(
    session: Session,
    runtime: Runtime,
    now: dt.datetime,
    limit: int,
    configured: Collection[str],
    report: SweepReport,
    last_seen: dt.datetime | None = None,
) -> int:
    """One claimed batch (steps 1-4 of the module doc); returns how many rows were claimed."""
    rows = due_deadlines(session, now, limit)
    if not rows:
        return 0
    ids = [r.id for r in rows]
    occurrences = {
        o.deadline_id: o for o in load_occurrences(session, runtime.policy, deadline_ids=ids)
    }
    directory = Directory(session)
    sent = _already_sent(session, ids)
    memo = StepMemo(runtime.calendar)
    later = WorkingDaysLater(runtime.calendar)
    candidates: list[Candidate] = []
    moves: list[dict[str, Any]] = []
    for row in rows:
        occ = occurrences.get(row.id)
        steps = occ.pending_steps(runtime.calendar, memo) if occ is not None else []
        if occ is None or not steps:
            moves.append({"b_id": row.id, "b_next": None, "b_done": row.processed_until})
            continue
        for step in steps:
            if (row.processed_until is None or step.at > row.processed_until) and step.at <= now:
                found = _expand(session, occ, step, directory, now, report, last_seen, later)
                candidates += [c for c in found if not _repeat(c, sent)]
        following = next_step_after(steps, now)
        moves.append({"b_id": row.id, "b_next": following.at if following else None, "b_done": now})
    report.deadlines += len(rows)
    decided = decide(candidates, runtime, configured, now)
    report.skipped += decided.skipped
    report.late += decided.late
    report.catch_ups += decided.catch_ups
    report.created += insert_many(session, decided.rows)
    _advance(session, moves)
    return len(rows)


_DEADLINES = Deadline.__table__  # type: ignore[attr-defined]
_ADVANCE = (
    update(_DEADLINES)
    .where(_DEADLINES.c.id == bindparam("b_id"))
    .values(next_action_at=bindparam("b_next"), processed_until=bindparam("b_done"))
)


def _advance(session: Session, moves: list[dict[str, Any]]) -> None:
    """The batch's next_action_at and processed_until, in one executemany UPDATE."""
    execute_many(session.connection(), _ADVANCE, moves)


def _already_sent(session: Session, deadline_ids: Sequence[int]) -> set[tuple[int, str, int]]:
    """(deadline, step, person) of rows live or sent for these deadlines, any date."""
    query = select(Notification.deadline_id, Notification.step, Notification.person_id).where(
        among(session, col(Notification.deadline_id), deadline_ids),
        col(Notification.status).in_(LIVE_STATUSES),
    )
    return {(d, step, p) for d, step, p in session.exec(query) if d is not None}


def _repeat(c: Candidate, sent: set[tuple[int, str, int]]) -> bool:
    """A step of a moved deadline already sent to the person under the old date."""
    if c.compiled:
        return False
    return (c.occ.deadline_id, c.step.key, c.person.id or 0) in sent


def _occurrence_key(occ: Occurrence, step: PlannedStep) -> str:
    if step.kind == MessageKind.COMPILED_REPORT:
        return f"compiled:{occ.plan_id}:{occ.period or occ.nominal.isoformat()}"
    return occ.key


def _expand(
    session: Session,
    occ: Occurrence,
    step: PlannedStep,
    directory: Directory,
    now: dt.datetime,
    report: SweepReport,
    last_seen: dt.datetime | None,
    later: WorkingDaysLater,
) -> list[Candidate]:
    """One candidate per addressed person of each target; an Event for an empty target."""
    n = occ.policy.catch_up_after_working_days
    stale = later(step.at, n, occ.policy) < now if n else False
    why, since = late_reason(step.at, now, occ.plan_imported_at, last_seen)
    key = _occurrence_key(occ, step)
    out = []
    for target in step.targets:
        people = directory.addressed(target.agency, target.addressed_roles)
        if not people:
            report.warnings += 1
            session.add(_nobody_event(occ, step, target, now))
        out += [Candidate(key, occ, step, target, p, stale, why, since) for p in people]
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
