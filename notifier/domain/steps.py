"""Every message one occurrence (a deadline or a reporting date) would produce.

:func:`plan_steps` is pure: given the nominal date, the agencies in each role,
the policy and the calendar it returns the full chain (reminders, due today,
overdue, escalations with repeats, compiled report) assuming nobody answers.
The engine persists the next step; the preview lists them all.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from notifier.clock import VN_TZ, as_utc
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import EscalationLevel, Policy
from notifier.domain.reporting import ReportDate
from notifier.textfmt import vn_date
from notifier.vocab import MessageKind, OccurrenceKind, Role

__all__ = [
    "AgencyTarget",
    "OccurrenceKind",
    "PlannedStep",
    "Role",
    "TaskRoles",
    "after_working_days",
    "WorkingDaysLater",
    "apply_send_window",
    "next_step_after",
    "plan_steps",
    "report_dates",
    "unreached_levels",
]


@dataclass(frozen=True)
class TaskRoles:
    """Agency codes per role for one task (plan-wide roles already filled in)."""

    lead: tuple[str, ...]
    coordinating: tuple[str, ...] = ()
    directing: tuple[str, ...] = ()
    monitor: tuple[str, ...] = ()
    compiler: tuple[str, ...] = ()

    def agencies(self, role: Role) -> tuple[str, ...]:
        return tuple(getattr(self, Role(role).value))


@dataclass(frozen=True)
class AgencyTarget:
    agency: str
    role: Role
    copy: bool
    addressed_roles: tuple[str, ...]


@dataclass(frozen=True)
class PlannedStep:
    key: str
    kind: MessageKind
    level: int
    at: dt.datetime
    deadline: dt.date
    targets: tuple[AgencyTarget, ...]
    reason: str


def apply_send_window(at: dt.datetime, policy: Policy, calendar: WorkingCalendar) -> dt.datetime:
    """``at`` if it is inside the send window, else the next opening (never dropped)."""
    local = at.astimezone(VN_TZ)
    start, end = policy.send_window.start, policy.send_window.end
    day = local.date()
    if calendar.is_working_day(day):
        clock = local.timetz().replace(tzinfo=None)
        if start <= clock < end:
            return local
        if clock < start:
            return dt.datetime.combine(day, start, tzinfo=VN_TZ)
    return dt.datetime.combine(calendar.next_working_day(day), start, tzinfo=VN_TZ)


def after_working_days(
    at: dt.datetime, n: int, calendar: WorkingCalendar, policy: Policy
) -> dt.datetime:
    """The same local time ``n`` working days after ``at``, moved into the send window."""
    local = as_utc(at).astimezone(VN_TZ)
    day = calendar.add_working_days(local.date(), n)
    later = dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=VN_TZ)
    return as_utc(apply_send_window(later, policy, calendar))


class WorkingDaysLater:
    """:func:`after_working_days` asked once per distinct (time, days, policy) of a batch:
    the steps of a sweep's due deadlines mostly share their times."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        # the policy is kept in the value, so its id in the key stays its own
        self.known: dict[tuple[dt.datetime, int, int], tuple[Policy, dt.datetime]] = {}

    def __call__(self, at: dt.datetime, n: int, policy: Policy) -> dt.datetime:
        key = (at, n, id(policy))
        hit = self.known.get(key)
        if hit is None:
            hit = self.known[key] = (policy, after_working_days(at, n, self.calendar, policy))
        return hit[1]


def next_step_after(steps: Sequence[PlannedStep], after: dt.datetime) -> PlannedStep | None:
    """The first step strictly after ``after`` (steps are in time order)."""
    i = bisect.bisect_right([s.at for s in steps], after)
    return steps[i] if i < len(steps) else None


def report_dates(year_from: int, year_to: int, policy: Policy) -> list[ReportDate]:
    """Every reporting period of the policy in the years, by due date, with data periods."""
    out: list[ReportDate] = []
    day = policy.reporting.submission_day
    for year in range(year_from, year_to + 1):
        for period in policy.reporting.periods:
            out += period.dates(year, day)
    return sorted(out, key=lambda r: (r.nominal, r.period))


def _targets(
    roles: TaskRoles,
    to: Sequence[Role],
    cc: Sequence[Role],
    addressed: tuple[str, ...],
    exclude_to: frozenset[str] = frozenset(),
) -> tuple[AgencyTarget, ...]:
    """Agencies for to/cc roles; each agency once, 'to' winning over a copy."""
    out: list[AgencyTarget] = []
    seen: set[str] = set()
    for copy, group in ((False, to), (True, cc)):
        for role in group:
            agencies: tuple[str, ...] = getattr(roles, role.value)
            for agency in agencies:
                if agency in seen or (not copy and agency in exclude_to):
                    continue
                seen.add(agency)
                out.append(AgencyTarget(agency, role, copy, addressed))
    return tuple(out)


def unreached_levels(roles: TaskRoles, policy: Policy) -> list[EscalationLevel]:
    """Escalation levels that can never go out: no agency at all holds a role they are
    addressed to (a plan without a "Cơ quan chỉ đạo" line has nobody to escalate to).

    A level skipped because its target is the lead agency itself (the office is both lead
    and monitor) is not counted: that skip is by design, and the next level takes over.
    """
    return [lv for lv in policy.escalation.levels if not any(roles.agencies(r) for r in lv.to)]


