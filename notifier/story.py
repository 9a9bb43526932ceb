"""A task's whole story, for the task page: what it is, every deadline, and its timeline.

The timeline merges the outbox (every message queued, sent, failed, skipped or
cancelled, with its attempts), the steps still planned but not yet in the outbox,
and every answer with its note, in time order. Read through
:func:`notifier.store.facts.load_occurrences` so that roles, effective dates and
planned steps are the ones the sweep uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, as_utc
from notifier.domain.status import Bucket, bucket
from notifier.domain.steps import TaskRoles
from notifier.errors import NotFound
from notifier.runtime import Runtime
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import (
    Acknowledgement,
    Agency,
    AgencyGroup,
    Deadline,
    ExtensionRequest,
    GroupMember,
    Notification,
    Person,
    Plan,
    Task,
    TaskRole,
)
from notifier.textfmt import vn_date
from notifier.vocab import AckAction, DeliveryStatus, ExtensionStatus, offered_answers

ROLE_ORDER = ("directing", "lead", "coordinating")


@dataclass(frozen=True)
class RoleLine:
    role: str  # directing | lead | coordinating
    written: str  # as the plan wrote it
    names: tuple[str, ...]  # directory names it resolved to (members, for a group)


@dataclass(frozen=True)
class DeadlineLine:
    deadline_id: int
    kind: str  # deadline | report
    period: str
    nominal: date
    effective: date
    status: str
    bucket: Bucket
    working_days: int
    done_at: datetime | None
    completion_note: str
    original: date | None = None  # the deadline before the office extended it
    plan_nominal: date | None = None  # the plan's own date (before any extension)


@dataclass(frozen=True)
class Receivable:
    """A message sent that its recipient may still acknowledge ("told by phone")."""

    notification_id: int
    deadline_id: int
    person: str
    agency_code: str
    kind: str
    sent_at: datetime


@dataclass(frozen=True)
class Request:
    """A recipient's extension request waiting for the office's decision."""

    request_id: int
    deadline_id: int
    person: str
    proposed: date
    reason: str
    requested_at: datetime


def pending_requests(
    session: Session, deadline_ids: list[int] | None = None
) -> tuple[Request, ...]:
    """Extension requests not yet decided (of the given deadlines), oldest first."""
    query = select(ExtensionRequest).where(ExtensionRequest.status == ExtensionStatus.PENDING)
    if deadline_ids is not None:
        query = query.where(col(ExtensionRequest.deadline_id).in_(deadline_ids))
    names = _people(session)
    return tuple(
        Request(r.id or 0, r.deadline_id, names.get(r.person_id, ""), r.proposed_date, r.reason,
                r.requested_at)
        for r in session.exec(query.order_by(col(ExtensionRequest.id)))
    )  # fmt: skip


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    source: str  # planned | message | answer
    kind: str  # message kind, or answer action
    status: str  # planned | pending | claimed | sent | failed | skipped | cancelled | answer
    deadline_id: int
    channel: str = ""
    person: str = ""  # person, or for a planned step the agencies it goes to
    attempts: int = 0
    level: int = 0
    copy_only: bool = False
    note: str = ""  # answer note, error, or reason


@dataclass(frozen=True)
class TaskStory:
    deadline_id: int  # the deadline the page was opened for
    plan_id: int
    plan_number: str
    plan_date: str
    plan_title: str
    task_ref: str
    task_title: str
    output: str
    timeframe_text: str
    roles: tuple[RoleLine, ...]
    access: TaskRoles  # agency codes per role, for the access check
    deadlines: tuple[DeadlineLine, ...]
    timeline: tuple[TimelineEntry, ...]
    receivable: tuple[Receivable, ...] = ()
    requests: tuple[Request, ...] = ()  # pending extension requests of this deadline

    @property
    def current(self) -> DeadlineLine:
        return next(d for d in self.deadlines if d.deadline_id == self.deadline_id)

    def period_of(self, deadline_id: int) -> str:
        """Which deadline an entry is of: "Kỳ báo cáo Năm 2024", "Thời hạn 02/5/2024"."""
        for line in self.deadlines:
            if line.deadline_id == deadline_id:
                if line.kind == "report":
                    return f"Kỳ báo cáo {line.period}"
                return f"Thời hạn {vn_date(line.effective)}"
        return ""


def task_roles_of(session: Session, runtime: Runtime, deadline_id: int) -> TaskRoles:
    """The roles of a deadline's task (what the access check needs); NotFound if none."""
    found = load_occurrences(session, runtime.policy, deadline_ids=[deadline_id])
    if not found:
        raise NotFound(f"Không có thời hạn số {deadline_id}.")
    return found[0].roles


