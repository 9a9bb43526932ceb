"""The monitor's digest and the data of the compiled report (issue 5 §5, issue 11 §4).

At ``policy.digest_at`` on a working day every person of a plan's monitor agencies
(addressed by the policy's positions) may get one digest row across all the plans they
monitor (occurrence ``digest:{YYYY-MM-DD}``), with the four official status counts, the
overdue items and the items due within five working days. Whether it goes is
:func:`notifier.domain.digest.digest_due`, the rule the preview uses too: by default only
when its content changed since the person's last digest, or weekly. Nothing is queued
when there is nothing to say. The compiled report for the compiler uses the same
:class:`Summary` for one plan.

Counting: a task with a due date counts once per deadline row; an ongoing task
counts per reporting period once that period is within the due-soon horizon or
past, so next December's report does not swell today's "in time" figure. Only the
open rows are read (they are listed); the done ones are counted in the database
(:mod:`notifier.store.done_counts`), so the cost follows the open items, not the table.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, as_utc
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.digest import Section, digest_due, digest_fingerprint, digest_section
from notifier.domain.status import BUCKET_ORDER, DUE_SOON_WORKING_DAYS, Bucket, bucket
from notifier.domain.steps import apply_send_window
from notifier.render import TaskLine
from notifier.runtime import Runtime
from notifier.store.addresses import choose_channel, usable_channels
from notifier.store.contexts import DigestContext, load_context
from notifier.store.db import session_scope
from notifier.store.done_counts import DoneGroup, done_counts
from notifier.store.facts import Occurrence, TaskFacts, load_occurrences
from notifier.store.models import Agency, Event, Notification, Person, Plan
from notifier.store.outbox import configured_channels, insert_rows, new_row
from notifier.store.readmodel import Answer, DeadlineState, Unanswered, deadline_states
from notifier.textfmt import vn_date
from notifier.vocab import LIVE_STATUSES, EventKind, MessageKind, OccurrenceKind, PlanStatus, Role


@dataclass(frozen=True)
class Summary:
    counts: tuple[tuple[str, int], ...]
    overdue: tuple[TaskLine, ...]
    due_soon: tuple[TaskLine, ...]
    open_items: tuple[TaskLine, ...]
    fingerprint: str = ""  # of the digest content (items and their sections)
    reports: int = 0  # how many of the counted occurrences are report periods

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


def unanswered_text(state: DeadlineState | None) -> str:
    """ "Văn phòng HĐND và UBND huyện Ba Tơ (4 lần nhắc, lần cuối 03/5/2024)" per agency."""
    if state is None or not state.unanswered:
        return ""
    by_agency: dict[str, list[Unanswered]] = defaultdict(list)
    for u in state.unanswered:
        by_agency[u.agency].append(u)
    parts = []
    for agency, people in by_agency.items():
        count = max(u.reminders for u in people)
        last = max(as_utc(u.last) for u in people).astimezone(VN_TZ).date()
        parts.append(f"{agency} ({count} lần nhắc, lần cuối {vn_date(last)})")
    return "; ".join(parts)


def short_answer(answer: Answer) -> str:
    """ "Trần Văn Minh đã nhận (22/4/2024)": the last answer as a digest line says it."""
    when = vn_date(as_utc(answer.at).astimezone(VN_TZ).date())
    return f"{answer.person} {answer.action.past} ({when})".strip()


def summarize(
    session: Session,
    occurrences: Iterable[Occurrence],
    calendar: WorkingCalendar,
    now: dt.datetime,
    done: Iterable[DoneGroup] = (),
) -> Summary:
    """The four counts (official order) and the item lists for these occurrences; the
    ``done`` groups are completed occurrences counted in the database, not read."""
    today = local_today(now)
    occs = [o for o in occurrences if not o.plan_closed and _in_play(o, calendar, today)]
    # a done item is only counted: the answers and reminders are read for the open ones
    states = deadline_states(session, [o.deadline_id for o in occs if o.done_at is None])
    names = {a.code: a.name for a in session.exec(select(Agency))}
    counts = dict.fromkeys(BUCKET_ORDER, 0)
    reports = sum(1 for o in occs if o.kind == OccurrenceKind.REPORT)
    for group in done:  # done occurrences are always in play
        counts[Bucket.DONE_ON_TIME] += group.on_time
        counts[Bucket.DONE_LATE] += group.late
        if group.kind == OccurrenceKind.REPORT:
            reports += group.on_time + group.late
    overdue: list[TaskLine] = []
    due_soon: list[TaskLine] = []
    open_items: list[TaskLine] = []
    entries: list[tuple[str, Section]] = []
    for occ in occs:
        counts[bucket(occ.judged_by, occ.done_at, now)] += 1
        if occ.done_at is not None:
            continue
        line = TaskLine(
            plan_number=occ.plan_number,
            task_ref=occ.task_ref,
            task_title=occ.task_title,
            lead=", ".join(names.get(c, c) for c in occ.roles.lead) or occ.lead_written,
            deadline=occ.effective,
            working_days=working_days_left(calendar, today, occ.effective),
            last_answer=_last_answer(states, occ.deadline_id),
            level=_level(states, occ.deadline_id),
            unanswered=unanswered_text(states.get(occ.deadline_id)),
            period=occ.period if occ.kind == OccurrenceKind.REPORT else "",
        )
        section = digest_section(occ.effective, occ.done_at, today, calendar)
        if section is None:
            open_items.append(line)
            continue
        entries.append((str(occ.deadline_id), section))
        (overdue if section == Section.OVERDUE else due_soon).append(line)
    return Summary(
        counts=tuple((b.label, counts[b]) for b in BUCKET_ORDER),
        overdue=tuple(sorted(overdue, key=lambda t: t.deadline)),
        due_soon=tuple(sorted(due_soon, key=lambda t: t.deadline)),
        open_items=tuple(sorted(open_items, key=lambda t: t.deadline)),
        fingerprint=digest_fingerprint(entries),
        reports=reports,
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
    """The summary of the given plans (used by the digest and the compiled report): the
    open occurrences read, the done ones counted in the database."""
    keys = list(dict.fromkeys(plan_keys))
    tasks: dict[int, TaskFacts] = {}
    done = done_counts(session, runtime.policy, keys, tasks)
    occs: list[Occurrence] = []
    for key in keys:
        occs += load_occurrences(session, runtime.policy, plan_key=key, open_only=True, tasks=tasks)
    return summarize(session, occs, runtime.calendar, now, done)


def _monitors(
    session: Session, occurrences: Iterable[Occurrence | DoneGroup]
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


def last_fingerprint(session: Session, person_id: int) -> str | None:
    """The content fingerprint of the last digest queued for the person (None: never)."""
    row = session.exec(
        select(Notification)
        .where(
            Notification.person_id == person_id,
            Notification.kind == MessageKind.DIGEST,
            col(Notification.status).in_(LIVE_STATUSES),
        )
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    data = load_context(MessageKind.DIGEST, row.context)
    return data.fingerprint if isinstance(data, DigestContext) else None


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
        # the open occurrences are read (they are listed), the done ones only counted
        open_plans = session.exec(select(Plan.key).where(Plan.status == PlanStatus.OPEN)).all()
        tasks: dict[int, TaskFacts] = {}  # read once for both
        finished = done_counts(session, runtime.policy, open_plans, tasks)
        occs = [
            o
            for key in open_plans
            for o in load_occurrences(
                session, runtime.policy, plan_key=key, open_only=True, tasks=tasks
            )
        ]
        rows = []
        rule = runtime.policy.digest
        summaries: dict[frozenset[str], Summary] = {}  # people of one agency share theirs
        for person, plan_keys in _monitors(session, [*occs, *finished]).values():
            key = frozenset(plan_keys)
            summary = summaries.get(key)
            if summary is None:
                mine = [o for o in occs if o.plan_key in key]
                counted = [g for g in finished if g.plan_key in key]
                summary = summarize(session, mine, runtime.calendar, now, counted)
                summaries[key] = summary
            assert person.id is not None
            last = last_fingerprint(session, person.id)
            fp = summary.fingerprint
            if not digest_due(rule, today, runtime.calendar, fp, summary.has_news, last):
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
                    context=DigestContext(tuple(plan_keys), summary.fingerprint),
                )
            )
        created = len(insert_rows(session, rows))
        event = Event(at=now, kind=EventKind.DIGEST_RUN, message=marker, data={"rows": created})
        session.add(event)
    return created