def _fmt(d: dt.date) -> str:
    return vn_date(d)


class _Builder:
    """Collects the steps of one occurrence; keeps plan_steps short and readable."""

    def __init__(
        self, deadline: dt.date, roles: TaskRoles, policy: Policy, cal: WorkingCalendar
    ) -> None:
        self.deadline, self.roles, self.policy, self.cal = deadline, roles, policy, cal
        self.default_roles = tuple(str(r) for r in policy.addressed_roles)
        self.shown = _fmt(deadline)
        self.steps: list[PlannedStep] = []

    def addressed(self, override: Sequence[str] | None) -> tuple[str, ...]:
        return tuple(str(r) for r in override) if override else self.default_roles

    def add(
        self,
        key: str,
        kind: MessageKind,
        level: int,
        day: dt.date,
        targets: tuple[AgencyTarget, ...],
        reason: str,
    ) -> None:
        if not any(not t.copy for t in targets):
            return  # copies alone do not make a step
        at = dt.datetime.combine(day, self.policy.remind_at, tzinfo=VN_TZ)
        at = apply_send_window(at, self.policy, self.cal)
        self.steps.append(PlannedStep(key, kind, level, at, self.deadline, targets, reason))


def plan_steps(
    kind: OccurrenceKind,
    nominal: dt.date,
    roles: TaskRoles,
    policy: Policy,
    calendar: WorkingCalendar,
) -> list[PlannedStep]:
    """All steps of one occurrence, in time order.

    1. effective deadline from the nominal date and the policy's deadline rule;
    2. reminders before it (kind report_request for a reporting date), due today;
    3. the overdue notice, escalation levels (a level addressed only to the lead is
       skipped), repeats of the last level that was kept;
    4. for a reporting date, the compiled report to the compiler.
    """
    deadline = calendar.effective_deadline(nominal, policy.deadline_rule)
    b = _Builder(deadline, roles, policy, calendar)
    report = kind == OccurrenceKind.REPORT
    _before(b, report)
    _after(b, report)
    if report:
        _compiled(b)
    b.steps.sort(key=lambda s: s.at)
    return b.steps


def _before(b: _Builder, report: bool) -> None:
    what = "hạn báo cáo" if report else "hạn"
    kind = MessageKind.REPORT_REQUEST if report else MessageKind.REMINDER
    for rule in b.policy.reminders:
        n = rule.working_days_before
        day = b.cal.add_working_days(b.deadline, -n)
        targets = _targets(b.roles, rule.to, rule.cc, b.default_roles)
        reason = f"Còn {n} ngày làm việc đến {what} {b.shown}"
        b.add(f"reminder-{n}", kind, 0, day, targets, reason)
    due = b.policy.due_today
    if due.enabled:
        targets = _targets(b.roles, due.to, due.cc, b.addressed(due.addressed_roles))
        reason = f"Hôm nay ({b.shown}) là {what} cuối"
        b.add(MessageKind.DUE_TODAY.value, MessageKind.DUE_TODAY, 0, b.deadline, targets, reason)


def _after(b: _Builder, report: bool) -> None:
    what = "hạn báo cáo" if report else "hạn"
    over = b.policy.overdue
    if over.enabled:
        n = over.working_days_after
        day = b.cal.add_working_days(b.deadline, n)
        targets = _targets(b.roles, over.to, over.cc, b.addressed(over.addressed_roles))
        reason = f"Quá {what} {b.shown}: {n} ngày làm việc"
        b.add(MessageKind.OVERDUE.value, MessageKind.OVERDUE, 0, day, targets, reason)
    lead = frozenset(b.roles.lead)
    esc = b.policy.escalation
    last: tuple[int, dt.date, tuple[AgencyTarget, ...]] | None = None
    for lv in esc.levels:
        addressed = b.addressed(lv.addressed_roles)
        targets = _targets(b.roles, lv.to, lv.cc, addressed, exclude_to=lead)
        if not any(not t.copy for t in targets):
            continue  # the lead itself (or nobody) would be the target: skip the level
        n = lv.working_days_overdue
        day = b.cal.add_working_days(b.deadline, n)
        reason = f"Quá {what} {b.shown}: {n} ngày làm việc, báo cáo cấp {lv.level}"
        b.add(f"escalation-{lv.level}", MessageKind.ESCALATION, lv.level, day, targets, reason)
        last = (lv.level, day, targets)
    if last is None:
        return
    level, day, targets = last
    for i in range(1, esc.max_repeats + 1):
        day = b.cal.add_working_days(day, esc.repeat_every_working_days)
        n = b.cal.working_days_between(b.deadline, day)
        reason = f"Quá {what} {b.shown}: {n} ngày làm việc, nhắc lại lần {i} (cấp {level})"
        b.add(f"escalation-{level}-r{i}", MessageKind.ESCALATION, level, day, targets, reason)


def _compiled(b: _Builder) -> None:
    rule = b.policy.reporting.compiled_report
    if not rule.enabled:
        return
    day = b.cal.add_working_days(b.deadline, rule.working_days_after)
    targets = _targets(b.roles, rule.to, rule.cc, b.default_roles)
    reason = f"Tổng hợp báo cáo các cơ quan (hạn {b.shown})"
    b.add(MessageKind.COMPILED_REPORT.value, MessageKind.COMPILED_REPORT, 0, day, targets, reason)
