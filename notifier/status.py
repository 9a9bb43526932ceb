"""The status board and the answer log: what the office reads with `status` and `log`.

Every occurrence (a deadline, or one reporting period of an ongoing task) falls in
one of the four official buckets (domain.status), shown in their fixed order. Open
items carry working days left (negative: overdue), the last answer and the
escalation level reached. Named groups used by a plan but without any member are
reported loudly: their messages could never be delivered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, as_utc
from notifier.domain.status import BUCKET_ORDER, Bucket, bucket
from notifier.domain.steps import unreached_levels
from notifier.runtime import Runtime
from notifier.store.calendar_notice import estimate_notice
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import (
    Acknowledgement,
    Agency,
    AgencyGroup,
    Deadline,
    DeliveryAttempt,
    GroupMember,
    Notification,
    Person,
    Plan,
    PlanRole,
    Task,
    TaskRole,
)
from notifier.store.readmodel import Answer, deadline_states
from notifier.textfmt import plan_number, vn_date, vn_datetime
from notifier.vocab import MessageKind, PlanStatus


@dataclass(frozen=True)
class Item:
    deadline_id: int
    plan: str
    plan_label: str  # "24/KH-UBND (1)": number and id, what a person types after --plan
    task: str
    title: str
    lead: str
    period: str
    deadline: date
    bucket: Bucket
    working_days: int  # > 0 left, 0 due today, < 0 overdue (working days)
    last_answer: str
    level: int
    done_at: datetime | None
    unreached: tuple[int, ...] = ()  # escalation levels with nobody to go to
    nominal: date | None = None  # the plan's own date, when art. 148 moved the deadline
    plan_id: int = 0
    lead_codes: tuple[str, ...] = ()
    coordinating_codes: tuple[str, ...] = ()
    original: date | None = None  # the deadline before the office extended it

    def to_json(self) -> dict[str, Any]:
        return {
            "deadline_id": self.deadline_id,
            "plan": self.plan,
            "plan_label": self.plan_label,
            "task": self.task,
            "title": self.title,
            "lead": self.lead,
            "period": self.period,
            "deadline": self.deadline.isoformat(),
            **({"original_deadline": self.original.isoformat()} if self.original else {}),
            "bucket": str(self.bucket),
            "bucket_label": self.bucket.label,
            "working_days": self.working_days,
            "last_answer": self.last_answer,
            "escalation_level": self.level,
            "unreached_levels": list(self.unreached),
            "done_at": self.done_at.astimezone(VN_TZ).isoformat() if self.done_at else None,
        }


@dataclass
class Board:
    now: datetime
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[Bucket, int]]:
        """The four buckets in official order, zeros included."""
        found = defaultdict(int, {b: 0 for b in BUCKET_ORDER})
        for item in self.items:
            found[item.bucket] += 1
        return [(b, found[b]) for b in BUCKET_ORDER]

    @property
    def open_items(self) -> list[Item]:
        return [i for i in self.items if i.bucket in (Bucket.OPEN_IN_TIME, Bucket.OPEN_OVERDUE)]

    def to_json(self) -> dict[str, Any]:
        return {
            "now": self.now.astimezone(VN_TZ).isoformat(),
            "buckets": [{"bucket": str(b), "label": b.label, "count": n} for b, n in self.counts],
            "items": [i.to_json() for i in self.items],
            "warnings": self.warnings,
        }


def describe_answer(answer: Answer) -> str:
    """ "Đã nhận – Trần Văn Minh, Telegram, 08:15 Thứ Hai, 22/4/2024"."""
    note = f": {answer.note}" if answer.note else ""
    return (
        f"{answer.action.label}{note} – {answer.who}, {answer.via.label}, {vn_datetime(answer.at)}"
    )


def empty_group_warnings(session: Session) -> list[str]:
    """Groups used by an open plan's tasks or duties that have no active member."""
    open_plans = [p.id for p in session.exec(select(Plan).where(Plan.status == PlanStatus.OPEN))]
    tasks = select(Task.id).where(col(Task.plan_id).in_(open_plans), Task.active == True)  # noqa: E712
    used = set(
        session.exec(select(TaskRole.group_id).where(col(TaskRole.task_id).in_(tasks))).all()
    ) | set(
        session.exec(select(PlanRole.group_id).where(col(PlanRole.plan_id).in_(open_plans))).all()
    )
    active = {a.id for a in session.exec(select(Agency).where(Agency.active == True))}  # noqa: E712
    members: dict[int, int] = defaultdict(int)
    for member in session.exec(select(GroupMember)):
        if member.agency_id in active:
            members[member.group_id] += 1
    out = []
    for group in session.exec(select(AgencyGroup).order_by(col(AgencyGroup.code))):
        if group.id in used and not members[group.id or 0]:
            out.append(
                f"CẢNH BÁO: nhóm '{group.name}' ({group.code}) được dùng trong kế hoạch nhưng "
                "chưa có cơ quan thành viên nào; thông báo cho nhóm này sẽ KHÔNG được gửi. "
                "Bổ sung members trong config/directory.yaml rồi chạy `notifier sync`."
            )
    return out


