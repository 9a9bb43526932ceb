"""Dispatch: claim due outbox rows, then per row decide, prepare, send, record.

Delivery guarantee: **at-least-once**. Each message is claimed (compare-and-set), its
DeliveryAttempt is committed *before* the network call and its outcome after. A crash
between the send and the commit of the outcome leaves the row claimed; once the claim
is older than the lease (:mod:`notifier.engine.claims`) another dispatcher takes it
again, so that one message can be repeated, never lost. Nothing else is ever sent
twice: a claim is exclusive (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite
``BEGIN IMMEDIATE`` + ``UPDATE ... WHERE status='pending'`` with a row-count check).

The stages of one row, in order (:meth:`Dispatcher.deliver`):

1. **decide** (pure, :func:`decide`): send now, wait for the rate limit, wait for the
   send window, or cancel (a chasing message of a closed deadline);
2. **prepare**: build the context, sign the answer links or buttons (and attach or link
   the compiled report's files, :mod:`notifier.engine.report_files`), render, store the
   text on the row and commit a started attempt;
3. **send** through the channel (the only step on the event loop's own time);
4. **record** the outcome: sent; or a transient failure retried with backoff (1 min
   doubling to 1 h, or the provider's ``retry_after``), given up 24 h after the first
   attempt; or a permanent one that marks the address dead and queues the message on
   the person's next usable channel. Give-ups and dead addresses tell the admins.

Database work (stages 1, 2 and 4) runs in a worker thread, as the sweep's does, so
the bot and the web app keep answering while a batch goes out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from notifier.channels.base import Button, ChannelError, OutgoingMessage, SendResult
from notifier.clock import as_utc
from notifier.domain.steps import apply_send_window
from notifier.engine.alerts import alert_admins
from notifier.engine.channels import ChannelSet
from notifier.engine.claims import claim, release_claims
from notifier.engine.context import build_context
from notifier.engine.ratelimit import telegram_keys
from notifier.engine.report_files import with_report_files
from notifier.errors import NotifierError
from notifier.render import MessageContext, Rendered, offered
from notifier.runtime import Runtime
from notifier.signing import answer_buttons, answer_links, load_secret_key
from notifier.store.addresses import address_of, mark_unusable, next_channel, usable_channels
from notifier.store.db import session_scope
from notifier.store.models import Deadline, DeliveryAttempt, Notification, Person
from notifier.store.outbox import insert_rows, new_row
from notifier.vocab import (
    CHASING_KINDS,
    AckAction,
    AttemptOutcome,
    ChannelName,
    DeadlineStatus,
    DeliveryStatus,
    MessageKind,
)

__all__ = ["DispatchReport", "Dispatcher", "claim", "dispatch", "dispatch_all", "release_claims"]

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
# Kinds that wait for the send window (working days, office hours) when due outside it;
# answers to a person (confirmations, obstacles), tests and admin alerts go at once.
WINDOWED_KINDS = CHASING_KINDS | {MessageKind.DIGEST, MessageKind.COMPILED_REPORT}
# Channels whose answer surface is a link to the web app (the console stands in for email).
LINK_CHANNELS = frozenset({ChannelName.EMAIL, ChannelName.CONSOLE})
Status = DeliveryStatus


class Decision(StrEnum):
    SEND = "send"
    WAIT_RATE = "wait_rate"
    WAIT_WINDOW = "wait_window"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    until: datetime | None = None  # when to look again (the waits)
    reason: str = ""  # why it was cancelled


def decide(
    kind: MessageKind,
    deadline_status: DeadlineStatus | None,
    rate_wait: float,
    window_opens: datetime,
    now: datetime,
) -> Verdict:
    """What to do with one claimed row now; pure (the caller measures rate and window)."""
    if kind in CHASING_KINDS and deadline_status not in (None, DeadlineStatus.OPEN):
        return Verdict(Decision.CANCEL, reason=f"deadline {deadline_status}")
    if kind in WINDOWED_KINDS and window_opens > now:
        return Verdict(Decision.WAIT_WINDOW, until=window_opens)
    if rate_wait > 0:
        return Verdict(Decision.WAIT_RATE, until=now + timedelta(seconds=rate_wait))
    return Verdict(Decision.SEND)


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    FALLBACK = "fallback"
    CANCELLED = "cancelled"
    DEFERRED = "deferred"  # rate limit or send window: back to pending, no attempt made


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    fallbacks: int = 0
    cancelled: int = 0
    deferred: int = 0

    def count(self, outcome: Outcome) -> None:
        name = {Outcome.RETRY: "retried", Outcome.FALLBACK: "fallbacks"}.get(outcome, outcome)
        setattr(self, name, getattr(self, name) + 1)

    def add(self, other: DispatchReport) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def __str__(self) -> str:
        return (
            f"claimed {self.claimed}, sent {self.sent}, retried {self.retried}, "
            f"failed {self.failed}, fallbacks {self.fallbacks}, cancelled {self.cancelled}, "
            f"deferred {self.deferred}"
        )


def backoff(attempts: int) -> timedelta:
    """Wait before try ``attempts + 1``: 1, 2, 4, ... minutes, at most one hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


