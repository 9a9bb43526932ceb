"""Dispatch: claim due outbox rows, render, send, record; retry, fall back, cancel.

Delivery guarantee: **at-least-once**. Each message is claimed (compare-and-set), its
DeliveryAttempt is committed *before* the network call and its outcome after. A crash
between the send and the commit of the outcome leaves the row claimed; once the claim
is older than the lease (:mod:`notifier.engine.claims`) another dispatcher takes it
again, so that one message can be repeated, never lost. Nothing else is ever sent
twice: a claim is exclusive (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite
``BEGIN IMMEDIATE`` + ``UPDATE ... WHERE status='pending'`` with a row-count check).

Failures: transient ones retry with exponential backoff (1 min doubling to 1 h, or the
provider's ``retry_after``), giving up 24 h after the first attempt; permanent ones mark
the address unusable on the Person and queue the same message on the person's next
usable channel. Both tell the admins (:mod:`notifier.engine.alerts`).
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

from notifier.channels.base import Button, ChannelError, OutgoingMessage
from notifier.clock import as_utc
from notifier.engine.alerts import ADMIN_ALERT, alert_admins
from notifier.engine.channels import ChannelSet
from notifier.engine.claims import claim, release_claims
from notifier.engine.outbox import address_of, cancel_pending, insert_rows, new_row, next_channel
from notifier.engine.ratelimit import telegram_keys
from notifier.errors import NotifierError
from notifier.interact.links import (
    ACTION_LABELS,
    Action,
    answer_links,
    callback_data,
    load_secret_key,
)
from notifier.render import MessageContext, Rendered, expects_answer
from notifier.runtime import Runtime
from notifier.store.db import session_scope
from notifier.store.facts import usable_channels
from notifier.store.models import (
    Agency,
    Deadline,
    DeadlineStatus,
    DeliveryAttempt,
    Notification,
    NotificationStatus,
    Person,
)

__all__ = [
    "DispatchReport",
    "cancel_pending",
    "claim",
    "dispatch",
    "dispatch_all",
    "release_claims",
]

# Kinds that chase an open deadline: pointless once it is closed. Confirmations,
# obstacles, compiled reports and admin alerts about a closed deadline still go out.
CHASING_KINDS = frozenset(
    {"reminder", "due_today", "overdue", "escalation", "report_request", "followup"}
)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
Status = NotificationStatus


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    FALLBACK = "fallback"
    CANCELLED = "cancelled"
    DEFERRED = "deferred"  # rate limit: back to pending, no attempt made


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

    def __str__(self) -> str:
        return (
            f"claimed {self.claimed}, sent {self.sent}, retried {self.retried}, "
            f"failed {self.failed}, fallbacks {self.fallbacks}, cancelled {self.cancelled}, "
            f"deferred {self.deferred}"
        )


def backoff(attempts: int) -> timedelta:
    """Wait before try ``attempts + 1``: 1, 2, 4, ... minutes, at most one hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


async def dispatch(
    runtime: Runtime,
    channels: ChannelSet,
    worker_id: str,
    now: datetime | None = None,
    batch: int = 100,
    stop: asyncio.Event | None = None,
    only: Collection[int] | None = None,
) -> DispatchReport:
    """Claim due rows and deliver them one by one (see the module docstring).

    ``stop`` set: the message in flight is finished, the rest of the claim released.
    ``only``: consider just these rows (``send-test``).
    """
    now = as_utc(now or runtime.clock.now())
    report = DispatchReport()
    key = load_secret_key(runtime.settings.secret_key, Path(runtime.settings.file.secret_key_file))
    with session_scope(runtime.engine) as session:
        ids = claim(session, worker_id, now, batch, only)
    report.claimed = len(ids)
    try:
        for row_id in ids:
            if stop is not None and stop.is_set():
                break
            report.count(await deliver(runtime, channels, worker_id, row_id, now, key))
            await asyncio.sleep(0)  # let signals, the bot and the web app have a turn
    finally:
        with session_scope(runtime.engine) as session:
            release_claims(session, worker_id)
    return report


