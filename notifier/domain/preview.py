"""What the policy would send in a time window if nobody ever answered.

Pure: occurrences, the people of each agency and the calendar go in; a list of
items (one per person, channel and step) comes out, in time order. Used by the
``preview`` command so that an admin can check a policy before it goes live,
and by the benchmark.

Rules beyond :func:`plan_steps`:
- a done task produces nothing at or after its completion; a closed plan nothing;
- a target agency with nobody addressable still yields one item (person "",
  channel "") whose reason says so: nothing is ever dropped silently;
- the compiled report is one per plan and period for the compiler, not one per
  task; it is sent for a plan that is not closed even if every task reported;
- the monitor's digest follows :mod:`notifier.domain.digest`, the engine's own rule.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from notifier.clock import VN_TZ, as_utc
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.digest import Section, digest_due, digest_section
from notifier.domain.policy import Policy
from notifier.domain.steps import (
    AgencyTarget,
    OccurrenceKind,
    PlannedStep,
    Role,
    TaskRoles,
    after_working_days,
    plan_steps,
    unreached_levels,
)
from notifier.textfmt import vn_date
from notifier.vocab import FOLLOWED_UP_KINDS, MessageKind

NOBODY = "không có người nhận phù hợp trong cơ quan"


@dataclass(frozen=True)
class Recipient:
    key: str
    name: str
    agency: str
    role_in_agency: str  # head | deputy | focal_point | staff
    channels: tuple[str, ...]  # usable channels, preferred first


@dataclass(frozen=True)
class PreviewOccurrence:
    plan: str
    task: str
    kind: OccurrenceKind
    nominal: dt.date
    roles: TaskRoles
    policy: Policy
    period: str = ""
    done_at: dt.datetime | None = None
    closed: bool = False


@dataclass(frozen=True)
class PreviewItem:
    at: dt.datetime
    kind: MessageKind
    level: int
    plan: str
    task: str
    agency: str
    person: str
    channel: str
    role: Role
    deadline: dt.date
    reason: str
    step: str
    copy: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(VN_TZ).isoformat(),
            "kind": str(self.kind),
            "level": self.level,
            "plan": self.plan,
            "task": self.task,
            "agency": self.agency,
            "person": self.person,
            "channel": self.channel,
            "role": str(self.role),
            "deadline": self.deadline.isoformat(),
            "reason": self.reason,
            "step": self.step,
            "copy": self.copy,
        }


class _Addressbook:
    """People of each agency filtered by position, cached per (agency, positions)."""

    def __init__(self, people: Mapping[str, Sequence[Recipient]]) -> None:
        self._people = people
        self._cache: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, str], ...]] = {}

    def people(self, target: AgencyTarget) -> list[Recipient]:
        """Everyone addressable in the target agency who has a usable channel."""
        return [
            p
            for p in self._people.get(target.agency, ())
            if p.role_in_agency in target.addressed_roles and p.channels
        ]

    def reachable(self, target: AgencyTarget) -> tuple[tuple[str, str], ...]:
        """(person key, first channel) of everyone addressable in the target agency."""
        key = (target.agency, target.addressed_roles)
        found = self._cache.get(key)
        if found is None:
            found = tuple(
                (p.key, p.channels[0])
                for p in self._people.get(target.agency, ())
                if p.role_in_agency in target.addressed_roles and p.channels
            )
            self._cache[key] = found
        return found


class _Planner:
    """plan_steps with two caches: the steps, and a cheap span to skip far occurrences."""

    LIMIT = 4096

    def __init__(self, calendar: WorkingCalendar, lo: dt.datetime, hi: dt.datetime) -> None:
        self.calendar, self.lo, self.hi = calendar, lo, hi
        self._steps: dict[tuple[Any, ...], list[PlannedStep]] = {}
        self._spans: dict[tuple[dt.date, int], tuple[dt.datetime, dt.datetime]] = {}

    def steps(self, occ: PreviewOccurrence) -> list[PlannedStep]:
        """The occurrence's steps, or [] when none can fall inside the window."""
        span_key = (occ.nominal, id(occ.policy))
        span = self._spans.get(span_key)
        if span is None:
            span = self._spans[span_key] = _span(occ.nominal, occ.policy, self.calendar)
        if span[1] <= self.lo or span[0] >= self.hi:
            return []
        key = (occ.kind, occ.nominal, occ.roles, id(occ.policy))
        steps = self._steps.get(key)
        if steps is None:
            if len(self._steps) >= self.LIMIT:  # bounded: memory must not follow the plans
                self._steps.clear()
            steps = plan_steps(occ.kind, occ.nominal, occ.roles, occ.policy, self.calendar)
            self._steps[key] = steps
        return steps


