"""What every answer shares: who acts, on what, whether they may, and what it did.

An answer names its **actor** (:class:`ByPerson` for an answer link, :class:`ByChat` for
a chat platform, :class:`ByOperator` for the office at the command line) and its
**target** (a message, or a deadline). :func:`open_scope` is the one preamble: it finds
the message and the deadline, authorizes the actor once, loads the occurrence and says
whether the deadline is already done, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from notifier.domain.policy import Policy
from notifier.domain.status import Bucket
from notifier.domain.steps import TaskRoles
from notifier.errors import NotFound, Refused
from notifier.runtime import Runtime
from notifier.store.addresses import choose_channel, people_of_chat
from notifier.store.contexts import RowContext
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import Acknowledgement, Agency, Deadline, Event, Notification, Person
from notifier.store.outbox import configured_channels, insert_rows, new_row
from notifier.textfmt import capfirst, vn_datetime
from notifier.vocab import (
    AckAction,
    DeadlineStatus,
    EventKind,
    MessageKind,
    Role,
    Via,
    offered_answers,
)

NOT_LINKED = (
    "Cuộc trò chuyện này chưa được liên kết với người nhận nào. "
    "Vui lòng gửi /start MÃ với mã do văn phòng cấp."
)
ADMIN = "Quản trị viên"


class ReasonRequired(Refused, ValueError):
    """A blocked report or a manual escalation without a reason/note."""


# ---------------------------------------------------------------- actors and targets


@dataclass(frozen=True)
class ByPerson:
    """A known person: the recipient of an answer link, or a person picked by the office."""

    person_id: int


@dataclass(frozen=True)
class ByChat:
    """Whoever is linked to this chat on a chat platform (Telegram, Zalo)."""

    channel: str
    chat_id: str


@dataclass(frozen=True)
class ByOperator:
    """The office acting without a person (the command line); ``name`` is shown."""

    name: str = ""


Actor = ByPerson | ByChat | ByOperator


@dataclass(frozen=True)
class Target:
    """What is answered: a message (and so its deadline), or a deadline directly."""

    notification_id: int | None = None
    deadline_id: int | None = None


@dataclass(frozen=True)
class AnswerResult:
    """What an answer did; ``message`` is the Vietnamese sentence to show the person."""

    action: AckAction
    deadline_id: int
    changed: bool
    message: str
    ack_id: int | None = None
    queued: int = 0  # outbox rows created
    bucket: Bucket | None = None
    actor_name: str = ""  # who acted, as a surface shows it
    actor_id: int | None = None  # the acting person (None: the office)
    task_title: str = ""


@dataclass(frozen=True)
class TaskMatch:
    deadline_id: int
    plan_key: str
    task_ref: str
    note: str  # e.g. which occurrence of a recurring task was chosen


@dataclass
class Scope:
    """One answer in progress: everything the preamble found, in one transaction."""

    session: Session
    runtime: Runtime
    now: datetime
    via: Via
    deadline: Deadline
    occ: Occurrence
    person: Person | None
    notification: Notification | None
    operator: str = ""
    account: str = ""  # the web account acting, recorded with the answer

    @property
    def deadline_id(self) -> int:
        assert self.deadline.id is not None
        return self.deadline.id

    @property
    def is_done(self) -> bool:
        return self.deadline.status == DeadlineStatus.DONE

    @property
    def who(self) -> str:
        return self.person.name if self.person is not None else (self.operator or ADMIN)

    def result(
        self, action: AckAction, changed: bool, message: str, **more: object
    ) -> AnswerResult:
        return AnswerResult(
            action, self.deadline_id, changed, message, actor_name=self.who,
            actor_id=self.person.id if self.person else None, task_title=self.occ.task_title,
            **more,  # type: ignore[arg-type]
        )  # fmt: skip

    def already_done(self, action: AckAction) -> AnswerResult:
        when = f" lúc {vn_datetime(self.occ.done_at)}" if self.occ.done_at else ""
        text = f"{capfirst(label(self.occ))} đã được báo cáo hoàn thành{when}; không ghi nhận thêm."
        return self.result(action, False, text)


def open_scope(
    session: Session,
    runtime: Runtime,
    now: datetime,
    target: Target,
    actor: Actor,
    via: Via,
    *,
    recipient_only: bool = False,
    action: AckAction | None = None,
) -> Scope:
    """The preamble of every answer: message, deadline, authorization, occurrence.

    Authorization: an operator may act on anything; a person may give a message sent to
    them the answers it offers (vocab.offered_answers: the Chairman acknowledges an
    escalation, he does not report it done), or act on a deadline of their lead or
    monitor agency; a chat acts as the first of its linked people who may. Anything else
    is Refused, nothing changed.
    """
    notification = _notification(session, target.notification_id, actor)
    deadline_id = notification.deadline_id if notification is not None else target.deadline_id
    if notification is not None and target.deadline_id not in (None, deadline_id):
        raise Refused("Thông báo và nhiệm vụ không khớp nhau.")
    if deadline_id is None:
        raise ValueError("cần deadline_id hoặc notification_id")
    person = _authorized(session, runtime.policy, deadline_id, notification, actor, action)
    deadline = _deadline(session, deadline_id)
    occ = occurrence(session, deadline_id, runtime.policy)
    operator = actor.name if isinstance(actor, ByOperator) else ""
    return Scope(session, runtime, now, via, deadline, occ, person, notification, operator)


def _notification(
    session: Session, notification_id: int | None, actor: Actor
) -> Notification | None:
    if notification_id is None:
        return None
    notification = session.get(Notification, notification_id)
    if notification is None:
        if isinstance(actor, ByOperator):
            raise NotFound(f"Không có thông báo số {notification_id}.")
        raise Refused("Không tìm thấy thông báo này.")
    if notification.deadline_id is None:
        raise Refused("Thông báo này không gắn với một nhiệm vụ cụ thể nên không cần phản hồi.")
    return notification


def _authorized(
    session: Session,
    policy: Policy,
    deadline_id: int,
    notification: Notification | None,
    actor: Actor,
    action: AckAction | None = None,
) -> Person | None:
    """The acting person (None for an operator), after the one authorization check."""
    if isinstance(actor, ByOperator):
        return None
    if isinstance(actor, ByPerson):
        return _may_act(session, policy, deadline_id, notification, actor.person_id, action)
    people = people_of_chat(session, actor.channel, actor.chat_id)
    if not people:
        raise Refused(NOT_LINKED)
    refusal: Refused | None = None
    for candidate in people:
        assert candidate.id is not None
        try:
            return _may_act(session, policy, deadline_id, notification, candidate.id, action)
        except Refused as exc:
            refusal = exc
    assert refusal is not None
    raise refusal


def _may_act(
    session: Session,
    policy: Policy,
    deadline_id: int,
    notification: Notification | None,
    person_id: int,
    action: AckAction | None = None,
) -> Person:
    person = session.get(Person, person_id)
    if person is None or not person.active:
        raise Refused("Người dùng không có trong danh bạ hoặc đã ngừng nhận thông báo.")
    if notification is not None and notification.person_id == person_id:
        offered = offered_answers(notification.kind, notification.role, notification.copy_only)
        if action is None or action in offered:
            occurrence(session, deadline_id, policy)
            return person
    roles = occurrence(session, deadline_id, policy).roles
    if agency_code(session, person) not in (*roles.lead, *roles.monitor):
        if notification is not None and notification.person_id == person_id:
            raise Refused(
                f"Thông báo này gửi đồng chí với vai trò {notification.role.label}; "
                f"không ghi nhận «{AckAction(action).label if action else ''}» từ thông báo này."
            )
        raise Refused(
            "Đồng chí không thuộc cơ quan chủ trì hoặc cơ quan theo dõi, đôn đốc nhiệm vụ này."
        )
    return person


def _deadline(session: Session, deadline_id: int) -> Deadline:
    deadline = session.get(Deadline, deadline_id)
    if deadline is None:
        raise NotFound(f"Không có hạn nhiệm vụ số {deadline_id}.")
    if deadline.status == DeadlineStatus.CANCELLED:
        raise Refused("Hạn nhiệm vụ này đã bị hủy.")
    return deadline


def occurrence(session: Session, deadline_id: int, policy: Policy | None = None) -> Occurrence:
    found = load_occurrences(session, policy or Policy(), deadline_ids=[deadline_id])
    if not found:
        raise Refused("Nhiệm vụ này không còn được theo dõi (đã hủy hoặc không còn hiệu lực).")
    return found[0]


def agency_code(session: Session, person: Person) -> str:
    agency = session.get(Agency, person.agency_id)
    return agency.code if agency is not None else ""


def agency_name(session: Session, person: Person) -> str:
    agency = session.get(Agency, person.agency_id)
    return agency.name if agency is not None else ""


def label(occ: Occurrence) -> str:
    period = f" ({occ.period})" if occ.period else ""
    return f"nhiệm vụ {occ.task_ref}{period}"


# ---------------------------------------------------------------- recording


def record(scope: Scope, action: AckAction, message: str, note: str = "") -> Acknowledgement:
    """Append the acknowledgement and its event; returns the flushed acknowledgement."""
    notification_id = scope.notification.id if scope.notification is not None else None
    ack = Acknowledgement(
        deadline_id=scope.deadline_id,
        notification_id=notification_id,
        person_id=scope.person.id if scope.person else None,
        action=action,
        via=scope.via,
        note=note,
        at=scope.now,
        account=scope.account,
    )
    scope.session.add(ack)
    scope.session.flush()
    scope.session.add(
        Event(
            at=scope.now,
            kind=EventKind.answer(action),
            message=message,
            deadline_id=scope.deadline_id,
            person_id=ack.person_id,
            data={
                "ack_id": ack.id,
                "via": scope.via,
                "notification_id": notification_id,
                "note": note,
                **({"account": scope.account} if scope.account else {}),
            },
        )
    )
    return ack


def people(session: Session, codes: Iterable[str], positions: Sequence[str]) -> list[Person]:
    """Active people of the agencies holding one of ``positions``, each once."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return []
    agencies = session.exec(select(Agency).where(col(Agency.code).in_(wanted))).all()
    ids = [a.id for a in agencies if a.active]
    query = select(Person).where(col(Person.agency_id).in_(ids), Person.active == True)  # noqa: E712
    return [p for p in session.exec(query.order_by(col(Person.id))) if p.role in positions]