async def dispatch_all(
    runtime: Runtime,
    channels: ChannelSet,
    worker_id: str,
    now: datetime | None = None,
    batch: int = 100,
    stop: asyncio.Event | None = None,
) -> DispatchReport:
    """Dispatch batches until nothing more is due at ``now``."""
    total = DispatchReport()
    while stop is None or not stop.is_set():
        report = await dispatch(runtime, channels, worker_id, now, batch, stop)
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        if report.claimed < batch or report.claimed == report.deferred:
            break
    return total


@dataclass
class _Prepared:
    message: OutgoingMessage
    attempt_id: int


async def deliver(
    runtime: Runtime, channels: ChannelSet, worker_id: str, row_id: int, now: datetime, key: bytes
) -> Outcome:
    """One claimed row: check, rate-limit, render and record the attempt, send, record."""
    with session_scope(runtime.engine) as session:
        row = session.get(Notification, row_id)
        assert row is not None
        early = _precheck(session, row, channels, now)
        if early is not None:
            return early
        try:
            prepared = _prepare(session, runtime, channels, row, worker_id, now, key)
        except NotifierError as exc:  # a broken template or context: no retry helps
            return _give_up(session, runtime, channels, row, f"render: {exc}", now)
    try:
        result = await channels.get(row.channel).send(prepared.message)
    except ChannelError as exc:
        with session_scope(runtime.engine) as session:
            return _failed(session, runtime, channels, row_id, prepared.attempt_id, exc, now)
    with session_scope(runtime.engine) as session:
        _finish_attempt(session, prepared.attempt_id, Outcome.SENT, "", now)
        session.execute(
            update(Notification)
            .where(col(Notification.id) == row_id)
            .values(
                status=Status.SENT,
                provider_id=result.provider_id,
                sent_at=now,
                claimed_by=None,
                last_error="",
                attempts=Notification.attempts + 1,
            )
        )
    return Outcome.SENT


def _precheck(
    session: Session, row: Notification, channels: ChannelSet, now: datetime
) -> Outcome | None:
    """Cancel rows of closed deadlines; defer rows a rate limit holds back."""
    if row.deadline_id is not None and row.kind in CHASING_KINDS:
        deadline = session.get(Deadline, row.deadline_id)
        if deadline is not None and deadline.status != DeadlineStatus.OPEN:
            row.status, row.claimed_by = Status.CANCELLED, None
            row.last_error = f"deadline {deadline.status}"
            return Outcome.CANCELLED
    if row.channel == "telegram" and row.channel in channels.configured:
        keys = telegram_keys(row.address)
        wait = channels.limiter.wait_time(keys)
        if wait > 0:
            row.status, row.claimed_by = Status.PENDING, None
            row.next_attempt_at = now + timedelta(seconds=wait)
            return Outcome.DEFERRED
        channels.limiter.consume(keys)
    return None


def _prepare(
    session: Session,
    runtime: Runtime,
    channels: ChannelSet,
    row: Notification,
    worker_id: str,
    now: datetime,
    key: bytes,
) -> _Prepared:
    """Render, store subject/body on the row, and commit a started DeliveryAttempt."""
    person = session.get(Person, row.person_id)
    assert person is not None and person.id is not None and row.id is not None
    ctx = message_context(session, row, runtime, person, now)
    channel = row.channel if row.channel in channels.configured else "console"
    buttons: tuple[Button, ...] = ()
    if expects_answer(ctx):
        if channel in ("email", "console"):  # the console stands in for email: same links
            links = answer_links(key, runtime.settings.file.public_url, row.id, person.id, now)
            ctx = replace(ctx, links=links)
        elif channel == "telegram":
            buttons = tuple(
                Button(label, callback_data=callback_data(key, row.id, action))
                for action, label in ACTION_LABELS.items()
                if isinstance(action, Action)
            )
    rendered: Rendered = runtime.renderer.render(ctx)
    row.subject, row.body_text = rendered.subject, rendered.text
    row.body_html = rendered.telegram_html if channel == "telegram" else rendered.html
    row.address = row.address or address_of(person, row.channel)
    attempt = DeliveryAttempt(
        notification_id=row.id,
        channel=channel,
        address=row.address,
        worker=worker_id,
        started_at=now,
    )
    session.add(attempt)
    session.flush()
    assert attempt.id is not None
    message = OutgoingMessage(
        key=f"n{row.id}",
        channel=channel,
        address=row.address,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        telegram_html=rendered.telegram_html,
        buttons=buttons,
        recipient_name=person.name,
    )
    return _Prepared(message, attempt.id)