def _role_lines(session: Session, task_id: int) -> tuple[RoleLine, ...]:
    agencies = {a.id: a for a in session.exec(select(Agency))}
    groups = {g.id: g for g in session.exec(select(AgencyGroup))}
    members: dict[int, list[str]] = {}
    for m in session.exec(select(GroupMember)):
        if m.agency_id in agencies and agencies[m.agency_id].active:
            members.setdefault(m.group_id, []).append(agencies[m.agency_id].name)
    rows = session.exec(select(TaskRole).where(TaskRole.task_id == task_id)).all()
    out = []
    for row in sorted(rows, key=lambda r: (ROLE_ORDER.index(r.role), r.id or 0)):
        if row.agency_id is not None and row.agency_id in agencies:
            names: tuple[str, ...] = (agencies[row.agency_id].name,)
        elif row.group_id is not None and row.group_id in groups:
            names = tuple(sorted(members.get(row.group_id, [])))
        else:
            names = ()
        out.append(RoleLine(row.role, row.written, names))
    return tuple(out)


def _deadline_lines(
    session: Session, occurrences: list[Occurrence], runtime: Runtime, now: datetime
) -> tuple[DeadlineLine, ...]:
    today = as_utc(now).astimezone(VN_TZ).date()
    ids = [o.deadline_id for o in occurrences]
    rows = session.exec(select(Deadline).where(col(Deadline.id).in_(ids))).all()
    notes = {d.id: d.completion_note for d in rows}
    nominals = {d.id: d.original_nominal for d in rows}
    return tuple(
        DeadlineLine(
            deadline_id=o.deadline_id,
            kind=str(o.kind),
            period=o.period,
            nominal=o.nominal,
            effective=o.effective,
            status=o.status,
            bucket=bucket(o.judged_by, o.done_at, now),
            working_days=runtime.calendar.working_days_between(today, o.effective),
            done_at=o.done_at,
            completion_note=notes.get(o.deadline_id, ""),
            original=o.original,
            plan_nominal=nominals.get(o.deadline_id) or o.nominal,
        )  # fmt: skip
        for o in occurrences
    )


def _people(session: Session) -> dict[int | None, str]:
    agencies = {a.id: a.name for a in session.exec(select(Agency))}
    return {
        p.id: f"{p.name} ({agencies.get(p.agency_id, '')})" for p in session.exec(select(Person))
    }


def _messages(
    session: Session, ids: list[int], names: dict[int | None, str]
) -> list[TimelineEntry]:
    rows = session.exec(select(Notification).where(col(Notification.deadline_id).in_(ids))).all()
    return [
        TimelineEntry(
            at=r.sent_at or r.next_attempt_at or r.due_at,
            source="message",
            kind=r.kind,
            status=r.status,
            deadline_id=r.deadline_id or 0,
            channel=r.channel,
            person=names.get(r.person_id, ""),
            attempts=r.attempts,
            level=r.level,
            copy_only=r.copy_only,
            note=r.last_error,
        )  # fmt: skip
        for r in rows
    ]


def _answers(session: Session, ids: list[int], names: dict[int | None, str]) -> list[TimelineEntry]:
    acks = session.exec(select(Acknowledgement).where(col(Acknowledgement.deadline_id).in_(ids)))
    return [
        TimelineEntry(
            at=a.at,
            source="answer",
            kind=a.action,
            status="answer",
            deadline_id=a.deadline_id,
            channel=a.via,
            person=names.get(a.person_id)
            or (f"Tài khoản {a.account}" if a.account else "Quản trị viên"),
            note=a.note,
        )  # fmt: skip
        for a in acks
    ]


