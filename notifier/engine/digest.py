"""The monitor's daily digest and the data of the compiled report (issue 5 §5).

At ``policy.digest_at`` each working day every person of a plan's monitor agencies
(addressed by the policy's positions) gets one digest row per day across all the
plans they monitor (occurrence ``digest:{YYYY-MM-DD}``), with the four official
status counts, the overdue items and the items due within five working days.
Nothing is queued when there is nothing to say. The compiled report for the
compiler uses the same :class:`Summary` for one plan.

Counting: a task with a due date counts once per deadline row; an ongoing task
counts per reporting period once that period is within the due-soon horizon or
past, so next December's report does not swell today's "in time" figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, as_utc
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.status import BUCKET_ORDER, DUE_SOON_WORKING_DAYS, Bucket, bucket
from notifier.domain.steps import apply_send_window
from notifier.render import TaskLine
from notifier.runtime import Runtime
from notifier.store.addresses import choose_channel, usable_channels
from notifier.store.contexts import DigestContext
from notifier.store.db import session_scope
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import Agency, Event, Person, Plan
from notifier.store.outbox import configured_channels, insert_rows, new_row
from notifier.store.readmodel import Answer, DeadlineState, deadline_states
from notifier.vocab import EventKind, MessageKind, OccurrenceKind, PlanStatus, Role


@dataclass(frozen=True)
class Summary:
    counts: tuple[tuple[str, int], ...]
    overdue: tuple[TaskLine, ...]
    due_soon: tuple[TaskLine, ...]
    open_items: tuple[TaskLine, ...]

    @property
    def has_news(self) -> bool:
        return bool(self.overdue or self.due_soon)


def local_today(now: dt.datetime) -> dt.date:
    return as_utc(now).astimezone(VN_TZ).date()


def working_days_left(calendar: WorkingCalendar, today: dt.date, deadline: dt.date) -> int:
    """Working days from today to the deadline; 0 on the day, negative once overdue."""
    if deadline >= today:
        return calendar.working_days_between(today, deadline)
    return -calendar.working_days_between(deadline, today)


def _in_play(occ: Occurrence, calendar: WorkingCalendar, today: dt.date) -> bool:
    if occ.kind == OccurrenceKind.DEADLINE or occ.done_at is not None:
        return True
    return calendar.add_working_days(occ.effective, -DUE_SOON_WORKING_DAYS) <= today


def short_answer(answer: Answer) -> str:
    """ "Trần Văn Minh đã nhận (22/04/2024)": the last answer as a digest line says it."""
    when = as_utc(answer.at).astimezone(VN_TZ).strftime("%d/%m/%Y")
    return f"{answer.person} {answer.action.past} ({when})".strip()


def summarize(
    session: Session, occurrences: Iterable[Occurrence], calendar: WorkingCalendar, now: dt.datetime
) -> Summary:
    """The four counts (official order) and the item lists for these occurrences."""
    today = local_today(now)
    occs = [o for o in occurrences if not o.plan_closed and _in_play(o, calendar, today)]
    states = deadline_states(session, [o.deadline_id for o in occs])
    names = {a.code: a.name for a in session.exec(select(Agency))}
    counts = dict.fromkeys(BUCKET_ORDER, 0)
    overdue, due_soon, open_items = [], [], []
    for occ in occs:
        state = bucket(occ.effective, occ.done_at, now)
        counts[state] += 1
        if occ.done_at is not None:
            continue
        left = working_days_left(calendar, today, occ.effective)
        line = TaskLine(
            plan_number=occ.plan_number,
            task_ref=occ.task_ref,
            task_title=occ.task_title,
            lead=", ".join(names.get(c, c) for c in occ.roles.lead) or occ.lead_written,
            deadline=occ.effective,
            working_days=left,
            last_answer=_last_answer(states, occ.deadline_id),
            level=_level(states, occ.deadline_id),
        )
        if state == Bucket.OPEN_OVERDUE:
            overdue.append(line)
        elif left <= DUE_SOON_WORKING_DAYS:
            due_soon.append(line)
        else:
            open_items.append(line)
    return Summary(
        counts=tuple((b.label, counts[b]) for b in BUCKET_ORDER),
        overdue=tuple(sorted(overdue, key=lambda t: t.deadline)),
        due_soon=tuple(sorted(due_soon, key=lambda t: t.deadline)),
        open_items=tuple(sorted(open_items, key=lambda t: t.deadline)),
    )


def _last_answer(states: dict[int, DeadlineState], deadline_id: int) -> str:
    state = states.get(deadline_id)
    last = state.last_answer if state is not None else None
    return short_answer(last) if last is not None else ""


def _level(states: dict[int, DeadlineState], deadline_id: int) -> int:
    state = states.get(deadline_id)
    return state.level if state is not None else 0


def plan_summary(
    session: Session, runtime: Runtime, plan_keys: Sequence[str], now: dt.datetime
) -> Summary:
    """The summary of the given plans (used by the digest and the compiled report)."""
    occs: list[Occurrence] = []
    for key in plan_keys:
        occs += load_occurrences(session, runtime.policy, plan_key=key)
    return summarize(session, occs, runtime.calendar, now)


def _monitors(
    session: Session, occurrences: Iterable[Occurrence]
) -> dict[int, tuple[Person, list[str]]]:
    """Monitor people (by id) with the keys of the plans they monitor."""
    wanted: dict[str, set[tuple[str, tuple[str, ...]]]] = defaultdict(set)
    for occ in occurrences:
        roles = tuple(str(r) for r in occ.policy.addressed_roles)
        for code in occ.roles.monitor:
            wanted[occ.plan_key].add((code, roles))
    codes = {a.id: a.code for a in session.exec(select(Agency)) if a.active}
    people = [p for p in session.exec(select(Person).order_by(col(Person.id))) if p.active]
    out: dict[int, tuple[Person, list[str]]] = {}
    for plan_key, targets in sorted(wanted.items()):
        for person in people:
            mine = codes.get(person.agency_id)
            hit = any(mine == c and person.role in want for c, want in targets)
            if hit and usable_channels(person) and person.id is not None:
                out.setdefault(person.id, (person, []))[1].append(plan_key)
    return out


def run_digests(runtime: Runtime, now: dt.datetime | None = None) -> int:
    """Queue today's digests once ``digest_at`` has passed on a working day; rows created."""
    now = as_utc(now or runtime.clock.now())
    local = now.astimezone(VN_TZ)
    today = local.date()
    if not runtime.calendar.is_working_day(today) or local.time() < runtime.policy.digest_at:
        return 0
    marker = f"{MessageKind.DIGEST} {today.isoformat()}"
    configured = configured_channels(runtime.settings)
    with session_scope(runtime.engine) as session:
        done = select(Event.id).where(Event.kind == EventKind.DIGEST_RUN, Event.message == marker)
        if session.exec(done).first() is not None:
            return 0
        open_plans = select(Plan.key).where(Plan.status == PlanStatus.OPEN)
        occs = [
            o
            for key in session.exec(open_plans).all()
            for o in load_occurrences(session, runtime.policy, plan_key=key)
        ]
        rows = []
        for person, plan_keys in _monitors(session, occs).values():
            mine = [o for o in occs if o.plan_key in plan_keys]
            if not summarize(session, mine, runtime.calendar, now).has_news:
                continue
            rows.append(
                new_row(
                    occurrence=f"{MessageKind.DIGEST}:{today.isoformat()}",
                    step=MessageKind.DIGEST,
                    person=person,
                    channel=choose_channel(person, configured),
                    kind=MessageKind.DIGEST,
                    due_at=now,
                    now=now,
                    next_attempt_at=apply_send_window(now, runtime.policy, runtime.calendar),
                    role=Role.MONITOR,
                    context=DigestContext(tuple(plan_keys)),
                )
            )
        created = len(insert_rows(session, rows))
        event = Event(at=now, kind=EventKind.DIGEST_RUN, message=marker, data={"rows": created})
        session.add(event)
    return created
