"""What the compiled report needs beyond the occurrences, read in a few bulk queries:
the plan's header, agency names per task role, result notes and reported obstacles."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, as_utc
from notifier.plans.resolve import AgencyEntry, AgencyIndex
from notifier.reports.model import Obstacle, ObstacleRecipient, PlanHeader
from notifier.store.models import (
    Agency,
    AgencyGroup,
    Deadline,
    Notification,
    Person,
    Plan,
    Task,
    TaskRole,
)
from notifier.store.readmodel import answers_of
from notifier.vocab import AckAction, DeliveryStatus, OccurrenceKind, Role

ROMAN = re.compile(r"^[IVXLC]+$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_value(numeral: str) -> int:
    total = 0
    for i, char in enumerate(numeral):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[numeral[i + 1]] if i + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def ref_key(ref: str) -> tuple[tuple[int, int, str], ...]:
    """Plan order of task refs: "II.2" < "II.10" < "III.1"; Roman parts by value."""
    out = []
    for part in ref.split("."):
        if ROMAN.match(part):
            out.append((0, roman_value(part), ""))
        elif part.isdigit():
            out.append((1, int(part), ""))
        else:
            out.append((2, 0, part))
    return tuple(out)


def section_of(ref: str) -> str:
    first = ref.split(".", 1)[0]
    return first if ROMAN.match(first) else ""


@dataclass(frozen=True)
class TaskFacts:
    ref: str
    title: str
    lead: tuple[str, ...]
    coordinating: tuple[str, ...]
    output: str
    timeframe: str
    group: str


def _role_names(session: Session, task_ids: Sequence[int]) -> dict[tuple[int, str], list[str]]:
    """Directory names (agency or named group) per (task id, role), in plan order."""
    agencies = {a.id: a.name for a in session.exec(select(Agency))}
    groups = {g.id: g.name for g in session.exec(select(AgencyGroup))}
    out: dict[tuple[int, str], list[str]] = defaultdict(list)
    query = select(TaskRole).where(col(TaskRole.task_id).in_(list(task_ids)))
    for role in session.exec(query.order_by(col(TaskRole.id))):
        name = agencies.get(role.agency_id) if role.agency_id is not None else None
        name = name or (groups.get(role.group_id) if role.group_id is not None else None)
        name = name or role.written
        if name not in out[(role.task_id, role.role)]:
            out[(role.task_id, role.role)].append(name)
    return out


def _group_heading(ref: str, group: str | None) -> str:
    """ "I. Công tác chỉ đạo, điều hành" for a table group; the heading as written else."""
    parts = ref.split(".")
    if not group:
        return ""
    if len(parts) > 2 and ROMAN.match(parts[1]):
        return f"{parts[1]}. {group}"
    return group


def task_facts(session: Session, plan: Plan) -> dict[int, TaskFacts]:
    """Per task id: agencies by role, output, timeframe as written, group heading."""
    tasks = session.exec(select(Task).where(Task.plan_id == plan.id)).all()
    names = _role_names(session, [t.id for t in tasks if t.id is not None])
    groups = {t.get("ref"): t.get("group") for t in plan.parsed.get("tasks", [])}
    out = {}
    for task in tasks:
        assert task.id is not None
        out[task.id] = TaskFacts(
            ref=task.ref,
            title=task.title,
            lead=tuple(names[(task.id, Role.LEAD)]),
            coordinating=tuple(names[(task.id, Role.COORDINATING)]),
            output=task.output,
            timeframe=task.timeframe_text,
            group=_group_heading(task.ref, groups.get(task.ref)),
        )
    return out


def task_total(session: Session, plan_id: int) -> int:
    query = select(Task.id).where(Task.plan_id == plan_id, Task.active == True)  # noqa: E712
    return len(session.exec(query).all())


def completion_notes(session: Session, deadline_ids: Sequence[int]) -> dict[int, str]:
    query = select(Deadline.id, Deadline.completion_note).where(
        col(Deadline.id).in_(list(deadline_ids))
    )
    return {i: note for i, note in session.exec(query).all() if i is not None}


def agency_names(session: Session) -> dict[str, str]:
    return {a.code: a.name for a in session.exec(select(Agency))}


def _issuer_name(session: Session, issuer: str) -> str:
    """The directory's full name of the issuer ("UBND huyện Ba Tơ" -> "Ủy ban nhân dân ...")."""
    agencies = session.exec(select(Agency)).all()
    index = AgencyIndex([AgencyEntry(a.code, a.name, tuple(a.aliases)) for a in agencies])
    match = index.resolve(issuer) if issuer.strip() else None
    names = {a.code: a.name for a in agencies}
    return names[match.code] if match is not None and not match.is_group else issuer


