"""Catch-up after a late import or downtime: per person at most one message.

The sweep turns due steps into :class:`Candidate` s; :func:`decide` turns them into
outbox rows:

1. a step is *stale* when its time is more than ``catch_up_after_working_days`` old;
2. a stale copy ("để biết") is not sent at all: nobody needs yesterday's copy today;
3. per occurrence and person only the latest stale step counts (compiled reports: the
   latest period per plan); the older ones are recorded ``skipped`` with the reason;
4. a person left with one stale item gets that message, marked late; with several,
   each is recorded ``skipped`` ("gộp vào thông báo gửi bù") and one ``catch_up``
   message lists them all, each with its own answer links (link channels).

Steps on time are rows as usual. Every row keeps why it is late (``late_reason``), from
:func:`notifier.domain.lateness.late_reason`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from notifier.domain.policy import Policy
from notifier.domain.steps import AgencyTarget, PlannedStep, WorkingDaysLater, apply_send_window
from notifier.engine.digest import local_today, unanswered_text, working_days_left
from notifier.render import CatchUpLine, TaskLine
from notifier.runtime import Runtime
from notifier.store.addresses import choose_channel
from notifier.store.contexts import CatchUpContext, CatchUpItem, dump_context, step_context
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import Agency, Notification, Person
from notifier.store.outbox import new_row
from notifier.store.readmodel import deadline_states
from notifier.vocab import (
    FOLLOWED_UP_KINDS,
    DeliveryStatus,
    LateReason,
    MessageKind,
    OccurrenceKind,
    Role,
    offered_answers,
)

# What the latest stale step of an item stands for, as a catch-up line says it.
WHAT = {
    MessageKind.REMINDER: "sắp đến hạn",
    MessageKind.DUE_TODAY: "đến hạn",
    MessageKind.OVERDUE: "chưa báo cáo hoàn thành",
    MessageKind.ESCALATION: "đã đến mức báo cáo lãnh đạo",
    MessageKind.REPORT_REQUEST: "chưa báo cáo",
}
STALE = (
    "bỏ qua khi gửi bù: thời điểm gửi đã qua hơn {n} ngày làm việc; chỉ gửi tin mới nhất ({step})"
)
STALE_COPY = "bỏ qua khi gửi bù: bản gửi để biết của một bước đã qua, không gửi lại"
MERGED = "gộp vào thông báo gửi bù cho người nhận (một tin liệt kê các nhiệm vụ)"


@dataclass(frozen=True)
class Candidate:
    """One message the sweep would create: an occurrence's step for one person."""

    occurrence: str
    occ: Occurrence
    step: PlannedStep
    target: AgencyTarget
    person: Person
    stale: bool
    late_reason: LateReason | None = None
    late_since: dt.datetime | None = None

    @property
    def compiled(self) -> bool:
        return self.step.kind == MessageKind.COMPILED_REPORT


@dataclass
class Decided:
    """Rows to insert, and what the catch-up did (for the sweep report)."""

    rows: list[dict[str, Any]]
    skipped: int = 0
    late: int = 0
    catch_ups: int = 0


def decide(
    candidates: Sequence[Candidate],
    runtime: Runtime,
    configured: Collection[str],
    now: dt.datetime,
) -> Decided:
    """The outbox rows for the candidates (steps 1-4 of the module docstring)."""
    pick = _Pick(runtime, configured, now)
    unique: dict[tuple[str, str, int], Candidate] = {}
    for c in candidates:
        unique.setdefault((c.occurrence, c.step.key, c.person.id or 0), c)
    out = Decided(rows=[])
    latest: dict[tuple[object, int], Candidate] = {}
    for c in unique.values():
        if not c.stale:
            out.rows.append(_values(c, pick))
            continue
        if c.target.copy:
            out.rows.append(_skipped(c, pick, STALE_COPY))
            out.skipped += 1
            continue
        group = (("compiled", c.occ.plan_id) if c.compiled else c.occurrence, c.person.id or 0)
        best = latest.get(group)
        if best is None or (c.step.at, c.step.key) > (best.step.at, best.step.key):
            latest[group] = c
    kept = {id(c) for c in latest.values()}
    for c in unique.values():
        if c.stale and not c.target.copy and id(c) not in kept:
            n = c.occ.policy.catch_up_after_working_days
            reason = STALE.format(n=n, step=latest[_group(c)].step.key)
            out.rows.append(_skipped(c, pick, reason))
            out.skipped += 1
    _per_person(out, list(latest.values()), pick)
    return out