def preview(
    occurrences: Iterable[PreviewOccurrence],
    people: Mapping[str, Sequence[Recipient]],
    calendar: WorkingCalendar,
    start: dt.datetime,
    end: dt.datetime,
    digest_policy: Policy | None = None,
) -> list[PreviewItem]:
    """Every message due in [start, end), in time order, assuming nobody answers
    (so the no-answer follow-ups too); with ``digest_policy``, the monitors' digests."""
    return list(iter_preview(occurrences, people, calendar, start, end, digest_policy))


def _sort_key(item: PreviewItem) -> tuple[Any, ...]:
    return (item.at, item.plan, item.task, item.step, item.copy, item.agency, item.person)


def iter_preview(
    occurrences: Iterable[PreviewOccurrence],
    people: Mapping[str, Sequence[Recipient]],
    calendar: WorkingCalendar,
    start: dt.datetime,
    end: dt.datetime,
    digest_policy: Policy | None = None,
) -> Iterator[PreviewItem]:
    """:func:`preview` as a stream, in the same order, holding only the items still ahead.

    The occurrences are planned in the order of the first instant any of their messages
    can have (:func:`_span`); an item earlier than the next occurrence's first instant
    can be preceded by nothing still to come, so it is yielded. The sort key ends with the
    occurrence's place in the input, as the stable sort of the whole list would."""
    lo, hi = as_utc(start), as_utc(end)
    book = _Addressbook(people)
    planner = _Planner(calendar, lo, hi)
    occurrences = list(occurrences)
    compiled = _compiled_by(occurrences, planner, lo, hi)
    spans: dict[tuple[dt.date, int], dt.datetime] = {}
    order: list[tuple[dt.datetime, int]] = []
    for index, occ in enumerate(occurrences):
        if occ.closed:
            continue
        key = (occ.nominal, id(occ.policy))
        first = spans.get(key)
        if first is None:
            first = spans[key] = _span(occ.nominal, occ.policy, calendar)[0] - dt.timedelta(days=1)
        order.append((first, index))
    order.sort()
    # One heap entry per occurrence still being yielded: its items sorted (a stable sort,
    # so ties keep their order of production), the next one's key first.
    heap: list[tuple[tuple[Any, ...], int, int, list[PreviewItem]]] = []
    if digest_policy is not None:
        digests: list[PreviewItem] = []
        _digests(digests, occurrences, book, calendar, digest_policy, lo, hi)
        _push_run(heap, digests, len(occurrences))
    for first, index in order:
        while heap and heap[0][0][0] < first:
            yield _pop(heap)
        items: list[PreviewItem] = []
        occ = occurrences[index]
        _occurrence_items(items, occ, index, book, planner, calendar, compiled, lo, hi)
        _push_run(heap, items, index)
    while heap:
        yield _pop(heap)


def _push_run(
    heap: list[tuple[tuple[Any, ...], int, int, list[PreviewItem]]],
    items: list[PreviewItem],
    index: int,
) -> None:
    if items:
        items.sort(key=_sort_key)
        heapq.heappush(heap, (_sort_key(items[0]), index, 0, items))


def _pop(heap: list[tuple[tuple[Any, ...], int, int, list[PreviewItem]]]) -> PreviewItem:
    """The first item of the heap's first run; the run's next item takes its place."""
    _, index, n, items = heap[0]
    if n + 1 < len(items):
        heapq.heapreplace(heap, (_sort_key(items[n + 1]), index, n + 1, items))
    else:
        heapq.heappop(heap)
    return items[n]