def _receivable(session: Session, deadline_id: int) -> tuple[Receivable, ...]:
    """Messages of this deadline sent to a person who may still answer "Đã nhận"."""
    rows = session.exec(
        select(Notification, Person, Agency)
        .where(
            Notification.deadline_id == deadline_id,
            Notification.status == DeliveryStatus.SENT,
            Notification.person_id == Person.id,
            Person.agency_id == Agency.id,
        )
        .order_by(col(Notification.sent_at))
    ).all()
    received = set(
        session.exec(
            select(Acknowledgement.notification_id).where(
                Acknowledgement.deadline_id == deadline_id,
                Acknowledgement.action == AckAction.RECEIVED,
            )
        ).all()
    )
    return tuple(
        Receivable(r.id or 0, deadline_id, f"{p.name} ({a.name})", a.code, r.kind,
                   r.sent_at or r.due_at)
        for r, p, a in rows
        if r.id not in received
        and AckAction.RECEIVED in offered_answers(r.kind, r.role, r.copy_only)
    )  # fmt: skip


def _planned(
    occurrences: list[Occurrence], runtime: Runtime, session: Session, now: datetime
) -> list[TimelineEntry]:
    """Steps of open occurrences that are still ahead and not yet in the outbox."""
    keys = {o.key for o in occurrences}
    queued = set(
        session.exec(
            select(Notification.occurrence, Notification.step).where(
                col(Notification.occurrence).in_(keys)
            )
        ).all()
    )
    agencies = {a.code: a.name for a in session.exec(select(Agency))}
    out = []
    for occ in occurrences:
        for step in occ.pending_steps(runtime.calendar):
            if (occ.key, step.key) in queued or as_utc(step.at) <= as_utc(now):
                continue
            to = [agencies.get(t.agency, t.agency) for t in step.targets if not t.copy]
            cc = [agencies.get(t.agency, t.agency) for t in step.targets if t.copy]
            who = "; ".join(to) + (f" (đồng gửi: {'; '.join(cc)})" if cc else "")
            out.append(
                TimelineEntry(
                    at=step.at,
                    source="planned",
                    kind=str(step.kind),
                    status="planned",
                    deadline_id=occ.deadline_id,
                    person=who,
                    level=step.level,
                    note=step.reason,
                )  # fmt: skip
            )
    return out


def task_story(session: Session, runtime: Runtime, deadline_id: int, now: datetime) -> TaskStory:
    """Everything the task page shows; NotFound for an unknown deadline."""
    deadline = session.get(Deadline, deadline_id)
    task = session.get(Task, deadline.task_id) if deadline else None
    plan = session.get(Plan, task.plan_id) if task else None
    if deadline is None or task is None or plan is None or task.id is None:
        raise NotFound(f"Không có thời hạn số {deadline_id}.")
    occurrences = [
        o
        for o in load_occurrences(session, runtime.policy, plan_key=plan.key, task_ref=task.ref)
        if o.task_id == task.id
    ]
    current = next((o for o in occurrences if o.deadline_id == deadline_id), None)
    if current is None:
        raise NotFound(f"Thời hạn số {deadline_id} không còn được theo dõi.")
    ids = [o.deadline_id for o in occurrences]
    names = _people(session)
    timeline = (
        _messages(session, ids, names)
        + _answers(session, ids, names)
        + _planned(occurrences, runtime, session, now)
    )
    lines = _deadline_lines(session, occurrences, runtime, now)
    return TaskStory(
        deadline_id=deadline_id, plan_id=plan.id or 0, plan_number=plan.number,
        plan_date=plan.plan_date, plan_title=plan.title, task_ref=task.ref,
        task_title=task.title, output=task.output, timeframe_text=task.timeframe_text,
        roles=_role_lines(session, task.id), access=current.roles, deadlines=lines,
        timeline=tuple(sorted(timeline, key=lambda e: (as_utc(e.at), e.source != "message"))),
        receivable=_receivable(session, deadline_id),
        requests=pending_requests(session, [deadline_id]),
    )  # fmt: skip
