"""Read what the pure domain needs out of the database, in a few bulk queries.

An :class:`Occurrence` is one deadline row with everything needed to plan its
steps: the agencies in each role (groups expanded to their members, plan-wide
roles filled in) and the policy after plan and task overrides. The sweep, the
preview and the status board all read through here, so they agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import Policy
from notifier.domain.preview import PreviewOccurrence, Recipient
from notifier.domain.steps import AgencyTarget, PlannedStep, TaskRoles, plan_steps
from notifier.store.addresses import person_channels, usable_channels
from notifier.store.db import among
from notifier.store.models import (
    Agency,
    AgencyGroup,
    Deadline,
    GroupMember,
    Person,
    Plan,
    PlanRole,
    Task,
    TaskRole,
)
from notifier.vocab import (
    ChannelName,
    DeadlineStatus,
    MessageKind,
    OccurrenceKind,
    PlanDuty,
    PlanStatus,
    Role,
)

# Plan-wide duties that fill a role of every task of the plan.
DUTY_ROLES = {PlanDuty.MONITOR: Role.MONITOR, PlanDuty.COMPILER: Role.COMPILER}


def occurrence_key(deadline_id: int, effective: date) -> str:
    """Outbox occurrence key; a moved deadline is a new occurrence with fresh steps."""
    return f"d{deadline_id}@{effective.isoformat()}"


@dataclass(frozen=True)
class Occurrence:
    deadline_id: int
    plan_id: int
    plan_key: str
    plan_number: str
    plan_date: str
    plan_title: str
    plan_closed: bool
    task_id: int
    task_ref: str
    task_title: str
    lead_written: str
    kind: OccurrenceKind
    seq: int
    period: str
    nominal: date
    effective: date
    status: DeadlineStatus
    done_at: datetime | None
    roles: TaskRoles
    policy: Policy
    plan_imported_at: datetime | None = None
    original: date | None = None  # the effective deadline before an extension

    @property
    def judged_by(self) -> date:
        """The date on-time figures use: the extended one where the policy counts
        extensions (the default), else the date before the extension."""
        if self.original is None or self.policy.extensions_count:
            return self.effective
        return self.original

    @property
    def key(self) -> str:
        return occurrence_key(self.deadline_id, self.effective)

    @property
    def is_open(self) -> bool:
        return self.status == DeadlineStatus.OPEN and not self.plan_closed

    def steps(self, calendar: WorkingCalendar, memo: StepMemo | None = None) -> list[PlannedStep]:
        if memo is not None:
            return memo.steps(self)
        return plan_steps(self.kind, self.nominal, self.roles, self.policy, calendar)

    def pending_steps(
        self, calendar: WorkingCalendar, memo: StepMemo | None = None
    ) -> list[PlannedStep]:
        """The steps still to act on: all of an open occurrence; of a reporting period
        already reported, only the compiled report (the compiler still gets the status);
        nothing for a closed plan or a cancelled occurrence."""
        if self.plan_closed:
            return []
        if self.status == DeadlineStatus.OPEN:
            return self.steps(calendar, memo)
        if self.status == DeadlineStatus.DONE and self.kind == OccurrenceKind.REPORT:
            steps = self.steps(calendar, memo)
            return [s for s in steps if s.kind == MessageKind.COMPILED_REPORT]
        return []

    def escalation_targets(self, calendar: WorkingCalendar) -> dict[int, tuple[AgencyTarget, ...]]:
        """The policy's escalation levels kept for this occurrence: level -> targets."""
        levels: dict[int, tuple[AgencyTarget, ...]] = {}
        for step in self.steps(calendar):
            if step.kind == MessageKind.ESCALATION and step.level not in levels:
                levels[step.level] = step.targets
        return levels

    def preview(self) -> PreviewOccurrence:
        return PreviewOccurrence(
            plan=self.plan_key,
            task=self.task_ref,
            kind=self.kind,
            nominal=self.nominal,
            roles=self.roles,
            policy=self.policy,
            period=self.period,
            done_at=self.done_at,
            closed=self.plan_closed,
        )