def _occurrence_items(
    items: list[PreviewItem],
    occ: PreviewOccurrence,
    index: int,
    book: _Addressbook,
    planner: _Planner,
    calendar: WorkingCalendar,
    compiled: dict[tuple[str, str], int],
    lo: dt.datetime,
    hi: dt.datetime,
) -> None:
    """The items of one occurrence (a compiled report only from the occurrence that
    :func:`_compiled_by` chose for its plan and period)."""
    stop = hi if occ.done_at is None else min(hi, as_utc(occ.done_at))
    steps = planner.steps(occ)
    _followups(items, occ, steps, book, calendar, lo, stop)
    _unreached(items, occ, calendar, lo, stop)
    for step in steps:
        if step.kind == MessageKind.COMPILED_REPORT:
            group = (occ.plan, occ.period or occ.nominal.isoformat())
            if compiled.get(group) != index or not lo <= step.at < hi:
                continue
            _emit(items, occ, step, book, _compiled_reason(occ, step), task="")
        elif lo <= step.at < stop:
            _emit(items, occ, step, book, step.reason, task=occ.task)


def _compiled_by(
    occurrences: Sequence[PreviewOccurrence], planner: _Planner, lo: dt.datetime, hi: dt.datetime
) -> dict[tuple[str, str], int]:
    """(plan, period) -> the first occurrence (input order) whose compiled report falls in
    the window: the compiled report is one per plan and period."""
    out: dict[tuple[str, str], int] = {}
    for index, occ in enumerate(occurrences):
        if occ.closed or occ.kind != OccurrenceKind.REPORT:
            continue
        group = (occ.plan, occ.period or occ.nominal.isoformat())
        if group in out:
            continue
        for step in planner.steps(occ):
            if step.kind == MessageKind.COMPILED_REPORT and lo <= step.at < hi:
                out[group] = index
                break
    return out


FOLLOWUP_OF = FOLLOWED_UP_KINDS


def _followups(
    items: list[PreviewItem],
    occ: PreviewOccurrence,
    steps: Sequence[PlannedStep],
    book: _Addressbook,
    calendar: WorkingCalendar,
    lo: dt.datetime,
    stop: dt.datetime,
) -> None:
    """The no-answer follow-up of each reminder to the lead agency (nobody answers here):
    ``no_answer_followup_working_days`` later, on the person's next channel, unless a newer
    message of the same occurrence reaches the agency first (as the sweep decides)."""
    days = occ.policy.no_answer_followup_working_days
    if not days:
        return
    for i, step in enumerate(steps):
        if step.kind not in FOLLOWUP_OF:
            continue
        at = after_working_days(step.at, days, calendar, occ.policy).astimezone(VN_TZ)
        if not lo <= at < stop:
            continue
        for target in step.targets:
            if target.copy or target.role != Role.LEAD:
                continue
            newer = any(
                step.at < later.at <= at and any(t.agency == target.agency for t in later.targets)
                for later in steps[i + 1 :]
            )
            if newer:
                continue
            sent_on = vn_date(step.at.astimezone(VN_TZ).date())
            what = step.kind.label.lower()
            reason = f"Chưa có phản hồi cho tin {what} ngày {sent_on}; nhắc lại qua kênh khác"
            for person in book.people(target):
                channel = person.channels[1] if len(person.channels) > 1 else person.channels[0]
                items.append(
                    PreviewItem(
                        at,
                        MessageKind.FOLLOWUP,
                        0,
                        occ.plan,
                        occ.task,
                        target.agency,
                        person.key,
                        channel,
                        target.role,
                        step.deadline,
                        reason,
                        f"{step.key}+followup",
                        False,
                    )
                )


def _unreached(
    items: list[PreviewItem],
    occ: PreviewOccurrence,
    calendar: WorkingCalendar,
    lo: dt.datetime,
    stop: dt.datetime,
) -> None:
    """An escalation level with nobody to go to still shows, when it would have been due."""
    deadline = calendar.effective_deadline(occ.nominal, occ.policy.deadline_rule)
    for level in unreached_levels(occ.roles, occ.policy):
        day = calendar.add_working_days(deadline, level.working_days_overdue)
        at = dt.datetime.combine(day, occ.policy.remind_at, tzinfo=VN_TZ)
        if not lo <= at < stop:
            continue
        roles = ", ".join(r.label for r in level.to)
        reason = f"Cấp {level.level}: không có cơ quan {roles} nhận tin (kế hoạch không nêu)"
        items.append(
            PreviewItem(
                at, MessageKind.ESCALATION, level.level, occ.plan, occ.task, "", "", "",
                level.to[0], deadline, reason, f"escalation-{level.level}", False,
            )
        )  # fmt: skip


