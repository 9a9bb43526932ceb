"""What several readers need to know about a deadline, computed once, in bulk.

The status board, the monitor's digest, the messages (an escalation says who has
answered), the bot's ``/viec`` and the web board all read the same
:class:`DeadlineState`: the escalation level reached, every answer (so the last one),
who was reminded and has not answered, and whether the deadline is open or late.
Whatever the number of deadlines asked about, it costs four queries.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from notifier.domain.status import Bucket, bucket
from notifier.store.db import among, among_bound, is_postgres
from notifier.store.models import (
    Acknowledgement,
    Agency,
    Deadline,
    GroupMember,
    Notification,
    Person,
    Task,
    TaskRole,
)
from notifier.vocab import (
    CHASING_KINDS,
    LIVE_STATUSES,
    AckAction,
    DeadlineStatus,
    DeliveryStatus,
    MessageKind,
    PersonRole,
    Role,
    Via,
)

ADMIN_NAME = "Quản trị viên"


@dataclass(frozen=True)
class Answer:
    """One acknowledgement, with the names a reader shows."""

    action: AckAction
    person: str  # "" when recorded by an administrator without a person
    agency: str
    via: Via
    at: datetime
    note: str = ""
    person_id: int | None = None
    ack_id: int | None = None  # the acknowledgement row (obstacle messages are keyed by it)

    @property
    def who(self) -> str:
        return self.person or ADMIN_NAME


@dataclass(frozen=True)
class Unanswered:
    """A person of the lead agency reminded (not as a copy) whose agency has not answered."""

    person: str
    agency: str
    reminders: int  # chasing messages sent to the person (reminders, notices, follow-ups)
    first: datetime
    last: datetime
    position: str = ""
    person_id: int | None = None


@dataclass(frozen=True)
class DeadlineState:
    deadline_id: int
    effective: date
    status: DeadlineStatus
    done_at: datetime | None
    level: int  # highest escalation level sent (0: none)
    answers: tuple[Answer, ...] = ()  # oldest first
    unanswered: tuple[Unanswered, ...] = ()

    @property
    def last_answer(self) -> Answer | None:
        return self.answers[-1] if self.answers else None

    @property
    def is_open(self) -> bool:
        return self.status == DeadlineStatus.OPEN

    def bucket(self, now: datetime) -> Bucket:
        return bucket(self.effective, self.done_at, now)


def deadline_states(session: Session, deadline_ids: Collection[int]) -> dict[int, DeadlineState]:
    """The state of each given deadline (unknown ids are left out)."""
    ids = list(dict.fromkeys(deadline_ids))
    if not ids:
        return {}
    rows = session.exec(select(Deadline).where(among(session, col(Deadline.id), ids))).all()
    answers = answers_of(session, ids)
    levels = escalation_levels(session, ids)
    unanswered = unanswered_of(session, ids, answers)
    return {
        d.id: DeadlineState(
            deadline_id=d.id,
            effective=d.effective_date,
            status=d.status,
            done_at=d.completed_at,
            level=levels.get(d.id, 0),
            answers=tuple(answers.get(d.id, ())),
            unanswered=tuple(unanswered.get(d.id, ())),
        )
        for d in rows
        if d.id is not None
    }


def operator_name(account: str) -> str:
    """How an answer recorded by the office (no person) names who recorded it."""
    return f"Văn phòng (tài khoản {account})" if account else "Văn phòng"


def answers_of(session: Session, deadline_ids: Sequence[int]) -> dict[int, list[Answer]]:
    """Every acknowledgement of the deadlines, oldest first, with person and agency names."""
    query = _answers_query(is_postgres(session.get_bind()))  # type: ignore[arg-type]
    out: dict[int, list[Answer]] = defaultdict(list)
    for row in session.execute(query, {"ids": list(deadline_ids)}):
        out[row.deadline_id].append(
            Answer(
                action=row.action,
                person=row.person if row.person is not None else operator_name(row.account),
                agency=row.agency or "",
                via=row.via,
                at=row.at,
                note=row.note,
                person_id=row.person_id,
                ack_id=row.id,
            )
        )
    return out


@functools.lru_cache(maxsize=2)
def _answers_query(postgres: bool) -> Any:
    """:func:`answers_of`'s statement, built once: every message that names its deadline's
    answers runs it, and building it cost more than running it."""
    acks = Acknowledgement.__table__  # type: ignore[attr-defined]
    people, agencies = Person.__table__, Agency.__table__  # type: ignore[attr-defined]
    ack, person, agency = acks.c, people.c, agencies.c
    joined = acks.outerjoin(people, ack.person_id == person.id).outerjoin(
        agencies, person.agency_id == agency.id
    )
    columns = (ack.id, ack.deadline_id, ack.action, ack.via, ack.at, ack.note, ack.person_id)
    names = (ack.account, person.name.label("person"), agency.name.label("agency"))
    return (
        sa_select(*columns, *names)
        .select_from(joined)
        .where(among_bound(ack.deadline_id, "ids", postgres))
        .order_by(ack.at, ack.id)
    )


def escalation_levels(
    session: Session, deadline_ids: Sequence[int], *, queued: bool = False
) -> dict[int, int]:
    """Highest escalation level per deadline: sent ones, or (``queued``) also those waiting."""
    statuses = LIVE_STATUSES if queued else (DeliveryStatus.SENT,)
    query = (
        select(Notification.deadline_id, func.max(Notification.level))
        .where(
            among(session, col(Notification.deadline_id), deadline_ids),
            Notification.kind == MessageKind.ESCALATION,
            col(Notification.status).in_(statuses),
        )
        .group_by(col(Notification.deadline_id))
    )
    return {d: int(level or 0) for d, level in session.exec(query) if d is not None}


def unanswered_of(
    session: Session, ids: Sequence[int], answers: dict[int, list[Answer]]
) -> dict[int, list[Unanswered]]:
    """Lead-agency people who got chasing messages, minus agencies that answered."""
    query = (
        sa_select(
            col(Notification.deadline_id),
            col(Person.id),
            col(Person.name),
            col(Person.position),
            col(Person.agency_id),
            col(Agency.name),
            func.count(col(Notification.id)),
            func.min(Notification.sent_at),
            func.max(Notification.sent_at),
        )
        .join(Person, col(Notification.person_id) == Person.id)
        .join(Agency, col(Person.agency_id) == Agency.id)
        .where(
            among(session, col(Notification.deadline_id), ids),
            col(Notification.kind).in_(list(CHASING_KINDS - {MessageKind.ESCALATION})),
            col(Notification.status) == DeliveryStatus.SENT,
            col(Notification.role) == Role.LEAD,
            col(Notification.copy_only).is_(False),
        )
        .group_by(
            col(Notification.deadline_id),
            col(Person.id),
            col(Person.name),
            col(Person.position),
            col(Person.agency_id),
            col(Agency.name),
        )  # fmt: skip
        .order_by(col(Person.id))
    )
    answered_people = {(d, a.person_id) for d, items in answers.items() for a in items}
    agency_of = _agencies_of(session, {pid for _, pid in answered_people if pid is not None})
    answered_agencies = {(d, agency_of.get(pid)) for d, pid in answered_people}
    out: dict[int, list[Unanswered]] = defaultdict(list)
    rows = session.execute(query)
    for deadline_id, pid, name, position, agency_id, agency, count, first, last in rows:
        if deadline_id is None or (deadline_id, agency_id) in answered_agencies:
            continue
        out[deadline_id].append(
            Unanswered(name, agency, int(count), first, last, position or "", pid)
        )
    return out


def escalations_received(
    session: Session, deadline_id: int, person_id: int, *, excluding: int | None = None
) -> int:
    """Escalations of this deadline actually sent to this person (any occurrence key)."""
    query = select(func.count(col(Notification.id))).where(
        Notification.deadline_id == deadline_id,
        Notification.person_id == person_id,
        Notification.kind == MessageKind.ESCALATION,
        Notification.status == DeliveryStatus.SENT,
    )
    if excluding is not None:
        query = query.where(col(Notification.id) != excluding)
    return int(session.exec(query).one() or 0)


def level_title(session: Session, agency_codes: Collection[str]) -> str:
    """Who an escalation level reports to, as a subject names it: the positions of the
    heads of its agencies ("Chủ tịch UBND huyện"), else the agencies' names."""
    codes = list(dict.fromkeys(agency_codes))
    if not codes:
        return ""
    agencies = session.exec(select(Agency).where(col(Agency.code).in_(codes))).all()
    by_id = {a.id: a for a in agencies if a.active}
    heads = session.exec(
        select(Person)
        .where(col(Person.agency_id).in_(list(by_id)), Person.active == True)  # noqa: E712
        .order_by(col(Person.id))
    ).all()
    titles: list[str] = []
    for agency in sorted(by_id.values(), key=lambda a: codes.index(a.code)):
        found = [
            p.position for p in heads if p.agency_id == agency.id and p.role == PersonRole.HEAD
        ]
        titles.append(next((t for t in found if t), agency.name))
    return ", ".join(dict.fromkeys(titles))


def _agencies_of(session: Session, person_ids: Collection[int]) -> dict[int | None, int]:
    if not person_ids:
        return {}
    query = select(Person.id, Person.agency_id).where(col(Person.id).in_(list(person_ids)))
    return {pid: agency for pid, agency in session.exec(query)}


def open_deadlines_led_by(session: Session, agency_ids: Collection[int]) -> list[int]:
    """Open deadline ids of active tasks led by these agencies (directly or through a group)."""
    if not agency_ids:
        return []
    groups = select(GroupMember.group_id).where(col(GroupMember.agency_id).in_(list(agency_ids)))
    led = select(TaskRole.task_id).where(
        TaskRole.role == Role.LEAD,
        or_(col(TaskRole.agency_id).in_(list(agency_ids)), col(TaskRole.group_id).in_(groups)),
    )
    query = select(Deadline.id).where(
        Deadline.status == DeadlineStatus.OPEN,
        col(Deadline.task_id).in_(led),
        col(Deadline.task_id).in_(select(Task.id).where(Task.active == True)),  # noqa: E712
    )
    return [i for i in session.exec(query).all() if i is not None]