class StepMemo:
    """Steps planned once per distinct (kind, nominal date, roles, policy), not once per
    occurrence: the tasks of a plan mostly share their dates and agencies. The lists are
    shared between occurrences: read them, never change them."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        # the policy is kept in the value, so its id in the key stays its own
        self.known: dict[tuple[Any, ...], tuple[Policy, list[PlannedStep]]] = {}

    def steps(self, occ: Occurrence) -> list[PlannedStep]:
        key = (occ.kind, occ.nominal, occ.roles, id(occ.policy))
        hit = self.known.get(key)
        if hit is None:
            steps = plan_steps(occ.kind, occ.nominal, occ.roles, occ.policy, self.calendar)
            hit = self.known[key] = (occ.policy, steps)
        return hit[1]


class _Codes:
    """Agency codes for agencies and groups (groups expand to active members)."""

    def __init__(self, session: Session) -> None:
        self.agency = {a.id: a.code for a in session.exec(select(Agency)) if a.active}
        members: dict[int, list[str]] = defaultdict(list)
        for member in session.exec(select(GroupMember)):
            code = self.agency.get(member.agency_id)
            if code is not None:
                members[member.group_id].append(code)
        self.group = {
            g.id: tuple(sorted(members[g.id or 0])) for g in session.exec(select(AgencyGroup))
        }

    def of(self, agency_id: int | None, group_id: int | None) -> tuple[str, ...]:
        if agency_id is not None:
            code = self.agency.get(agency_id)
            return (code,) if code else ()
        return self.group.get(group_id, ())


def _unique(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _roles(task_roles: Sequence[Any], plan_roles: Sequence[Any], codes: _Codes) -> TaskRoles:
    """Rows of TASK_ROLE_FACTS and PLAN_ROLE_FACTS."""
    by_role: dict[Role, list[str]] = defaultdict(list)
    for role in task_roles:
        by_role[role.role] += codes.of(role.agency_id, role.group_id)
    for prole in plan_roles:
        if prole.role in DUTY_ROLES:
            by_role[DUTY_ROLES[prole.role]] += codes.of(prole.agency_id, prole.group_id)
    if not by_role[Role.DIRECTING]:  # the plan's own settings name who directs the rest
        for prole in plan_roles:
            if prole.role == PlanDuty.DIRECTING:
                by_role[Role.DIRECTING] += codes.of(prole.agency_id, prole.group_id)
    return TaskRoles(
        lead=_unique(by_role[Role.LEAD]),
        coordinating=_unique(by_role[Role.COORDINATING]),
        directing=_unique(by_role[Role.DIRECTING]),
        monitor=_unique(by_role[Role.MONITOR]),
        compiler=_unique(by_role[Role.COMPILER]),
    )


def _policy(base: Policy, plan: Plan, task: Any, cache: dict[Any, Policy]) -> Policy:
    """``task``: a Task or a row of TASK_FACTS."""
    if not plan.policy and not task.policy:
        return base
    key = (plan.id, task.id)
    if key not in cache:
        merged = base.merged(plan.policy, source=f"plan {plan.key}") if plan.policy else base
        if task.policy:
            merged = merged.merged(task.policy, source=f"task {task.ref} of plan {plan.key}")
        cache[key] = merged
    return cache[key]


# The columns of a deadline row an Occurrence needs.
DEADLINE_FACTS = (
    col(Deadline.id),
    col(Deadline.task_id),
    col(Deadline.kind),
    col(Deadline.seq),
    col(Deadline.period),
    col(Deadline.nominal_date),
    col(Deadline.effective_date),
    col(Deadline.status),
    col(Deadline.completed_at),
    col(Deadline.original_date),
)


# The columns of a task row an Occurrence needs (tuples too: no ORM object per task).
TASK_FACTS = (
    col(Task.id), col(Task.plan_id), col(Task.ref), col(Task.title), col(Task.policy),
    col(Task.active),
)  # fmt: skip


@dataclass(frozen=True)
class TaskFacts:
    """One task as every occurrence of it sees it: plan, roles, policy."""

    plan: Plan
    task: Any  # a row of TASK_FACTS
    lead_written: str
    roles: TaskRoles
    policy: Policy

    @property
    def plan_key(self) -> str:
        return self.plan.key

    @cached_property
    def occurrence_fields(self) -> dict[str, Any]:
        """What every occurrence of this task shares, read off the plan and the task once
        (a sweep makes a thousand occurrences; each read of a plan attribute goes through
        the ORM's instrumentation)."""
        plan, task = self.plan, self.task
        assert task.id is not None and plan.id is not None
        return {
            "plan_id": plan.id,
            "plan_key": plan.key,
            "plan_number": plan.number,
            "plan_date": plan.plan_date,
            "plan_title": plan.title,
            "plan_closed": plan.status == PlanStatus.CLOSED,
            "task_id": task.id,
            "task_ref": task.ref,
            "task_title": task.title,
            "lead_written": self.lead_written,
            "roles": self.roles,
            "policy": self.policy,
            "plan_imported_at": plan.imported_at,
        }


# The columns of the role rows the roles are made of (tuples: no ORM object per row).
TASK_ROLE_FACTS = (
    col(TaskRole.task_id), col(TaskRole.role), col(TaskRole.written),
    col(TaskRole.agency_id), col(TaskRole.group_id),
)  # fmt: skip
PLAN_ROLE_FACTS = (
    col(PlanRole.plan_id), col(PlanRole.role), col(PlanRole.agency_id), col(PlanRole.group_id),
)  # fmt: skip


def load_tasks(
    session: Session,
    policy: Policy,
    task_ids: Collection[int],
    known: dict[int, TaskFacts] | None = None,
) -> dict[int, TaskFacts]:
    """The given tasks with their plans, read once each (a plan row carries the whole
    parsed document, never read here: deferred), roles and policy once per task.

    ``known``: tasks already loaded (with the same ``policy``); the others are added to it.
    """
    out = known if known is not None else {}
    missing = [t for t in task_ids if t not in out]
    if not missing:
        return out
    task_query = sa_select(*TASK_FACTS).where(among(session, col(Task.id), missing))
    tasks = {t.id: t for t in session.execute(task_query)}
    plan_ids = {t.plan_id for t in tasks.values()}
    plan_query = select(Plan).where(col(Plan.id).in_(plan_ids)).options(defer(Plan.parsed))  # type: ignore[arg-type]
    plans = {p.id: p for p in session.exec(plan_query)}
    task_roles: dict[int, list[Any]] = defaultdict(list)
    role_query = sa_select(*TASK_ROLE_FACTS).where(among(session, col(TaskRole.task_id), tasks))
    for role in session.execute(role_query):
        task_roles[role.task_id].append(role)
    plan_roles: dict[int, list[Any]] = defaultdict(list)
    plan_role_query = sa_select(*PLAN_ROLE_FACTS).where(col(PlanRole.plan_id).in_(plan_ids))
    for prole in session.execute(plan_role_query):
        plan_roles[prole.plan_id].append(prole)
    codes = _Codes(session)
    cache: dict[Any, Policy] = {}
    same: dict[tuple[Any, ...], TaskRoles] = {}  # tasks of a plan often share their agencies
    for task in tasks.values():
        plan = plans[task.plan_id]
        assert plan.id is not None
        mine = task_roles[task.id]
        lead = ", ".join(r.written for r in mine if r.role == Role.LEAD)
        key = (plan.id, *((r.role, r.agency_id, r.group_id) for r in mine))
        roles = same.get(key)
        if roles is None:
            roles = same[key] = _roles(mine, plan_roles[plan.id], codes)
        out[task.id] = TaskFacts(plan, task, lead, roles, _policy(policy, plan, task, cache))
    return out


def load_occurrences(
    session: Session,
    policy: Policy,
    *,
    deadline_ids: Sequence[int] | None = None,
    plan_key: str | None = None,
    task_ref: str | None = None,
    open_only: bool = False,
    tasks: dict[int, TaskFacts] | None = None,
) -> list[Occurrence]:
    """Occurrences (all, or the given deadline ids), ordered by effective deadline;
    ``open_only``: only those not completed (``completed_at`` NULL); ``tasks``: see
    :func:`load_tasks`."""
    # Deadline rows are read as plain tuples (no ORM object per row), their tasks once.
    query = (
        sa_select(*DEADLINE_FACTS)
        .join(Task, col(Task.id) == col(Deadline.task_id))
        .join(Plan, col(Plan.id) == col(Task.plan_id))
        .where(col(Task.active) == True)  # noqa: E712
    )
    query = query.where(col(Deadline.status) != DeadlineStatus.CANCELLED)
    if open_only:
        query = query.where(col(Deadline.completed_at).is_(None))
    if deadline_ids is not None:
        query = query.where(among(session, col(Deadline.id), deadline_ids))
    if plan_key is not None:
        query = query.where(col(Plan.key) == plan_key)
    if task_ref is not None:
        query = query.where(col(Task.ref) == task_ref)
    deadlines = session.execute(
        query.order_by(col(Deadline.effective_date), col(Deadline.id))
    ).all()
    if not deadlines:
        return []
    known = load_tasks(session, policy, {d.task_id for d in deadlines}, tasks)
    return [_occurrence_of(known[deadline.task_id], *deadline) for deadline in deadlines]


def occurrence_of(
    session: Session, policy: Policy, deadline: Deadline, tasks: dict[int, TaskFacts]
) -> Occurrence | None:
    """The occurrence of one deadline row already read (the dispatcher's), as
    :func:`load_occurrences` would give it, without reading the deadline again; None
    when that would leave it out (cancelled, or its task no longer active)."""
    if deadline.status == DeadlineStatus.CANCELLED:
        return None
    facts = load_tasks(session, policy, {deadline.task_id}, tasks).get(deadline.task_id)
    if facts is None or not facts.task.active:
        return None
    return _occurrence(deadline, facts)


def _occurrence(deadline: Deadline, facts: TaskFacts) -> Occurrence:
    """An occurrence of a deadline row read as an object (the dispatcher's)."""
    assert deadline.id is not None
    return _occurrence_of(
        facts, deadline.id, deadline.task_id, deadline.kind, deadline.seq, deadline.period,
        deadline.nominal_date, deadline.effective_date, deadline.status, deadline.completed_at,
        deadline.original_date,
    )  # fmt: skip


def _occurrence_of(
    facts: TaskFacts,
    deadline_id: int,
    _task_id: int,
    kind: str,
    seq: int,
    period: str,
    nominal: date,
    effective: date,
    status: DeadlineStatus,
    done_at: datetime | None,
    original: date | None,
) -> Occurrence:
    """An occurrence of a deadline of its task, given the values of DEADLINE_FACTS in their
    order (a row of them unpacked: reading a row's values by name costs more than making
    the occurrence)."""
    return Occurrence(
        deadline_id=deadline_id,
        kind=OccurrenceKind(kind),
        seq=seq,
        period=period,
        nominal=nominal,
        effective=effective,
        status=status,
        done_at=done_at,
        original=original,
        **facts.occurrence_fields,
    )


def _channels(person: Person, configured: Collection[str] | None) -> tuple[str, ...]:
    usable = usable_channels(person)
    if configured is None or not usable:
        return usable
    return person_channels(person, configured) or (ChannelName.CONSOLE,)


def load_people(
    session: Session, configured: Collection[str] | None = None
) -> dict[str, list[Recipient]]:
    """Active people by agency code, as the domain sees them.

    With ``configured`` (this installation's channels), each person's channels are the
    ones a message to them would really use: their usable channels configured here, or
    the console when none is (as the sweep chooses).
    """
    codes = {a.id: a.code for a in session.exec(select(Agency)) if a.active}
    people: dict[str, list[Recipient]] = defaultdict(list)
    query = select(Person).where(Person.active == True).order_by(col(Person.id))  # noqa: E712
    for person in session.exec(query):
        code = codes.get(person.agency_id)
        if code is None:
            continue
        people[code].append(
            Recipient(
                key=person.key,
                name=person.name,
                agency=code,
                role_in_agency=person.role,
                channels=_channels(person, configured),
            )
        )
    return dict(people)