@dataclass(frozen=True)
class Recipient:
    """One message an answer causes: to whom, of what kind, in which role."""

    person: Person
    kind: MessageKind
    role: Role
    copy: bool = False
    level: int = 0


def queue(
    scope: Scope, *, occurrence: str, step: str, rows: Sequence[Recipient], context: RowContext
) -> int:
    """Insert outbox rows due now, each person once (ON CONFLICT DO NOTHING on the key)."""
    configured = configured_channels(scope.runtime.settings)
    seen: set[int] = set()
    values = []
    for row in rows:
        if row.person.id is None or row.person.id in seen:
            continue
        seen.add(row.person.id)
        values.append(
            new_row(
                occurrence=occurrence, step=step, person=row.person,
                channel=choose_channel(row.person, configured), kind=row.kind,
                due_at=scope.now, now=scope.now, deadline_id=scope.deadline_id, level=row.level,
                role=row.role, copy_only=row.copy, context=context,
            )
        )  # fmt: skip
    return len(insert_rows(scope.session, values))


def role_of(agency: str, roles: TaskRoles, default: Role) -> Role:
    """The role an agency plays in the task (lead first), or ``default``."""
    for role in (Role.LEAD, Role.MONITOR, Role.DIRECTING, Role.COMPILER, Role.COORDINATING):
        if agency in roles.agencies(role):
            return role
    return default