def _recipients(parsed: dict[str, Any]) -> tuple[tuple[str, ...], str]:
    """The plan's "(B/c)" recipients and its archive line without "Lưu" ("VT, TCKH")."""
    recipients = parsed.get("recipients", [])
    upward = tuple(r["name"] for r in recipients if r.get("for_report") and not r.get("archive"))
    archive = next((r["name"] for r in recipients if r.get("archive")), "")
    archive = re.sub(r"^\s*lưu\s*:?\s*", "", archive, flags=re.IGNORECASE).strip(" .;")
    return upward, archive


def plan_header(session: Session, plan: Plan) -> PlanHeader:
    assert plan.id is not None
    signer = plan.parsed.get("plan", {}).get("signer") or {}
    upward, archive = _recipients(plan.parsed)
    return PlanHeader(
        id=plan.id,
        key=plan.key,
        issuer=plan.issuer,
        issuer_name=_issuer_name(session, plan.issuer),
        number=plan.number,
        date=plan.plan_date,
        title=plan.title,
        place=plan.place,
        signer_capacity=signer.get("capacity") or "",
        signer_title=signer.get("title") or "",
        report_recipients=upward,
        archive=archive,
    )


@dataclass(frozen=True)
class DeadlineInfo:
    """What an obstacle line shows about the deadline it concerns."""

    ref: str
    title: str
    period: str
    kind: OccurrenceKind


def _status(row: Notification, at: datetime) -> DeliveryStatus:
    """The row's status as it stood at ``at``: a message sent later was still waiting."""
    if row.status == DeliveryStatus.SENT and (row.sent_at is None or as_utc(row.sent_at) > at):
        return DeliveryStatus.PENDING
    return row.status


def _obstacle_recipients(
    session: Session, ack_ids: Sequence[int], at: datetime
) -> dict[int, list[ObstacleRecipient]]:
    """Per acknowledgement id, the people its obstacle messages were queued for by ``at``."""
    keys = {f"obstacle:{i}": i for i in ack_ids}
    rows = session.exec(
        select(Notification, Person, Agency)
        .where(col(Notification.occurrence).in_(list(keys)))
        .where(Notification.person_id == Person.id, Person.agency_id == Agency.id)
        .order_by(col(Notification.copy_only), col(Notification.id))
    ).all()
    out: dict[int, list[ObstacleRecipient]] = defaultdict(list)
    for row, person, agency in rows:
        if as_utc(row.created_at) <= at:
            recipient = ObstacleRecipient(person.name, agency.name, row.copy_only, _status(row, at))
            out[keys[row.occurrence]].append(recipient)
    return out


def obstacles(
    session: Session,
    infos: dict[int, DeadlineInfo],
    at: datetime,
    window: tuple[date, date] | None,
) -> tuple[Obstacle, ...]:
    """ "Báo vướng mắc" answers on these deadlines recorded by ``at`` (inside ``window``)."""
    found = [
        (deadline_id, a)
        for deadline_id, answers in answers_of(session, list(infos)).items()
        for a in answers
        if a.action == AckAction.BLOCKED and as_utc(a.at) <= at and _inside(a.at, window)
    ]
    found.sort(key=lambda pair: (as_utc(pair[1].at), pair[1].ack_id or 0))
    sent = _obstacle_recipients(session, [a.ack_id for _, a in found if a.ack_id is not None], at)
    return tuple(
        Obstacle(
            deadline_id=deadline_id, ref=infos[deadline_id].ref, title=infos[deadline_id].title,
            period=infos[deadline_id].period, kind=infos[deadline_id].kind, reporter=a.who,
            reporter_agency=a.agency, at=a.at, reason=a.note,
            recipients=tuple(sent.get(a.ack_id or 0, ())),
        )
        for deadline_id, a in found
    )  # fmt: skip


def _inside(instant: datetime, window: tuple[date, date] | None) -> bool:
    if window is None:
        return True
    day = as_utc(instant).astimezone(VN_TZ).date()
    return window[0] <= day <= window[1]