@dataclass(frozen=True)
class Prepared:
    """A rendered message ready to go, with the attempt already committed."""

    row_id: int
    message: OutgoingMessage
    attempt_id: int


class Dispatcher:
    """Sends the outbox; built once per service (signing key, channels, limiter, worker id).

    Time comes from the runtime's clock unless a caller passes ``now`` (simulations).
    """

    def __init__(self, runtime: Runtime, channels: ChannelSet, worker_id: str) -> None:
        self.runtime = runtime
        self.channels = channels
        self.worker_id = worker_id
        settings = runtime.settings
        self.key = load_secret_key(settings.secret_key, Path(settings.file.secret_key_file))

    async def dispatch(
        self,
        now: datetime | None = None,
        batch: int = 100,
        stop: asyncio.Event | None = None,
        only: Collection[int] | None = None,
    ) -> DispatchReport:
        """Claim due rows and deliver them one by one (see the module docstring).

        ``stop`` set: the message in flight is finished, the rest of the claim released.
        ``only``: consider just these rows (``send-test``).
        """
        now = as_utc(now or self.runtime.clock.now())
        report = DispatchReport()
        ids = await asyncio.to_thread(self._claim, now, batch, only)
        report.claimed = len(ids)
        try:
            for row_id in ids:
                if stop is not None and stop.is_set():
                    break
                report.count(await self.deliver(row_id, now))
        finally:
            await asyncio.to_thread(self._release)
        return report

    async def dispatch_all(
        self, now: datetime | None = None, batch: int = 100, stop: asyncio.Event | None = None
    ) -> DispatchReport:
        """Dispatch batches until nothing more is due at ``now``."""
        total = DispatchReport()
        while stop is None or not stop.is_set():
            report = await self.dispatch(now, batch, stop)
            total.add(report)
            if report.claimed < batch or report.claimed == report.deferred:
                break
        return total

    async def deliver(self, row_id: int, now: datetime) -> Outcome:
        """One claimed row through the four stages."""
        early, prepared = await asyncio.to_thread(self._decide_and_prepare, row_id, now)
        if prepared is None:
            assert early is not None
            return early
        channel = self.channels.get(prepared.message.channel)
        try:
            result = await channel.send(prepared.message)
        except ChannelError as exc:
            return await asyncio.to_thread(self._record_failure, prepared, exc, now)
        await asyncio.to_thread(self._record_sent, prepared, result, now)
        return Outcome.SENT

    # -- stage 1 and 2: one transaction -------------------------------------------------

    def _claim(self, now: datetime, batch: int, only: Collection[int] | None) -> list[int]:
        with session_scope(self.runtime.engine) as session:
            return claim(session, self.worker_id, now, batch, only)

    def _release(self) -> None:
        with session_scope(self.runtime.engine) as session:
            release_claims(session, self.worker_id)

    def _decide_and_prepare(
        self, row_id: int, now: datetime
    ) -> tuple[Outcome | None, Prepared | None]:
        with session_scope(self.runtime.engine) as session:
            row = session.get(Notification, row_id)
            assert row is not None
            verdict = self._verdict(session, row, now)
            if verdict.decision == Decision.CANCEL:
                row.status, row.claimed_by, row.last_error = Status.CANCELLED, None, verdict.reason
                return Outcome.CANCELLED, None
            if verdict.decision != Decision.SEND:
                row.status, row.claimed_by, row.next_attempt_at = (
                    Status.PENDING,
                    None,
                    verdict.until,
                )
                return Outcome.DEFERRED, None
            self._consume_rate(row)
            try:
                return None, self._prepare(session, row, now)
            except NotifierError as exc:  # a broken template or context: no retry helps
                return self._give_up(session, row, f"render: {exc}", now), None

    def _verdict(self, session: Session, row: Notification, now: datetime) -> Verdict:
        status = None
        if row.deadline_id is not None and row.kind in CHASING_KINDS:
            deadline = session.get(Deadline, row.deadline_id)
            status = deadline.status if deadline is not None else None
        runtime = self.runtime
        window = as_utc(apply_send_window(now, runtime.policy, runtime.calendar))
        return decide(row.kind, status, self._rate_wait(row), window, now)

    def _rate_keys(self, row: Notification) -> list[tuple[str, str]]:
        if row.channel == ChannelName.TELEGRAM and row.channel in self.channels.configured:
            return telegram_keys(row.address)
        return []

    def _rate_wait(self, row: Notification) -> float:
        keys = self._rate_keys(row)
        return self.channels.limiter.wait_time(keys) if keys else 0.0

    def _consume_rate(self, row: Notification) -> None:
        keys = self._rate_keys(row)
        if keys:
            self.channels.limiter.consume(keys)

    def _prepare(self, session: Session, row: Notification, now: datetime) -> Prepared:
        """Context, answer surface, render; the text kept on the row; an attempt committed."""
        person = session.get(Person, row.person_id)
        assert person is not None and person.id is not None and row.id is not None
        channel = row.channel if row.channel in self.channels.configured else ChannelName.CONSOLE
        ctx = build_context(session, row, self.runtime, now)
        ctx, buttons = self._answer_surface(ctx, channel, row.id, person.id, now)
        public_url = self.runtime.settings.file.public_url
        ctx, attachments = with_report_files(ctx, channel, self.key, public_url, now)
        rendered: Rendered = self.runtime.renderer.render(ctx)
        row.subject, row.body_text = rendered.subject, rendered.text
        row.body_html = rendered.telegram_html if channel == ChannelName.TELEGRAM else rendered.html
        row.address = row.address or address_of(person, row.channel)
        attempt = DeliveryAttempt(
            notification_id=row.id,
            channel=channel,
            address=row.address,
            worker=self.worker_id,
            started_at=now,
        )
        session.add(attempt)
        session.flush()
        assert attempt.id is not None
        message = OutgoingMessage(
            key=f"n{row.id}", channel=channel, address=row.address, subject=rendered.subject,
            text=rendered.text, html=rendered.html, telegram_html=rendered.telegram_html,
            buttons=buttons, recipient_name=person.name, attachments=attachments,
        )  # fmt: skip
        return Prepared(row.id, message, attempt.id)

    def _answer_surface(
        self, ctx: MessageContext, channel: str, row_id: int, person_id: int, now: datetime
    ) -> tuple[MessageContext, tuple[Button, ...]]:
        """The links or buttons a message carries: exactly the answers it offers
        (:func:`notifier.render.offered`, i.e. vocab.offered_answers of its kind and the
        recipient's role); a catch-up message's items get links of their own rows."""
        answers = offered(ctx)
        if channel in LINK_CHANNELS:
            url = self.runtime.settings.file.public_url

            def signed(target: int, wanted: tuple[AckAction, ...]) -> dict[str, str]:
                links = answer_links(self.key, url, target, person_id, now)
                return {a.value: links[a.value] for a in wanted}

            items = tuple(
                replace(i, links=signed(i.row_id, i.answers)) if i.row_id else i for i in ctx.items
            )
            return replace(ctx, links=signed(row_id, answers), items=items), ()
        if channel == ChannelName.TELEGRAM:
            return ctx, answer_buttons(self.key, row_id, answers)
        return ctx, ()

    # -- stage 4 ------------------------------------------------------------------------

    def _record_sent(self, prepared: Prepared, result: SendResult, now: datetime) -> None:
        with session_scope(self.runtime.engine) as session:
            _finish_attempt(session, prepared.attempt_id, AttemptOutcome.SENT, "", now)
            session.execute(
                update(Notification)
                .where(col(Notification.id) == prepared.row_id)
                .values(
                    status=Status.SENT,
                    provider_id=result.provider_id,
                    sent_at=now,
                    claimed_by=None,
                    last_error="",
                    attempts=Notification.attempts + 1,
                )
            )

    def _record_failure(self, prepared: Prepared, exc: ChannelError, now: datetime) -> Outcome:
        """Record a failed send and decide: retry later, give up, or fall back."""
        with session_scope(self.runtime.engine) as session:
            row = session.get(Notification, prepared.row_id)
            assert row is not None
            row.attempts += 1
            row.last_error = exc.reason[:2000]
            if exc.permanent:
                outcome = AttemptOutcome.PERMANENT
                _finish_attempt(session, prepared.attempt_id, outcome, exc.reason, now)
                return self._fall_back(session, row, exc.reason, now)
            _finish_attempt(session, prepared.attempt_id, AttemptOutcome.TRANSIENT, exc.reason, now)
            first = session.exec(
                select(func.min(DeliveryAttempt.started_at)).where(
                    DeliveryAttempt.notification_id == row.id
                )
            ).one()
            if first is not None and now - as_utc(first) >= GIVE_UP_AFTER:
                return self._give_up(session, row, f"gave up after 24 h: {exc}", now)
            wait = timedelta(seconds=exc.retry_after) if exc.retry_after else backoff(row.attempts)
            row.status, row.claimed_by, row.next_attempt_at = Status.PENDING, None, now + wait
            return Outcome.RETRY

    def _give_up(self, session: Session, row: Notification, problem: str, now: datetime) -> Outcome:
        row.status, row.claimed_by, row.last_error = Status.FAILED, None, problem[:2000]
        self._alert(session, row, problem, now)
        return Outcome.FAILED

    def _fall_back(
        self, session: Session, row: Notification, reason: str, now: datetime
    ) -> Outcome:
        """Mark the address dead, fail the row, queue it on the next usable channel, alert."""
        person = session.get(Person, row.person_id)
        assert person is not None
        mark_unusable(person, row.channel, reason)
        session.add(person)
        session.flush()
        row.status, row.claimed_by = Status.FAILED, None
        nxt: str | None = next_channel(person, self.channels.configured, row.channel)
        problem = f"địa chỉ {row.channel} {row.address} không dùng được: {reason}"
        if not usable_channels(person) or nxt == row.channel:
            problem += "; người nhận không còn kênh nào khác"
            nxt = None
        else:
            problem += f"; đã chuyển sang kênh {nxt}"
            columns = ("deadline_id", "level", "role", "copy_only", "late", "due_at")
            copied = {name: getattr(row, name) for name in columns}
            again = new_row(
                occurrence=row.occurrence, step=row.step, person=person, channel=str(nxt),
                kind=row.kind, now=now, **copied,
            )  # fmt: skip
            again["context"] = dict(row.context or {})
            insert_rows(session, [again])
        self._alert(session, row, problem, now)
        return Outcome.FALLBACK if nxt else Outcome.FAILED

    def _alert(self, session: Session, row: Notification, problem: str, now: datetime) -> None:
        admins = self.runtime.settings.file.admins
        alert_admins(session, admins, self.channels.configured, row, problem, now)


def _finish_attempt(
    session: Session, attempt_id: int, outcome: AttemptOutcome, error: str, now: datetime
) -> None:
    session.execute(
        update(DeliveryAttempt)
        .where(col(DeliveryAttempt.id) == attempt_id)
        .values(finished_at=now, outcome=outcome, error=error[:2000])
    )


async def dispatch(
    runtime: Runtime,
    channels: ChannelSet,
    worker_id: str,
    now: datetime | None = None,
    batch: int = 100,
    stop: asyncio.Event | None = None,
    only: Collection[int] | None = None,
) -> DispatchReport:
    """One batch with a dispatcher made for the call (one-shot commands and tests)."""
    return await Dispatcher(runtime, channels, worker_id).dispatch(now, batch, stop, only)


async def dispatch_all(
    runtime: Runtime,
    channels: ChannelSet,
    worker_id: str,
    now: datetime | None = None,
    batch: int = 100,
    stop: asyncio.Event | None = None,
) -> DispatchReport:
    """Until nothing is due, with a dispatcher made for the call (one-shot commands, tests)."""
    return await Dispatcher(runtime, channels, worker_id).dispatch_all(now, batch, stop)