def _digests(
    items: list[PreviewItem],
    occurrences: Sequence[PreviewOccurrence],
    book: _Addressbook,
    calendar: WorkingCalendar,
    policy: Policy,
    lo: dt.datetime,
    hi: dt.datetime,
) -> None:
    """The monitor's digest at ``digest_at`` on the days :func:`digest_due` says (the
    engine's rule: daily when its content changed, or weekly), when there is news."""
    by_monitor: dict[str, list[tuple[PreviewOccurrence, dt.date]]] = {}
    for occ in occurrences:
        if occ.closed:
            continue
        effective = calendar.effective_deadline(occ.nominal, occ.policy.deadline_rule)
        for code in occ.roles.monitor:
            by_monitor.setdefault(code, []).append((occ, effective))
    last: dict[str, str | None] = dict.fromkeys(by_monitor)
    boards = {code: _Board(occs, calendar) for code, occs in by_monitor.items()}
    day, stop = lo.astimezone(VN_TZ).date(), hi.astimezone(VN_TZ).date()
    while day <= stop:
        at = dt.datetime.combine(day, policy.digest_at, tzinfo=VN_TZ)
        for code in sorted(by_monitor):
            board = boards[code]
            board.advance(day)
            fingerprint = board.fingerprint()
            if not digest_due(policy.digest, day, calendar, fingerprint, bool(board), last[code]):
                continue
            last[code] = board.sent()
            if lo <= at < hi:
                _digest_items(items, code, at, board, book, policy)
        day += dt.timedelta(days=1)


ABSENT, SOON, LATE = 0, 1, 2  # an item's place in a digest: none, due soon, overdue
SECTION = {SOON: Section.DUE_SOON, LATE: Section.OVERDUE}


class _Board:
    """One monitor's digest day after day, kept up to date by the changes alone, so a
    day costs the items that change that day, not every item open.

    The days are asked in order and an item only moves forward: not yet due soon, due
    soon, overdue, done (gone for good; any stage may be skipped), by
    :func:`digest_section`'s rule. So the digest's content differs from the last one
    sent exactly when some (key, section) came or went an odd number of times since:
    that set of pairs (``changed``) stands in for comparing fingerprints."""

    def __init__(self, occs: list[tuple[PreviewOccurrence, dt.date]], calendar: WorkingCalendar):
        self.calendar = calendar
        self.items = sorted(
            (
                (e, f"{o.plan}|{o.task}|{o.kind}|{o.nominal.isoformat()}", _done_day(o.done_at))
                for o, e in occs
            ),
            key=lambda t: t[0],
        )
        self.place = bytearray(len(self.items))  # ABSENT, SOON or LATE, per item
        self.entered = 0  # items[:entered] have reached the digest (or were done before)
        self.late = 0  # items[:late] are past their deadline
        self.low = 0  # no item before this one is still in the digest
        self.done: list[tuple[dt.date, int]] = []  # heap: (day done, item) of items in it
        self.count = self.overdue = 0
        self.pairs: dict[tuple[str, int], int] = {}  # (key, place) -> items there
        self.changed: set[tuple[str, int]] = set()  # pairs in or out since the last sent
        self.sends = 0

    def __bool__(self) -> bool:
        return self.count > 0

    def advance(self, day: dt.date) -> None:
        """Bring the board to ``day`` (days come in order)."""
        items, place = self.items, self.place
        while self.done and self.done[0][0] <= day:
            i = heapq.heappop(self.done)[1]
            self._move(i, ABSENT)
        while self.late < len(items) and items[self.late][0] < day:
            if place[self.late] == SOON:
                self._move(self.late, LATE)
            self.late += 1
        while self.entered < len(items):
            effective, _, done = items[self.entered]
            if digest_section(effective, None, day, self.calendar) is None:
                break  # not due soon yet, nor is anything later
            if done is None or done > day:
                self._move(self.entered, LATE if effective < day else SOON)
                if done is not None:
                    heapq.heappush(self.done, (done, self.entered))
            self.entered += 1
        while self.low < self.entered and not place[self.low]:
            self.low += 1

    def first(self) -> dt.date:
        """The earliest deadline in the digest (it is not empty)."""
        return self.items[self.low][0]

    def fingerprint(self) -> str:
        """Equal to the last sent digest's fingerprint exactly when the content is the same."""
        return str(self.sends) if not self.changed else f"{self.sends}+"

    def sent(self) -> str:
        """A digest went out with today's content: its fingerprint from now on."""
        self.sends += 1
        self.changed.clear()
        return self.fingerprint()

    def _move(self, i: int, to: int) -> None:
        key, was = self.items[i][1], self.place[i]
        if was:
            self.count -= 1
            self.overdue -= was == LATE
            self._pair(key, was, -1)
        if to:
            self.count += 1
            self.overdue += to == LATE
            self._pair(key, to, 1)
        self.place[i] = to

    def _pair(self, key: str, where: int, by: int) -> None:
        pair = (key, where)
        n = self.pairs.get(pair, 0) + by
        if n:
            self.pairs[pair] = n
        else:
            del self.pairs[pair]
        if n == 0 or (n == 1 and by == 1):  # the pair went out or came in
            self.changed ^= {pair}


