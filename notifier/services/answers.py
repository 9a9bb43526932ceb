"""Received, done, blocked and escalate now, each recorded completely in one transaction.

:class:`Answers` is bound to one session: every method runs the shared preamble
(:func:`~notifier.services.common.open_scope`), records, queues what the answer causes,
and returns an :class:`~notifier.services.common.AnswerResult`. A refusal raises before
anything is written; the caller's transaction then rolls back and nothing changed. A
surface that keeps state of its own (a bot's chat session) writes it in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, as_utc
from notifier.domain.status import bucket
from notifier.errors import NotFound, Refused
from notifier.runtime import Runtime
from notifier.services.common import (
    Actor,
    AnswerResult,
    ReasonRequired,
    Recipient,
    Scope,
    Target,
    agency_code,
    agency_name,
    label,
    open_scope,
    people,
    queue,
    record,
    role_of,
)
from notifier.store.contexts import AnswerContext, EscalationContext
from notifier.store.db import session_scope
from notifier.store.deadlines import extend as extend_deadline
from notifier.store.models import (
    Acknowledgement,
    Agency,
    ExtensionRequest,
    GroupMember,
    Notification,
    Person,
    PlanRole,
)
from notifier.store.outbox import cancel_pending
from notifier.store.readmodel import escalation_levels
from notifier.store.schedule import next_action_time
from notifier.textfmt import vn_date, vn_datetime
from notifier.vocab import (
    AckAction,
    DeadlineStatus,
    ExtensionStatus,
    MessageKind,
    PlanDuty,
    Role,
    Via,
)

FOLLOWUP_SUFFIX = "+followup"


class Answers:
    """The answer use cases inside one transaction (see the module docstring)."""

    def __init__(
        self, runtime: Runtime, session: Session, now: datetime, account: str = ""
    ) -> None:
        self.runtime, self.session, self.now = runtime, session, as_utc(now)
        self.account = account  # the web account acting ("" for bots, links, CLI)

    def scope(
        self, target: Target, actor: Actor, via: Via, action: AckAction | None = None
    ) -> Scope:
        s = open_scope(self.session, self.runtime, self.now, target, actor, via, action=action)
        s.account = self.account
        return s

    # -- received ----------------------------------------------------------------------

    def acknowledge(self, target: Target, actor: Actor, via: Via) -> AnswerResult:
        """ "Đã nhận": append the acknowledgement; cancel the pending no-answer follow-up."""
        s = self.scope(target, actor, via, AckAction.RECEIVED)
        if s.is_done:
            return s.already_done(AckAction.RECEIVED)
        assert s.notification is not None, "received answers a message"
        earlier = self.session.exec(
            select(Acknowledgement).where(
                Acknowledgement.notification_id == s.notification.id,
                Acknowledgement.person_id == (s.person.id if s.person else None),
                Acknowledgement.action == AckAction.RECEIVED,
            )
        ).first()
        if earlier is not None:
            msg = f"Đã ghi nhận trước đó: đồng chí đã nhận thông báo về {label(s.occ)}."
            return s.result(AckAction.RECEIVED, False, msg, ack_id=earlier.id)
        msg = f"Đã ghi nhận: {s.who} đã nhận thông báo về {label(s.occ)}."
        ack = record(s, AckAction.RECEIVED, msg)
        base = s.notification.step.removesuffix(FOLLOWUP_SUFFIX)
        cancel_pending(
            self.session, "đã có phản hồi", occurrence=s.notification.occurrence,
            step=base + FOLLOWUP_SUFFIX,
        )  # fmt: skip
        return s.result(AckAction.RECEIVED, True, msg, ack_id=ack.id)

    # -- done --------------------------------------------------------------------------

    def complete(
        self, target: Target, actor: Actor, via: Via, note: str = "", at: datetime | None = None
    ) -> AnswerResult:
        """ "Đã hoàn thành": close the deadline, stop its messages, confirm, tell the monitor.

        1. a deadline already done is a no-op with a clear message;
        2. status done, completed_at/by/note, pending rows cancelled; next_action_at NULL
           (or the compiled report's time for a reporting period);
        3. acknowledgement + event; confirmation to the sender, copy to the monitor people.
        """
        done_at = as_utc(at) if at is not None else self.now
        if done_at > self.now + timedelta(minutes=5):
            raise ValueError("Thời điểm hoàn thành không thể ở tương lai.")
        s = self.scope(target, actor, via, AckAction.DONE)
        if s.is_done:
            return s.already_done(AckAction.DONE)
        result = bucket(s.occ.judged_by, done_at, self.now)
        deadline = s.deadline
        deadline.status = DeadlineStatus.DONE
        deadline.completed_at = done_at
        deadline.completed_by = s.person.key if s.person else via
        deadline.completion_note = note
        done = replace(s.occ, status=DeadlineStatus.DONE, done_at=done_at)
        calendar = self.runtime.calendar
        deadline.next_action_at = next_action_time(done, calendar, deadline.processed_until)
        self.session.add(deadline)
        cancel_pending(self.session, "task done", deadline_id=s.deadline_id)
        msg = (
            f"Đã ghi nhận: {s.who} báo cáo hoàn thành {label(s.occ)} lúc "
            f"{vn_datetime(done_at)} ({result.label.lower()})."
        )
        ack = record(s, AckAction.DONE, msg, note)
        queued = self._confirm(s, ack, note, monitor=True)
        return s.result(AckAction.DONE, True, msg, ack_id=ack.id, queued=queued, bucket=result)

    def _confirm(self, s: Scope, ack: Acknowledgement, note: str, *, monitor: bool) -> int:
        """Confirmation to the sender and (for done) a copy to the monitor's people."""
        rows: list[Recipient] = []
        kind = MessageKind.CONFIRMATION
        if s.person is not None:
            role = role_of(agency_code(self.session, s.person), s.occ.roles, Role.LEAD)
            rows.append(Recipient(s.person, kind, role))
        if monitor:
            positions = [str(r) for r in s.occ.policy.addressed_roles]
            rows += [
                Recipient(p, kind, Role.MONITOR, copy=True)
                for p in people(self.session, s.occ.roles.monitor, positions)
            ]
        context = AnswerContext(note=note, reporter=s.who, ack_id=ack.id)
        return queue(
            s, occurrence=f"confirm:{ack.id}", step=MessageKind.CONFIRMATION, rows=rows,
            context=context,
        )  # fmt: skip

    # -- blocked -----------------------------------------------------------------------

    def check_obstacle(self, target: Target, actor: Actor, via: Via) -> AnswerResult:
        """May this actor report an obstacle here now? (Asked before prompting for a reason.)"""
        s = self.scope(target, actor, via, AckAction.BLOCKED)
        if s.deadline.status != DeadlineStatus.OPEN:
            raise Refused("Nhiệm vụ này đã kết thúc; không cần báo vướng mắc.")
        return s.result(AckAction.BLOCKED, False, "Vui lòng gửi lý do vướng mắc.")

    def report_obstacle(self, target: Target, actor: Actor, via: Via, reason: str) -> AnswerResult:
        """ "Báo vướng mắc": record the reason and send it at once along the obstacle route.

        The route is the plan's (III.4 of the sample: to UBND huyện, copy to Phòng TC-KH);
        a plan without one sends to the monitor. The sender gets a confirmation.
        """
        reason = " ".join(reason.split())
        if not reason:
            raise ReasonRequired("Vui lòng nêu rõ nội dung khó khăn, vướng mắc.")
        s = self.scope(target, actor, via, AckAction.BLOCKED)
        if s.is_done:
            return s.already_done(AckAction.BLOCKED)
        to, cc = self._route(s.occ.plan_id)
        to = to or list(s.occ.roles.monitor)
        msg = f"Đã ghi nhận vướng mắc về {label(s.occ)} và chuyển ngay đến cơ quan có thẩm quyền."
        ack = record(s, AckAction.BLOCKED, msg, reason)
        positions = [str(r) for r in s.occ.policy.addressed_roles]
        kind = MessageKind.OBSTACLE
        rows = [
            Recipient(p, kind, role_of(code, s.occ.roles, Role.DIRECTING))
            for code in to
            for p in people(self.session, [code], positions)
        ]
        rows += [
            Recipient(p, kind, role_of(code, s.occ.roles, Role.COMPILER), copy=True)
            for code in cc
            if code not in to
            for p in people(self.session, [code], positions)
        ]
        reporter = s.who
        if s.person is not None:
            reporter = f"{s.person.name} – {agency_name(self.session, s.person)}"
        context = AnswerContext(note=reason, reporter=reporter, ack_id=ack.id)
        queued = queue(s, occurrence=f"obstacle:{ack.id}", step=kind, rows=rows, context=context)
        queued += self._confirm(s, ack, reason, monitor=False)
        return s.result(AckAction.BLOCKED, True, msg, ack_id=ack.id, queued=queued)

    def _route(self, plan_id: int) -> tuple[list[str], list[str]]:
        """Agency codes of the plan's obstacle route (to, cc); groups expand to members."""
        session = self.session
        codes = {a.id: a.code for a in session.exec(select(Agency)) if a.active}
        to: list[str] = []
        cc: list[str] = []
        for prole in session.exec(select(PlanRole).where(PlanRole.plan_id == plan_id)):
            if prole.role not in (PlanDuty.OBSTACLE_TO, PlanDuty.OBSTACLE_CC):
                continue
            target = to if prole.role == PlanDuty.OBSTACLE_TO else cc
            if prole.agency_id is not None and prole.agency_id in codes:
                target.append(codes[prole.agency_id])
            elif prole.group_id is not None:
                members = session.exec(
                    select(GroupMember).where(GroupMember.group_id == prole.group_id)
                ).all()
                target += [codes[m.agency_id] for m in members if m.agency_id in codes]
        return to, cc

    # -- escalate now ------------------------------------------------------------------

    def escalate_now(self, target: Target, actor: Actor, via: Via, note: str) -> AnswerResult:
        """The office pushes an open item to the next escalation level at once, with a note."""
        note = " ".join(note.split())
        if not note:
            raise ReasonRequired("Vui lòng ghi ý kiến kèm theo khi chuyển cấp (--note).")
        s = self.scope(target, actor, via, AckAction.ESCALATED)
        if s.is_done:
            return s.already_done(AckAction.ESCALATED)
        levels = s.occ.escalation_targets(self.runtime.calendar)
        if not levels:
            raise Refused("Chính sách không có cấp nào để chuyển đôn đốc nhiệm vụ này.")
        reached = escalation_levels(self.session, [s.deadline_id], queued=True)
        current = reached.get(s.deadline_id, 0)
        level = min((lv for lv in levels if lv > current), default=max(levels))
        earlier = self.session.exec(
            select(Notification.step).where(
                Notification.occurrence == s.occ.key, col(Notification.step).like("manual-%")
            )
        ).all()
        step = f"manual-{len(set(earlier)) + 1}"
        msg = f"Đã chuyển {label(s.occ)} lên cấp {level} với ý kiến: {note}"
        ack = record(s, AckAction.ESCALATED, msg, note)
        rows = [
            Recipient(p, MessageKind.ESCALATION, t.role, copy=t.copy, level=level)
            for t in levels[level]
            for p in people(self.session, [t.agency], t.addressed_roles)
        ]
        context = EscalationContext(note=note, reporter=s.who, ack_id=ack.id, manual=True)
        queued = queue(s, occurrence=s.occ.key, step=step, rows=rows, context=context)
        return s.result(AckAction.ESCALATED, True, msg, ack_id=ack.id, queued=queued)

    # -- extend ------------------------------------------------------------------------

    def extend(
        self, target: Target, actor: Actor, via: Via, new_date: date, reason: str
    ) -> AnswerResult:
        """The office extends a deadline: new date, reason; reminders planned again.

        The new date must be later than the current deadline and not in the past; it
        becomes the deadline's own date (a day off moves it as art. 148 says), the date
        before the first extension is kept (on-time figures, reports), pending messages
        are cancelled and the sweep plans the steps again from the new date.
        """
        reason = " ".join(reason.split())
        if not reason:
            raise ReasonRequired("Vui lòng nêu lý do gia hạn.")
        s = self.scope(target, actor, via, AckAction.EXTENDED)
        if s.is_done:
            return s.already_done(AckAction.EXTENDED)
        ack, msg = self._extend(s, new_date, reason)
        return s.result(AckAction.EXTENDED, True, msg, ack_id=ack.id)

    def _later(self, s: Scope, new_date: date, what: str = "Hạn mới") -> None:
        today = self.now.astimezone(VN_TZ).date()
        if new_date <= s.deadline.effective_date or new_date < today:
            raise Refused(
                f"{what} phải sau hạn hiện tại ({vn_date(s.deadline.effective_date)}) "
                f"và không trước ngày hôm nay ({vn_date(today)})."
            )

    def _extend(self, s: Scope, new_date: date, reason: str) -> tuple[Acknowledgement, str]:
        self._later(s, new_date)
        moved = extend_deadline(
            self.session, s.deadline, new_date, self.runtime.calendar,
            s.occ.policy.deadline_rule, self.now,
        )  # fmt: skip
        original = s.deadline.original_date or moved.old
        msg = (
            f"Đã gia hạn {label(s.occ)} đến {vn_date(moved.new)} "
            f"(hạn ban đầu {vn_date(original)}). Lý do: {reason}"
        )
        return record(s, AckAction.EXTENDED, msg, reason), msg

    # -- extension requests ------------------------------------------------------------

    def check_extension(
        self, target: Target, actor: Actor, via: Via, proposed: date | None = None
    ) -> AnswerResult:
        """May this actor ask for an extension here now (to ``proposed``, if given)?
        Asked by a bot before each prompt, so nobody types a reason for nothing."""
        s = self.scope(target, actor, via, AckAction.EXTENSION_REQUESTED)
        if s.deadline.status != DeadlineStatus.OPEN:
            raise Refused("Nhiệm vụ này đã kết thúc; không cần đề nghị gia hạn.")
        if proposed is not None:
            self._later(s, proposed, "Ngày đề nghị gia hạn")
        return s.result(AckAction.EXTENSION_REQUESTED, False, "Vui lòng gửi ngày đề nghị gia hạn.")

    def request_extension(
        self, target: Target, actor: Actor, via: Via, proposed: date, reason: str
    ) -> AnswerResult:
        """ "Xin gia hạn": record the proposed date and reason for the office to decide.

        The sender gets a confirmation and the monitor's people a copy; the deadline does
        not move until the office approves (:meth:`decide_extension`).
        """
        reason = " ".join(reason.split())
        if not reason:
            raise ReasonRequired("Vui lòng nêu lý do đề nghị gia hạn.")
        s = self.scope(target, actor, via, AckAction.EXTENSION_REQUESTED)
        if s.is_done:
            return s.already_done(AckAction.EXTENSION_REQUESTED)
        self._later(s, proposed, "Ngày đề nghị gia hạn")
        msg = (
            f"Đã ghi nhận đề nghị gia hạn {label(s.occ)} đến ngày {vn_date(proposed)}. "
            "Văn phòng sẽ xem xét và thông báo kết quả."
        )
        note = f"Đề nghị gia hạn đến ngày {vn_date(proposed)}. Lý do: {reason}"
        ack = record(s, AckAction.EXTENSION_REQUESTED, msg, note)
        assert ack.id is not None
        self.session.add(
            ExtensionRequest(
                deadline_id=s.deadline_id, ack_id=ack.id,
                person_id=s.person.id if s.person else None,
                notification_id=s.notification.id if s.notification else None,
                proposed_date=proposed, reason=reason, requested_at=self.now,
            )
        )  # fmt: skip
        queued = self._confirm(s, ack, note, monitor=True)
        return s.result(AckAction.EXTENSION_REQUESTED, True, msg, ack_id=ack.id, queued=queued)

    def decide_extension(
        self, request_id: int, approve: bool, actor: Actor, via: Via, note: str = ""
    ) -> AnswerResult:
        """The office approves (the deadline moves to the proposed date) or refuses (a
        reason is required) a request; the requester is told by a message."""
        note = " ".join(note.split())
        request = self.session.get(ExtensionRequest, request_id)
        if request is None:
            raise NotFound(f"Không có đề nghị gia hạn số {request_id}.")
        if request.status != ExtensionStatus.PENDING:
            raise Refused(f"Đề nghị gia hạn này đã được xem xét ({request.status.label}).")
        target = Target(deadline_id=request.deadline_id)
        action = AckAction.EXTENDED if approve else AckAction.EXTENSION_REFUSED
        s = self.scope(target, actor, via, action)
        if s.is_done:
            return s.already_done(action)
        if approve:
            ack, msg = self._extend(s, request.proposed_date, note or request.reason)
        else:
            if not note:
                raise ReasonRequired("Vui lòng nêu lý do không chấp thuận đề nghị gia hạn.")
            msg = (
                f"Không chấp thuận đề nghị gia hạn {label(s.occ)} đến ngày "
                f"{vn_date(request.proposed_date)}; thời hạn vẫn là "
                f"{vn_date(s.deadline.effective_date)}. Lý do: {note}"
            )
            ack = record(s, action, msg, note)
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        request.decided_at, request.decided_by, request.decision_note = self.now, self.account, note
        self.session.add(request)
        queued = self._tell_requester(s, request, ack, msg)
        return s.result(action, True, msg, ack_id=ack.id, queued=queued)

    def _tell_requester(
        self, s: Scope, request: ExtensionRequest, ack: Acknowledgement, text: str
    ) -> int:
        person = self.session.get(Person, request.person_id) if request.person_id else None
        if person is None or not person.active:
            return 0
        role = role_of(agency_code(self.session, person), s.occ.roles, Role.LEAD)
        context = AnswerContext(note=text, reporter=s.who, ack_id=ack.id)
        return queue(
            s, occurrence=f"extension:{request.id}", step=MessageKind.CONFIRMATION,
            rows=[Recipient(person, MessageKind.CONFIRMATION, role)], context=context,
        )  # fmt: skip


@contextmanager
def answering(
    runtime: Runtime, now: datetime | None = None, account: str = ""
) -> Iterator[Answers]:
    """One transaction of answers: committed on success, rolled back on any error.

    ``account``: the login of the web account acting, kept with every answer recorded.
    """
    with session_scope(runtime.engine) as session:
        yield Answers(runtime, session, now or runtime.clock.now(), account)