def message_context(
    session: Session, row: Notification, runtime: Runtime, person: Person, now: datetime
) -> MessageContext:
    """Test messages and admin alerts are built here; every other kind by build_context."""
    if row.kind in ("test", ADMIN_ALERT):
        agency = session.get(Agency, person.agency_id)
        return MessageContext(
            kind=row.kind,
            recipient_name=person.name,
            recipient_position=person.position,
            recipient_agency=agency.name if agency else "",
            role="monitor" if row.kind == ADMIN_ALERT else "lead",
            note=str((row.context or {}).get("note", "")),
            now=now,
        )
    from notifier.engine.context import build_context

    return build_context(session, row, runtime)


def _finish_attempt(
    session: Session, attempt_id: int, outcome: str, error: str, now: datetime
) -> None:
    session.execute(
        update(DeliveryAttempt)
        .where(col(DeliveryAttempt.id) == attempt_id)
        .values(finished_at=now, outcome=outcome, error=error[:2000])
    )


def _failed(
    session: Session,
    runtime: Runtime,
    channels: ChannelSet,
    row_id: int,
    attempt_id: int,
    exc: ChannelError,
    now: datetime,
) -> Outcome:
    """Record a failed send and decide: retry later, give up, or fall back."""
    row = session.get(Notification, row_id)
    assert row is not None
    row.attempts += 1
    row.last_error = exc.reason[:2000]
    if exc.permanent:
        _finish_attempt(session, attempt_id, "permanent", exc.reason, now)
        return _fall_back(session, runtime, channels, row, exc.reason, now)
    _finish_attempt(session, attempt_id, "transient", exc.reason, now)
    first = session.exec(
        select(func.min(DeliveryAttempt.started_at)).where(
            DeliveryAttempt.notification_id == row_id
        )
    ).one()
    if first is not None and now - as_utc(first) >= GIVE_UP_AFTER:
        return _give_up(session, runtime, channels, row, f"gave up after 24 h: {exc}", now)
    wait = timedelta(seconds=exc.retry_after) if exc.retry_after else backoff(row.attempts)
    row.status, row.claimed_by, row.next_attempt_at = Status.PENDING, None, now + wait
    return Outcome.RETRY


def _give_up(
    session: Session,
    runtime: Runtime,
    channels: ChannelSet,
    row: Notification,
    problem: str,
    now: datetime,
) -> Outcome:
    row.status, row.claimed_by, row.last_error = Status.FAILED, None, problem[:2000]
    alert_admins(session, runtime.settings.file.admins, channels.configured, row, problem, now)
    return Outcome.FAILED


def _fall_back(
    session: Session,
    runtime: Runtime,
    channels: ChannelSet,
    row: Notification,
    reason: str,
    now: datetime,
) -> Outcome:
    """Mark the address dead, fail the row, queue it on the next usable channel, alert."""
    person = session.get(Person, row.person_id)
    assert person is not None
    if row.channel == "email":
        person.email_unusable = reason[:500]
    elif row.channel == "telegram":
        person.telegram_unusable = reason[:500]
    session.add(person)
    session.flush()
    row.status, row.claimed_by = Status.FAILED, None
    nxt: str | None = next_channel(person, channels.configured, row.channel)
    problem = f"địa chỉ {row.channel} {row.address} không dùng được: {reason}"
    if not usable_channels(person) or nxt == row.channel:
        problem += "; người nhận không còn kênh nào khác"
        nxt = None
    else:
        problem += f"; đã chuyển sang kênh {nxt}"
        columns = ("deadline_id", "level", "role", "copy_only", "late", "context", "due_at")
        copied = {name: getattr(row, name) for name in columns}
        insert_rows(
            session,
            [
                new_row(
                    occurrence=row.occurrence,
                    step=row.step,
                    person=person,
                    channel=str(nxt),
                    kind=row.kind,
                    now=now,
                    **copied,
                )
            ],
        )
    alert_admins(session, runtime.settings.file.admins, channels.configured, row, problem, now)
    return Outcome.FALLBACK if nxt else Outcome.FAILED