def _group(c: Candidate) -> tuple[object, int]:
    return (("compiled", c.occ.plan_id) if c.compiled else c.occurrence, c.person.id or 0)


def _per_person(out: Decided, stale: list[Candidate], pick: _Pick) -> None:
    """One message per person: the item itself, or one catch-up listing several."""
    by_person: dict[int, list[Candidate]] = defaultdict(list)
    for c in stale:
        if c.compiled:  # the compiled status is its own message, the latest period only
            out.rows.append(_values(c, pick, late=True))
            out.late += 1
        else:
            by_person[c.person.id or 0].append(c)
    for items in by_person.values():
        items.sort(key=lambda c: (c.occ.effective, c.occ.task_ref, c.occ.period))
        if len(items) == 1:
            out.rows.append(_values(items[0], pick, late=True))
            out.late += 1
            continue
        for c in items:
            out.rows.append(_skipped(c, pick, MERGED))
            out.skipped += 1
        out.rows.append(_catch_up_row(items, pick))
        out.catch_ups += 1


def _catch_up_row(items: list[Candidate], pick: _Pick) -> dict[str, Any]:
    person, now = items[0].person, pick.now
    reasons = [c for c in items if c.late_reason is not None]
    why = max(reasons, key=lambda c: c.step.at) if reasons else None
    context = CatchUpContext(
        items=tuple(
            CatchUpItem(
                c.occ.deadline_id,
                c.occurrence,
                c.step.key,
                c.step.kind,
                c.step.level,
                c.target.role,
            )
            for c in items
        ),  # fmt: skip
        late_reason=why.late_reason if why else None,
        late_since=why.late_since if why else None,
    )
    policy = items[0].occ.policy
    return new_row(
        occurrence=f"catchup:{now.isoformat()}",
        step=MessageKind.CATCH_UP,
        person=person,
        channel=pick.channel(person),
        kind=MessageKind.CATCH_UP,
        due_at=now,
        now=now,
        next_attempt_at=pick.window(policy),
        role=items[0].target.role,
        late=True,
        context=context,
    )


def _skipped(c: Candidate, pick: _Pick, reason: str) -> dict[str, Any]:
    return _values(c, pick, skipped=reason)


class _Pick:
    """Per batch, once each: a person's channel, a policy's next sending time from now, a
    step's stored context."""

    def __init__(self, runtime: Runtime, configured: Collection[str], now: dt.datetime) -> None:
        self.runtime, self.configured, self.now = runtime, configured, now
        self.channels: dict[int, str] = {}
        self.windows: dict[int, tuple[Policy, dt.datetime]] = {}  # the policy kept: its id stays
        self.contexts: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.later = WorkingDaysLater(runtime.calendar)

    def channel(self, person: Person) -> str:
        key = person.id or 0
        if key not in self.channels:
            self.channels[key] = choose_channel(person, self.configured)
        return self.channels[key]

    def context(self, c: Candidate, late: bool) -> dict[str, Any]:
        """The stored context of a candidate's row: one document for the people addressed
        by the same step of the same target (the candidates keep the objects in the key
        alive for the batch)."""
        key = (id(c.occ), id(c.step), id(c.target), late, c.late_reason, c.late_since)
        hit = self.contexts.get(key)
        if hit is None:
            hit = self.contexts[key] = dump_context(
                step_context(
                    c.step.kind,
                    reason=c.step.reason,
                    agency=c.target.agency,
                    plan_id=c.occ.plan_id,
                    plan_key=c.occ.plan_key,
                    period=c.occ.period,
                    deadline=c.step.deadline,
                    late_news=late,
                    late_reason=c.late_reason,
                    late_since=c.late_since,
                )
            )
        return hit

    def window(self, policy: Policy) -> dt.datetime:
        hit = self.windows.get(id(policy))
        if hit is None:
            at = apply_send_window(self.now, policy, self.runtime.calendar)
            hit = self.windows[id(policy)] = (policy, at)
        return hit[1]