def status_board(
    session: Session,
    runtime: Runtime,
    now: datetime,
    *,
    plan_key: str | None = None,
    agency: str | None = None,
    where: Callable[[Occurrence], bool] | None = None,
) -> Board:
    """Every occurrence of open plans (or one plan), optionally only those led by ``agency``
    and those ``where`` accepts (the web board passes what the account may see)."""
    now = as_utc(now)
    occurrences = [
        o
        for o in load_occurrences(session, runtime.policy, plan_key=plan_key)
        if (plan_key is not None or not o.plan_closed)
        and (agency is None or agency in o.roles.lead)
        and (where is None or where(o))
    ]
    states = deadline_states(session, [o.deadline_id for o in occurrences])
    today = now.astimezone(VN_TZ).date()
    board = Board(now=now, warnings=empty_group_warnings(session))
    notice = estimate_notice(runtime.calendar, today)
    if notice is not None:
        board.warnings.append(f"LƯU Ý: {notice}")
    for occ in occurrences:
        state = states[occ.deadline_id]
        last = state.last_answer
        board.items.append(
            Item(
                deadline_id=occ.deadline_id,
                plan=occ.plan_key,
                plan_label=f"{plan_number(occ.plan_number)} ({occ.plan_id})",
                task=occ.task_ref,
                title=occ.task_title,
                lead=occ.lead_written,
                period=occ.period,
                deadline=occ.effective,
                bucket=bucket(occ.judged_by, occ.done_at, now),
                working_days=runtime.calendar.working_days_between(today, occ.effective),
                last_answer=describe_answer(last) if last is not None else "",
                level=state.level,
                done_at=occ.done_at,
                unreached=tuple(lv.level for lv in unreached_levels(occ.roles, occ.policy)),
                nominal=occ.nominal if occ.nominal != occ.effective else None,
                plan_id=occ.plan_id,
                lead_codes=occ.roles.lead,
                coordinating_codes=occ.roles.coordinating,
                original=occ.original,
            )
        )
    board.warnings += unreached_notices(board.open_items)
    return board


def unreached_notices(items: list[Item]) -> list[str]:
    """One line per plan and level that open items cannot escalate to."""
    tasks: dict[tuple[str, int], list[str]] = defaultdict(list)
    for item in items:
        for level in item.unreached:
            if item.task not in tasks[(item.plan_label, level)]:
                tasks[(item.plan_label, level)].append(item.task)
    return [
        f"CẢNH BÁO: kế hoạch {plan}: nhiệm vụ {', '.join(refs)} không có nơi nhận ở cấp đôn đốc "
        f"{level} (kế hoạch không nêu cơ quan nhận); xem tệp cài đặt riêng của kế hoạch."
        for (plan, level), refs in sorted(tasks.items())
    ]