def _done_day(done_at: dt.datetime | None) -> dt.date | None:
    """The day from which a done item leaves the digest (:func:`digest_section`)."""
    return None if done_at is None else as_utc(done_at).astimezone(VN_TZ).date()


def _digest_items(
    items: list[PreviewItem],
    code: str,
    at: dt.datetime,
    board: _Board,
    book: _Addressbook,
    policy: Policy,
) -> None:
    target = AgencyTarget(code, Role.MONITOR, False, tuple(policy.addressed_roles))
    overdue = board.overdue
    reason = f"Tổng hợp tình hình: {overdue} quá hạn, {board.count - overdue} sắp đến hạn"
    first = board.first()
    for person in book.people(target):
        items.append(
            PreviewItem(
                at, MessageKind.DIGEST, 0, "", "", code, person.key, person.channels[0],
                Role.MONITOR, first, reason, "digest", False,
            )
        )  # fmt: skip


def _span(
    nominal: dt.date, policy: Policy, calendar: WorkingCalendar
) -> tuple[dt.datetime, dt.datetime]:
    """Instants that surely enclose every step of an occurrence (cheap window filter)."""
    deadline = calendar.effective_deadline(nominal, policy.deadline_rule)
    before = max((r.working_days_before for r in policy.reminders), default=0)
    esc = policy.escalation
    after = max(
        [policy.overdue.working_days_after, policy.reporting.compiled_report.working_days_after]
        + [
            lv.working_days_overdue + esc.repeat_every_working_days * esc.max_repeats
            for lv in esc.levels
        ]
    )
    first = calendar.add_working_days(deadline, -before)
    last = calendar.next_working_day(calendar.add_working_days(deadline, after))
    return (
        dt.datetime.combine(first, dt.time(0), tzinfo=VN_TZ),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=VN_TZ),
    )


def _compiled_reason(occ: PreviewOccurrence, step: PlannedStep) -> str:
    if not occ.period:
        return step.reason
    return f"Tổng hợp báo cáo {occ.period} (hạn {vn_date(step.deadline)})"


def _emit(
    items: list[PreviewItem],
    occ: PreviewOccurrence,
    step: PlannedStep,
    book: _Addressbook,
    reason: str,
    task: str,
) -> None:
    for target in step.targets:
        reachable = book.reachable(target)
        if not reachable:
            reachable = (("", ""),)
            why = f"{reason}; {NOBODY}"
        else:
            why = reason
        for person, channel in reachable:
            items.append(
                PreviewItem(
                    step.at,
                    step.kind,
                    step.level,
                    occ.plan,
                    task,
                    target.agency,
                    person,
                    channel,
                    target.role,
                    step.deadline,
                    why,
                    step.key,
                    target.copy,
                )
            )