def _values(c: Candidate, pick: _Pick, *, late: bool = False, skipped: str = "") -> dict[str, Any]:
    """A pending row for the candidate (a late sweep still sends inside the send window),
    or with ``skipped`` the recorded row of a step not sent, with the reason."""
    policy, now = c.occ.policy, pick.now
    extra: dict[str, Any]
    if skipped:
        extra = {"status": DeliveryStatus.SKIPPED, "next_attempt_at": None, "last_error": skipped}
    else:
        extra = {"next_attempt_at": pick.window(policy)}
    followup = (
        not skipped
        and c.step.kind in FOLLOWED_UP_KINDS
        and c.target.role == Role.LEAD
        and not c.target.copy
        and policy.no_answer_followup_working_days > 0
    )
    if followup:
        n = policy.no_answer_followup_working_days
        extra["followup_at"] = pick.later(max(c.step.at, now), n, policy)
    return new_row(
        occurrence=c.occurrence,
        step=c.step.key,
        person=c.person,
        channel=pick.channel(c.person),
        kind=c.step.kind,
        due_at=c.step.at,
        now=now,
        deadline_id=None if c.compiled else c.occ.deadline_id,
        level=c.step.level,
        role=c.target.role,
        copy_only=c.target.copy,
        late=late,
        stored_context=pick.context(c, late),
        **extra,
    )


# ---------------------------------------------------------------- reading it back


def catch_up_lines(
    session: Session, runtime: Runtime, data: CatchUpContext, person_id: int, now: dt.datetime
) -> tuple[CatchUpLine, ...]:
    """The items of a catch-up message as of ``now`` (still-open ones), with the id of
    the recipient's recorded (skipped) row of each, which its answer links answer."""
    ids = [i.deadline_id for i in data.items]
    occs = {o.deadline_id: o for o in load_occurrences(session, runtime.policy, deadline_ids=ids)}
    states = deadline_states(session, ids)
    names = {a.code: a.name for a in session.exec(select(Agency))}
    rows = _row_ids(session, data.items, person_id)
    today = local_today(now)
    out = []
    for item in data.items:
        occ = occs.get(item.deadline_id)
        if occ is None or not occ.is_open:
            continue
        state = states.get(item.deadline_id)
        last = state.last_answer if state is not None else None
        line = TaskLine(
            plan_number=occ.plan_number,
            task_ref=occ.task_ref,
            task_title=occ.task_title,
            lead=", ".join(names.get(c, c) for c in occ.roles.lead) or occ.lead_written,
            deadline=occ.effective,
            working_days=working_days_left(runtime.calendar, today, occ.effective),
            last_answer=f"{last.who} {last.action.past}" if last is not None else "",
            level=state.level if state is not None else 0,
            unanswered=unanswered_text(state),
            period=occ.period if occ.kind == OccurrenceKind.REPORT else "",
        )
        what = WHAT.get(item.kind, item.kind.label.lower())
        answers = offered_answers(item.kind, item.role, False)
        row_id = rows.get((item.occurrence, item.step))
        out.append(CatchUpLine(line, what, item.role, row_id=row_id, answers=answers))
    return tuple(out)


def _row_ids(
    session: Session, items: tuple[CatchUpItem, ...], person_id: int
) -> dict[tuple[str, str], int]:
    """The recipient's recorded (skipped) row of each item, in one query."""
    query = select(Notification.occurrence, Notification.step, Notification.id).where(
        col(Notification.occurrence).in_(list({i.occurrence for i in items})),
        Notification.person_id == person_id,
        col(Notification.status) == DeliveryStatus.SKIPPED,
    )
    out: dict[tuple[str, str], int] = {}
    for occurrence, step, row_id in session.exec(query.order_by(col(Notification.id))):
        if row_id is not None:
            out.setdefault((occurrence, step), row_id)
    return out