def deadline_ids_of_task(session: Session, ref: str, plan_key: str | None = None) -> list[int]:
    query = select(Deadline.id).where(Deadline.task_id == Task.id, Task.ref == ref)
    if plan_key is not None:
        query = query.where(Task.plan_id == Plan.id, Plan.key == plan_key)
    return [i for i in session.exec(query).all() if i is not None]


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    event: str  # delivery | answer
    person: str
    agency: str
    channel: str
    action: str  # the message kind (delivery) or the answer (received, done, ...)
    outcome: str  # delivery: sent / failed ...; answer: ""
    note: str
    message_id: int | None
    task: str
    account: str = ""  # the web account that recorded an answer in the browser

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(VN_TZ).isoformat(),
            "event": self.event,
            "person": self.person,
            "agency": self.agency,
            "channel": self.channel,
            "action": self.action,
            "outcome": self.outcome,
            "note": self.note,
            "message_id": self.message_id,
            "task": self.task,
            **({"account": self.account} if self.account else {}),
        }


class _Names:
    def __init__(self, session: Session) -> None:
        agencies = {a.id: a.name for a in session.exec(select(Agency))}
        self.person = {
            p.id: (p.name, agencies.get(p.agency_id, "")) for p in session.exec(select(Person))
        }
        refs = select(Deadline.id, Task.ref, Plan.id, Plan.number).where(
            Deadline.task_id == Task.id, Task.plan_id == Plan.id
        )
        self.task = {
            d: task_label(ref, plan, number) for d, ref, plan, number in session.exec(refs)
        }

    def who(self, person_id: int | None) -> tuple[str, str]:
        return self.person.get(person_id, ("Quản trị viên", ""))


def task_label(ref: str, plan_id: int | None, number: str) -> str:
    """A task as the log names it: "II.1 (24/KH-UBND)", or for a plan without a number
    "II.1 (kế hoạch 1, chưa có số)", the id being what ``--plan`` takes (never the key,
    a content hash)."""
    if plan_number(number) == number.strip():
        return f"{ref} ({number.strip()})"
    return f"{ref} (kế hoạch {plan_id}, chưa có số)"


def what_about(occurrence: str) -> str:
    """In words, what a message with no deadline is about; its key is internal.

    A compiled report names its period ("6 tháng đầu năm 2026"), a digest its day; the
    others (tests, alerts, catch-up notices) say what they are in their kind alone.
    """
    head, _, rest = occurrence.partition(":")
    if head == "compiled":  # engine.sweep: "compiled:{plan id}:{period}"
        return rest.partition(":")[2]
    if head == MessageKind.DIGEST:
        try:
            return f"ngày {vn_date(date.fromisoformat(rest))}"
        except ValueError:
            return ""
    return ""


def answer_log(
    session: Session, *, since: datetime | None = None, deadline_ids: list[int] | None = None
) -> list[LogEntry]:
    """Delivery attempts and acknowledgements, oldest first."""
    names = _Names(session)
    deliveries = select(DeliveryAttempt, Notification).where(
        DeliveryAttempt.notification_id == Notification.id
    )
    answers = select(Acknowledgement)
    if since is not None:
        deliveries = deliveries.where(col(DeliveryAttempt.started_at) >= since)
        answers = answers.where(col(Acknowledgement.at) >= since)
    if deadline_ids is not None:
        deliveries = deliveries.where(col(Notification.deadline_id).in_(deadline_ids))
        answers = answers.where(col(Acknowledgement.deadline_id).in_(deadline_ids))
    out = [
        LogEntry(attempt.started_at, "delivery", *names.who(row.person_id), attempt.channel,
                 row.kind, attempt.outcome, attempt.error, row.id,
                 names.task.get(row.deadline_id or 0) or what_about(row.occurrence))
        for attempt, row in session.exec(deliveries).all()
    ]  # fmt: skip
    out += [
        LogEntry(ack.at, "answer", *names.who(ack.person_id), ack.via, ack.action, "",
                 ack.note, ack.notification_id, names.task.get(ack.deadline_id, ""), ack.account)
        for ack in session.exec(answers).all()
    ]  # fmt: skip
    return sorted(out, key=lambda e: (e.at, e.event != "delivery"))
