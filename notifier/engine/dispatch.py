"""Dispatch: claim due outbox rows one at a time per sender, then decide, prepare, send, record.

Delivery guarantee: **no message is sent twice while the dispatcher holding it lives;
nothing is lost** (:mod:`notifier.engine.claims`). A row is claimed right before it is
sent (never a batch that outlives its lease), in the same transaction that prepares it
and commits its DeliveryAttempt, *before* the network call; its lease is renewed while a
slow send runs, and every send is cut off by a timeout well inside the lease. The
outcome of a message sent is written by the transaction that claims the lane's next row
(one commit per message), or alone when the lane has nothing more to claim.

While sends take longer than claims (a distant server), the lane's next row is claimed
and prepared during the send; the outcome of the message out is then written on its own
right after its send, before the next one starts, so at most one message is ever out with
its outcome unwritten. A row claimed ahead of a failed send, a stop or an opening breaker
is given back unsent and its unused attempt removed. The one
exception to "never twice": a crash between the send and that commit leaves the row
claimed; once the lease has expired another dispatcher takes it again, so that one
message can be repeated, never lost.

The stages of one row, in order (:meth:`Dispatcher._next`, then :meth:`Dispatcher._send`):

1. **decide** (pure, :func:`decide`): send now, wait for the rate limit, wait for the
   send window, or cancel (a chasing message of a closed deadline); a ZNS row of a kind
   with no approved template is moved, unsent, to the person's next channel first;
2. **prepare**: build the context, sign the answer links or buttons (and attach or link
   the compiled report's files, :mod:`notifier.engine.report_files`), render, store the
   text on the row, take the rate slot and commit a started attempt;
3. **send** through the channel (the only step on the event loop's own time);
4. **record** the outcome: sent; or a transient failure retried with backoff (1 min
   doubling to 1 h, or the provider's ``retry_after``), given up 24 h after the first
   attempt; or a permanent one that marks the address dead and queues the message on
   the person's next usable channel. Give-ups and dead addresses tell the admins, and a
   failure is written at once.

When preparing fails in that one transaction (another dispatcher took the rate slot, a
bug), it is rolled back and the row goes the stage-by-stage way (:meth:`Dispatcher.deliver`:
claim, compare-and-set and prepare, record, each in a transaction of its own), which
handles each case. Database work runs in a worker thread, as the sweep's does, so the
bot and the web app keep answering while a batch goes out.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Coroutine,
    Iterable,
    Mapping,
)
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from notifier.channels.base import Button, ChannelError, OutgoingMessage, SendResult
from notifier.channels.zns import has_template
from notifier.clock import as_utc, wait_until
from notifier.domain.steps import apply_send_window
from notifier.engine.alerts import alert_admins, alert_outage, note_recovery
from notifier.engine.breaker import BreakerState, CircuitBreaker
from notifier.engine.channels import ChannelSet
from notifier.engine.claims import (
    LEASE,
    Lease,
    claim,
    claim_leases,
    due_exists,
    held_until,
    release,
    release_claims,
    renew,
)
from notifier.engine.context import ContextFacts, build_context
from notifier.engine.lanes import Lane, LaneSpec, lanes_for
from notifier.engine.ratelimit import bot_key, chat_key, chat_keys
from notifier.engine.report_files import with_report_files
from notifier.engine.zns_data import template_data
from notifier.errors import NotifierError
from notifier.render import MessageContext, Part, Rendered, offered
from notifier.runtime import Runtime
from notifier.signing import answer_buttons, answer_links, load_secret_key
from notifier.store.addresses import (
    address_of,
    choose_channel,
    mark_unusable,
    next_channel,
    usable_channels,
)
from notifier.store.db import session_scope
from notifier.store.models import Deadline, DeliveryAttempt, Event, Notification, Person
from notifier.store.outbox import insert_rows, new_row
from notifier.vocab import (
    CHASING_KINDS,
    AckAction,
    AttemptOutcome,
    ChannelName,
    DeadlineStatus,
    DeliveryStatus,
    EventKind,
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
# Zalo has no buttons either: its short form carries the links and a reference to reply with.
# ZNS carries one of them in its template (notifier.engine.zns_data).
LINK_CHANNELS = frozenset(
    {ChannelName.EMAIL, ChannelName.CONSOLE, ChannelName.ZALO, ChannelName.ZNS}
)
# The parts of a message a built-in channel sends besides subject and text (rendered only
# those): email its HTML alternative, Telegram its HTML form; the console prints the text,
# Zalo sends its own short form, ZNS a template's data. A plug-in channel gets every part.
_PARTS_SENT: dict[str, tuple[Part, ...]] = {
    ChannelName.EMAIL: (Part.HTML,),
    ChannelName.TELEGRAM: (Part.TELEGRAM,),
    ChannelName.CONSOLE: (),
    ChannelName.ZALO: (),
    ChannelName.ZNS: (),
}
Status = DeliveryStatus
log = logging.getLogger(__name__)
# A bot's next slot is at most a few spacings away (37 ms at 30/s): a lane waits for it
# where it stands, since every row of the lane waits for the same slot.
BOT_WAIT_IN_PLACE = 1.0
FACTS_MAX_AGE = 5.0  # real seconds a batch's shared task facts are kept (ContextFacts)


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
    DROPPED = "dropped"  # the lease was lost to another dispatcher: not ours to send
    REROUTED = "rerouted"  # ZNS without a template for its kind: moved to another channel


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    fallbacks: int = 0
    cancelled: int = 0
    deferred: int = 0
    dropped: int = 0
    rerouted: int = 0
    # the earliest instant something left behind may go (a chat's or the bot's rate slot
    # reopens): the service drains again then instead of at its next tick
    wake_at: datetime | None = None

    def count(self, outcome: Outcome) -> None:
        name = {Outcome.RETRY: "retried", Outcome.FALLBACK: "fallbacks"}.get(outcome, outcome)
        setattr(self, name, getattr(self, name) + 1)

    def add(self, other: DispatchReport) -> None:
        for name in vars(self):
            if name != "wake_at":
                setattr(self, name, getattr(self, name) + getattr(other, name))
        wakes = [w for w in (self.wake_at, other.wake_at) if w is not None]
        self.wake_at = min(wakes, default=None)

    def __str__(self) -> str:
        return (
            f"claimed {self.claimed}, sent {self.sent}, retried {self.retried}, "
            f"failed {self.failed}, fallbacks {self.fallbacks}, cancelled {self.cancelled}, "
            f"deferred {self.deferred}"
            + (f", dropped {self.dropped}" if self.dropped else "")
            + (f", rerouted {self.rerouted}" if self.rerouted else "")
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
    send_at: datetime | None = None  # its rate slot reserved for then (a few ms ahead)
    deadline_id: int | None = None


@dataclass(frozen=True)
class Sent:
    """A message the channel accepted, its outcome still to be written."""

    prepared: Prepared
    result: SendResult
    now: datetime
    lane: Lane
    outage_since: datetime | None = None  # it ended an outage (the breaker was open)


@dataclass(frozen=True)
class Step:
    """What :meth:`Dispatcher._next` did: claimed ``lease`` (None: nothing due) and
    either decided early (``early``) or prepared it; ``slow``: take the stage-by-stage way."""

    lease: Lease | None
    early: Outcome | None = None
    prepared: Prepared | None = None
    slow: bool = False


class Dispatcher:
    """Sends the outbox; built once per service (signing key, channels, limiter, worker id).

    Time comes from the runtime's clock unless a caller passes ``now`` (simulations).
    ``lease`` is how long a claim stays exclusive without renewal (tests shorten it).
    """

    def __init__(
        self,
        runtime: Runtime,
        channels: ChannelSet,
        worker_id: str,
        *,
        lease: timedelta = LEASE,
        lanes: Mapping[str, LaneSpec] | None = None,
    ) -> None:
        self.runtime = runtime
        self.channels = channels
        self.worker_id = worker_id
        self.lease = lease
        self.renew_every = self.lease.total_seconds() / 4  # real seconds, during a send
        self.lane_specs = dict(lanes or {})
        self._unexpected: set[tuple[str, str, str]] = set()
        self._wakes: dict[str, datetime] = {}  # by channel: see _note_wake
        self._wake_lock = threading.Lock()  # lanes decide in worker threads
        self._new_facts()
        settings = runtime.settings
        self.key = load_secret_key(settings.secret_key, Path(settings.file.secret_key_file))

    def _fresh(self, now: datetime) -> datetime:
        """The instant a lease is taken or renewed: the clock's now, never before ``now``."""
        return max(as_utc(now), as_utc(self.runtime.clock.now()))

    def lanes(self, names: Collection[str] | None = None) -> list[Lane]:
        """This installation's lanes (one per configured channel), or only ``names``."""
        found = lanes_for(self.channels.configured, self.lane_specs)
        return [lane for lane in found if names is None or lane.name in names]

    async def dispatch(
        self,
        now: datetime | None = None,
        batch: int = 100,
        stop: asyncio.Event | None = None,
        only: Collection[int] | None = None,
        lanes: Collection[str] | None = None,
    ) -> DispatchReport:
        """Deliver up to ``batch`` due rows per lane, the lanes side by side.

        Rows are claimed one at a time right before they are sent (module docstring).
        ``stop`` set: the messages in flight are finished, nothing more is claimed.
        ``only``: consider just these rows (``send-test``). ``lanes``: just these lanes.
        """
        now = as_utc(now or self.runtime.clock.now())
        chosen = self.lanes(lanes)
        return await _gather_reports(
            self.dispatch_lane(lane, now, batch, stop, only) for lane in chosen
        )

    async def dispatch_all(
        self,
        now: datetime | None = None,
        batch: int = 100,
        stop: asyncio.Event | None = None,
        lanes: Collection[str] | None = None,
    ) -> DispatchReport:
        """Each lane dispatches batches until nothing more is due for it at ``now``."""
        now = as_utc(now or self.runtime.clock.now())
        return await _gather_reports(
            self.drain_lane(lane, now, batch, stop) for lane in self.lanes(lanes)
        )

    async def drain_lane(
        self, lane: Lane, now: datetime, batch: int = 100, stop: asyncio.Event | None = None
    ) -> DispatchReport:
        """One lane, batch after batch, until nothing more is due (or its breaker opens).

        Messages held back by a rate limit whose slot reopens within one dispatch interval
        are waited for (:func:`wait_until`) and sent then, not at the next tick; the
        report's ``wake_at`` says when the rest may go.
        """
        total = DispatchReport()
        follow = timedelta(seconds=self.runtime.settings.file.dispatch_interval_seconds)
        clock = self.runtime.clock
        while stop is None or not stop.is_set():
            report = await self.dispatch_lane(lane, now, batch, stop)
            total.add(report)
            total.wake_at = report.wake_at
            if report.claimed >= batch and report.claimed != report.deferred:
                continue  # a full batch: more may be due now
            wake = report.wake_at
            if wake is None or wake - as_utc(clock.now()) > follow:
                break
            await wait_until(clock, wake, stop)
            now = self._fresh(wake)
        return total

    async def dispatch_lane(
        self,
        lane: Lane,
        now: datetime,
        batch: int = 100,
        stop: asyncio.Event | None = None,
        only: Collection[int] | None = None,
    ) -> DispatchReport:
        """Up to ``batch`` rows of one lane, ``lane.spec.concurrency`` sends at a time.

        The lane's breaker is asked before each claim: while it is open nothing is claimed
        (the rows wait, pending, spending no attempt); half-open lets one probe through.
        """
        report = DispatchReport()
        breaker = self.channels.breaker(lane.name, self.runtime.clock)
        budget = [batch]
        self._new_facts()  # each batch reads the tasks and names afresh
        bot_opens: list[datetime | None] = [None]
        pace = _Pace()

        async def claim_next(written: list[Sent]) -> Step | None:
            """The lane's next row claimed and prepared, ``written``'s outcomes in the same
            transaction; None: the lane stops here (its budget or ``stop``, the breaker, the
            bot's next slot more than BOT_WAIT_IN_PLACE away). Always writes ``written``."""
            if budget[0] <= 0 or (stop is not None and stop.is_set()) or not breaker.acquire():
                await self._record_all(written)
                return None
            bot_wait = await self._bot_wait(lane)
            if bot_wait > BOT_WAIT_IN_PLACE:  # the bot's next slot: claim nothing yet
                breaker.release_probe()
                bot_opens[0] = self._fresh(now) + timedelta(seconds=bot_wait)
                await self._record_all(written)
                return None
            # a slot a few ms away: the next row is prepared meanwhile and reserves it
            budget[0] -= 1
            started = time.perf_counter()
            try:
                step = await asyncio.to_thread(self._next, now, only, lane, written)
                pace.claim = time.perf_counter() - started
                return step
            except BaseException:  # rolled back (or cancelled): the outcomes on their own
                await self._record_all(written)
                raise

        async def claim_ahead() -> Step | None:
            """The next row claimed while a message is out, once its request has left."""
            if lane.spec.ahead_after:
                await asyncio.sleep(lane.spec.ahead_after)
            return await claim_next([])

        async def sender() -> None:
            unwritten: list[Sent] = []  # messages out whose outcome is not yet written
            ahead: asyncio.Task[Step | None] | None = None  # the next row, claimed meanwhile
            try:
                step = await claim_next([])
                while step is not None:
                    if step.slow:  # something unusual preparing: the stage-by-stage path
                        outcome = await self._claim_and_deliver(now, only, lane, report)
                        if outcome is None:
                            breaker.release_probe()
                            return
                        report.count(outcome)
                        step = await claim_next(_taken(unwritten))
                        continue
                    if step.lease is None:
                        breaker.release_probe()
                        return
                    report.claimed += 1
                    overlap = pace.network_bound() and self._overlap(breaker, stop)
                    if step.prepared is not None and overlap:
                        ahead = asyncio.ensure_future(claim_ahead())  # during the send
                    started = time.perf_counter()
                    try:
                        outcome, sent = await self._send(step.lease, step.early, step.prepared,
                                                         now, lane)  # fmt: skip
                        if step.prepared is not None:
                            pace.send = time.perf_counter() - started
                    except BaseException:
                        breaker.release_probe()
                        await asyncio.shield(asyncio.to_thread(self._release, [step.lease]))
                        raise
                    report.count(outcome)
                    if sent is not None:
                        unwritten.append(sent)
                    if ahead is None:  # its outcome rides on the next claim: one commit
                        step = await claim_next(_taken(unwritten))
                        continue
                    # written before the next send: never more than one message out unwritten
                    await self._record_all(unwritten)
                    task, ahead = ahead, None
                    out, step = step.prepared, await task
                    keep = outcome == Outcome.SENT and self._overlap(breaker, stop)
                    if step is not None and not (keep and _unaffected(step, out)):
                        step = await self._behind(step, claim_next)
            finally:
                if ahead is not None:  # stopped while the next row was claimed: give it back
                    await asyncio.shield(_give_back(ahead))
                await self._record_all(unwritten)

        async def _give_back(task: asyncio.Task[Step | None]) -> None:
            try:
                step = await task
            except (Exception, asyncio.CancelledError):  # it wrote what it carried
                return
            if step is not None:
                await asyncio.to_thread(self._unclaim, step)

        await _gather_all(sender() for _ in range(lane.spec.concurrency))
        report.wake_at = await asyncio.to_thread(self._wake_of, lane, now, bot_opens[0])
        return report

    @staticmethod
    def _overlap(breaker: CircuitBreaker, stop: asyncio.Event | None = None) -> bool:
        """May the lane's next row be claimed and prepared while a message is out? Only
        while the channel works (breaker closed) and the lane is not stopping."""
        return breaker.state == BreakerState.CLOSED and not (stop is not None and stop.is_set())

    async def _behind(
        self, step: Step, claim_next: Callable[[list[Sent]], Awaitable[Step | None]]
    ) -> Step | None:
        """The claim made while a message was out, when that message failed, the lane was
        told to stop, its breaker opened, or the row reads what that message changed
        (:func:`_unaffected`): a row it prepared is given back unsent, and the
        lane asks again (that claim sees the stop, the breaker, a chat's shut slot, and a
        row the failure queued: a fallback, an admin alert). A decision taken early
        (cancelled, deferred) stands."""
        if step.lease is not None and step.prepared is None and not step.slow:
            return step
        await asyncio.to_thread(self._unclaim, step)
        return await claim_next([])

    def _wake_of(self, lane: Lane, now: datetime, bot_opens: datetime | None) -> datetime | None:
        """When messages this lane left behind may go: a rate wait of a claimed row, a
        chat whose slot is shut while it has due rows, or the bot's slot (if rows wait)."""
        wakes = [self._take_wake(lane)]
        channels = lane.channels or ()
        if self.channels.limiter.limited([chat_key(c, "") for c in channels] + [
            bot_key(c) for c in channels
        ]):  # fmt: skip
            fresh = self._fresh(now)
            with Session(self.runtime.engine) as session:
                wakes.append(held_until(session, fresh, channels, self.lease))
                if bot_opens is not None and due_exists(session, fresh, channels, self.lease):
                    wakes.append(bot_opens)
        return min((w for w in wakes if w is not None), default=None)

    async def _claim_and_deliver(
        self, now: datetime, only: Collection[int] | None, lane: Lane, report: DispatchReport
    ) -> Outcome | None:
        """One row claimed, prepared, sent and recorded in transactions of their own (the
        path of a row whose one-transaction preparation failed); None: nothing due."""
        leases = await asyncio.to_thread(self._claim, now, 1, only, lane)
        if not leases:
            return None
        report.claimed += 1
        try:
            return await self.deliver(leases[0], now, lane)
        except BaseException:
            await asyncio.shield(asyncio.to_thread(self._release, leases))
            raise

    async def deliver(self, lease: Lease, now: datetime, lane: Lane | None = None) -> Outcome:
        """One claimed row through the four stages, each in a transaction of its own.

        The send is cut off after the lane's timeout. Whatever it raises stays with this
        message: a :class:`ChannelError` is recorded as it says; anything else (a bad
        sender address, a full disk under the console file, a bug in a channel) is logged
        and recorded as a transient failure, so the rest of the batch goes on.
        """
        lane = lane or self.lane_of(lease)
        try:
            early, prepared = await asyncio.to_thread(self._decide_and_prepare, lease, now)
        except SQLAlchemyError:
            raise  # the database itself: the tick fails and is retried
        except Exception as exc:  # a bug preparing this one message: it waits, others go
            self._log_unexpected(lane.name, "prepare", exc)
            await asyncio.to_thread(self._postpone, lease, f"prepare: {_describe(exc)}", now)
            return Outcome.RETRY
        outcome, sent = await self._send(lease, early, prepared, now, lane)
        if sent is not None:
            await asyncio.to_thread(self._record_sent, sent)
        return outcome

    async def _send(
        self,
        lease: Lease,
        early: Outcome | None,
        prepared: Prepared | None,
        now: datetime,
        lane: Lane,
    ) -> tuple[Outcome, Sent | None]:
        """Stage 3, and stage 4 for a failure; a success is returned to be written by the
        transaction that claims the lane's next row (one commit per message)."""
        breaker = self.channels.breaker(lane.name, self.runtime.clock)
        if prepared is None:
            assert early is not None
            breaker.release_probe()
            return early, None
        channel = self.channels.get(prepared.message.channel)
        timeout = lane.spec.timeout
        if prepared.send_at is not None:  # its reserved rate slot (BOT_WAIT_IN_PLACE at most)
            await wait_until(self.runtime.clock, prepared.send_at)
        try:
            async with self._renewing(lease), asyncio.timeout(timeout):
                result = await channel.send(prepared.message)
        except ChannelError as exc:
            error = exc
        except TimeoutError:
            error = ChannelError(
                f"{lane.name} server did not answer within {timeout:g} s", permanent=False
            )
        except Exception as exc:  # not a ChannelError: see deliver's docstring
            self._log_unexpected(lane.name, "send", exc)
            error = ChannelError(f"unexpected error: {_describe(exc)}", permanent=False)
        else:
            recovered = breaker.success()
            sent = Sent(prepared, result, now, lane, recovered)
            if recovered is not None:  # the end of an outage: told at once
                await asyncio.to_thread(self._record_sent, sent)
                return Outcome.SENT, None
            return Outcome.SENT, sent
        return await self._failed(prepared, error, now, lane, breaker), None

    async def _failed(
        self,
        prepared: Prepared,
        error: ChannelError,
        now: datetime,
        lane: Lane,
        breaker: CircuitBreaker,
    ) -> Outcome:
        """Tell the breaker and the limiter, then record the failure."""
        opened = False
        if error.retry_after:  # the server answers; this chat must wait (_record_failure)
            breaker.success()
        elif error.permanent:  # the server answered: the address is dead
            breaker.success()
        else:
            opened = breaker.failure(error.reason)
            if opened:
                log.error(
                    "%s: %d failures in a row (%s); sending paused, probing again in %s",
                    lane.name, breaker.failures, error.reason, breaker.cooldown,
                )  # fmt: skip
        quiet = breaker.in_outage and not error.permanent
        return await asyncio.to_thread(
            self._record_failure, prepared, error, now, quiet, lane.name if opened else None
        )

    def lane_of(self, lease: Lease) -> Lane:
        """The lane of a row (a caller delivering a lease outside :meth:`dispatch_lane`)."""
        with Session(self.runtime.engine) as session:
            row = session.get(Notification, lease.row_id)
            channel = row.channel if row is not None else ChannelName.CONSOLE
        for lane in self.lanes():
            if channel in (lane.channels or ()):
                return lane
        return self.lanes([ChannelName.CONSOLE])[0]

    def _log_unexpected(self, lane: str, stage: str, exc: BaseException) -> None:
        """A traceback the first time a lane meets this kind of error, one line after."""
        seen = (lane, stage, type(exc).__name__)
        if seen in self._unexpected:
            log.warning("%s %s failed again: %s", lane, stage, _describe(exc))
            return
        self._unexpected.add(seen)
        log.error("%s %s failed: %s", lane, stage, _describe(exc), exc_info=exc)

    @asynccontextmanager
    async def _renewing(self, lease: Lease) -> AsyncIterator[None]:
        """Renew ``lease`` every :attr:`renew_every` seconds while the body (a send) runs.

        A timer, not a task, until the first renewal is due: nearly every send ends long
        before, and a task started and cancelled around each one was a good part of what
        a message cost the event loop."""
        every = max(self.renew_every, 0.01)

        async def beat() -> None:
            while True:
                now = self._fresh(self.runtime.clock.now())
                try:
                    kept = await asyncio.to_thread(self._renew, lease, now)
                except Exception as exc:  # the database is away: the next beat tries again
                    log.warning("lease of message %s not renewed: %s", lease.row_id, exc)
                else:
                    if not kept:
                        log.error("lease of message %s was lost during its send", lease.row_id)
                        return
                await asyncio.sleep(every)

        beats: list[asyncio.Task[None]] = []
        timer = asyncio.get_running_loop().call_later(
            every, lambda: beats.append(asyncio.ensure_future(beat()))
        )
        try:
            yield
        finally:
            timer.cancel()
            if beats:
                beats[0].cancel()
                await asyncio.gather(*beats, return_exceptions=True)

    # -- stage 1 and 2: one transaction -------------------------------------------------

    def _claim(
        self, now: datetime, batch: int, only: Collection[int] | None, lane: Lane | None = None
    ) -> list[Lease]:
        with session_scope(self.runtime.engine) as session:
            return claim_leases(
                session,
                self.worker_id,
                self._fresh(now),
                batch,
                only,
                channels=lane.channels if lane else None,
                not_channels=lane.not_channels if lane else None,
                lease=self.lease,
            )

    def _next(
        self, now: datetime, only: Collection[int] | None, lane: Lane, written: list[Sent]
    ) -> Step:
        """One transaction: the outcomes of the lane's last messages (``written``), the
        claim of its next row and that row's preparation (stages 1 and 2, the attempt
        committed).

        Anything unusual while preparing (another dispatcher took the rate slot, a bug)
        rolls it all back; the outcome is then written alone and the row goes the
        stage-by-stage way (:meth:`deliver`), which handles each case.
        """
        try:
            with session_scope(self.runtime.engine) as session:
                for sent in written:
                    self._write_sent(session, sent)
                leases = claim_leases(
                    session, self.worker_id, self._fresh(now), 1, only,
                    channels=lane.channels, not_channels=lane.not_channels, lease=self.lease,
                )  # fmt: skip
                if not leases:
                    return Step(None)
                early, prepared = self._decide_and_prepare_in(
                    session, leases[0], now, claimed_here=True
                )
                return Step(leases[0], early, prepared)
        except SQLAlchemyError:
            raise
        except Exception as exc:  # the stage-by-stage path meets it again and logs it
            log.debug("%s: one-transaction step failed (%s); stage by stage", lane.name, exc)
            self._record_sent(*written)
            written.clear()  # written here: the caller has nothing left to write
            return Step(None, slow=True)

    def _renew(self, lease: Lease, now: datetime) -> bool:
        with session_scope(self.runtime.engine) as session:
            return renew(session, lease, now)

    def _unclaim(self, step: Step) -> None:
        """A row claimed and prepared but not sent: pending again (its place in the queue
        kept), and the attempt opened for it removed, since none was made."""
        if step.lease is None:
            return
        with session_scope(self.runtime.engine) as session:
            if release(session, step.lease) and step.prepared is not None:
                attempt = session.get(DeliveryAttempt, step.prepared.attempt_id)
                if attempt is not None:
                    session.delete(attempt)

    def _release(self, leases: Collection[Lease]) -> None:
        with session_scope(self.runtime.engine) as session:
            for lease in leases:
                release(session, lease)

    def _postpone(self, lease: Lease, problem: str, now: datetime) -> None:
        """Back to pending with backoff after an unexpected error outside the send."""
        with session_scope(self.runtime.engine) as session:
            row = session.get(Notification, lease.row_id)
            if row is None or row.claim_token != lease.token:
                return
            row.attempts += 1
            row.status, row.claimed_by, row.claim_token = Status.PENDING, None, None
            row.last_error = problem[:2000]
            row.next_attempt_at = now + backoff(row.attempts)

    def _decide_and_prepare(
        self, lease: Lease, now: datetime
    ) -> tuple[Outcome | None, Prepared | None]:
        try:
            return self._decide_and_prepare_once(lease, now)
        except _SlotTaken as taken:  # rolled back; the row waits for its slot, unsent
            with session_scope(self.runtime.engine) as session:
                release(session, lease)  # its place in the queue kept, as for WAIT_RATE
            self._note_wake(taken.channel, self._fresh(now) + timedelta(seconds=taken.wait))
            return Outcome.DEFERRED, None

    def _decide_and_prepare_once(
        self, lease: Lease, now: datetime
    ) -> tuple[Outcome | None, Prepared | None]:
        with session_scope(self.runtime.engine) as session:
            # the compare-and-set right before the send: the row lock (PostgreSQL) or the
            # write transaction (SQLite) it takes lasts until this commit, just before it
            if not renew(session, lease, self._fresh(now)):
                log.warning("message %s was taken by another dispatcher; dropped", lease.row_id)
                return Outcome.DROPPED, None
            return self._decide_and_prepare_in(session, lease, now)

    def _decide_and_prepare_in(
        self, session: Session, lease: Lease, now: datetime, *, claimed_here: bool = False
    ) -> tuple[Outcome | None, Prepared | None]:
        """Stages 1 and 2 of a row this transaction holds (``claimed_here``, or renewed)."""
        # held until the end (the session keeps only what is referenced): preparing finds
        # the deadline and the recipient in the session instead of reading them again
        row, deadline, _recipient = _load_row(session, lease.row_id)
        if self._without_template(row):
            return self._reroute(session, row), None
        verdict = self._verdict(row, deadline, self._fresh(now), session, claimed_here)
        if verdict.decision == Decision.CANCEL:
            row.status, row.claimed_by, row.last_error = Status.CANCELLED, None, verdict.reason
            return Outcome.CANCELLED, None
        if verdict.decision == Decision.WAIT_RATE:
            # its place in the queue kept (the chat's order): the claim skips a shut chat
            assert verdict.until is not None
            release(session, lease)
            self._note_wake(row.channel, verdict.until)
            return Outcome.DEFERRED, None
        if verdict.decision != Decision.SEND:
            row.status, row.claimed_by, row.next_attempt_at = (
                Status.PENDING,
                None,
                verdict.until,
            )
            return Outcome.DEFERRED, None
        try:
            prepared = self._prepare(session, row, now)
        except NotifierError as exc:  # a broken template or context: no retry helps
            return self._give_up(session, row, f"render: {exc}", now), None
        # last, so that PostgreSQL holds the slot rows locked only until this commit; a
        # row claimed here may reserve the bot's next slot: it waits for it, prepared
        keys = self._rate_keys(row)
        within = BOT_WAIT_IN_PLACE if claimed_here else 0.0
        wait, at = self.channels.limiter.reserve(session, keys, within)
        if at is None:  # another dispatcher took the slot since the check: undo, wait
            raise _SlotTaken(row.channel, wait)
        return None, replace(prepared, send_at=at) if at > self._fresh(now) else prepared

    def _batch_facts(self) -> ContextFacts:
        """The facts this batch's messages share; read afresh every few seconds, so that
        an edit of the directory or a plan shows in the messages sent after it."""
        if time.monotonic() - self._facts_born > FACTS_MAX_AGE:
            self._new_facts()
        return self._facts

    def _new_facts(self) -> None:
        self._facts, self._facts_born = ContextFacts(), time.monotonic()

    def _note_wake(self, channel: str, when: datetime) -> None:
        """Something left behind becomes sendable at ``when`` (a chat's slot reopens)."""
        with self._wake_lock:
            earlier = self._wakes.get(channel)
            self._wakes[channel] = when if earlier is None else min(earlier, when)

    def _take_wake(self, lane: Lane) -> datetime | None:
        """The earliest wake noted for the channels of ``lane`` (and forget them)."""
        with self._wake_lock:
            mine = [
                channel
                for channel in self._wakes
                if (channel in lane.channels if lane.channels is not None
                    else channel not in lane.not_channels)
            ]  # fmt: skip
            found = [self._wakes.pop(channel) for channel in mine]
        return min(found, default=None)

    async def _bot_wait(self, lane: Lane) -> float:
        """Seconds until the bot of ``lane`` may send again (0.0 without a bot limit)."""
        keys = [bot_key(channel) for channel in lane.channels or ()]
        if not self.channels.limiter.limited(keys):
            return 0.0
        return await asyncio.to_thread(self._read_wait, keys)

    def _read_wait(self, keys: list[tuple[str, str]]) -> float:
        with Session(self.runtime.engine) as session:
            return self.channels.limiter.wait_time(session, keys)

    def _without_template(self, row: Notification) -> bool:
        """A ZNS row of a kind no approved template exists for (``zns.templates``)."""
        if row.channel != ChannelName.ZNS or ChannelName.ZNS not in self.channels.configured:
            return False
        return not has_template(self.runtime.settings, row.kind)

    def _reroute(self, session: Session, row: Notification) -> Outcome:
        """Move the row, unsent, to the person's first usable channel other than ZNS.

        ZNS can only send approved templates; the number is fine, so it is not marked
        unusable and no admin is told. The row goes back to pending on its new channel
        (its lane claims it; the console when the person has nothing else).
        """
        person = session.get(Person, row.person_id)
        assert person is not None
        others = self.channels.configured - {ChannelName.ZNS}
        channel = choose_channel(person, others)
        log.info("message %s: no ZNS template for %s; moved to %s", row.id, row.kind, channel)
        row.channel, row.address = channel, address_of(person, channel)
        row.status, row.claimed_by, row.claim_token = Status.PENDING, None, None
        row.last_error = f"không có mẫu ZNS cho loại tin {row.kind}; chuyển sang kênh {channel}"
        return Outcome.REROUTED

    def _verdict(
        self,
        row: Notification,
        deadline: Deadline | None,
        now: datetime,
        session: Session,
        claimed_here: bool = False,
    ) -> Verdict:
        status = None
        if row.deadline_id is not None and row.kind in CHASING_KINDS:
            status = deadline.status if deadline is not None else None
        runtime = self.runtime
        window = as_utc(apply_send_window(now, runtime.policy, runtime.calendar))
        keys = self._rate_keys(row)
        if claimed_here and not self.channels.limiter.limited(keys):
            # no limit to wait for, and the claim, in this transaction, skipped a held chat
            rate_wait = 0.0
        else:
            rate_wait = self.channels.limiter.wait_time(session, keys)
            if claimed_here and rate_wait <= BOT_WAIT_IN_PLACE:
                rate_wait = 0.0  # a slot this close is reserved and waited for (_send)
        return decide(row.kind, status, rate_wait, window, now)

    def _rate_keys(self, row: Notification) -> list[tuple[str, str]]:
        """The limiter keys of a row: its chat's buckets and any ``retry_after`` hold."""
        channel = row.channel if row.channel in self.channels.configured else ChannelName.CONSOLE
        return chat_keys(channel, row.address or "")

    def _prepare(self, session: Session, row: Notification, now: datetime) -> Prepared:
        """Context, answer surface, render; the text kept on the row; an attempt committed."""
        person = session.get(Person, row.person_id)
        assert person is not None and person.id is not None and row.id is not None
        channel = row.channel if row.channel in self.channels.configured else ChannelName.CONSOLE
        ctx = build_context(session, row, self.runtime, now, self._batch_facts())
        ctx, buttons = self._answer_surface(ctx, channel, row.id, person.id, now)
        public_url = self.runtime.settings.file.public_url
        ctx, attachments = with_report_files(ctx, channel, self.key, public_url, now)
        zalo, telegram = channel == ChannelName.ZALO, channel == ChannelName.TELEGRAM
        parts = _PARTS_SENT.get(channel, tuple(Part))
        rendered: Rendered = self.runtime.renderer.render(ctx, zalo=zalo, parts=parts)
        address = row.address or address_of(person, row.channel)
        html = rendered.telegram_html if telegram else rendered.html
        kept = {"subject": rendered.subject, "body_text": rendered.text, "body_html": html}
        session.execute(_KEEP_TEXT, kept | {"row_id": row.id, "address": address})
        for name, value in (kept | {"address": address}).items():  # the row as now stored
            set_committed_value(row, name, value)
        opened = {"row": row.id, "channel": channel, "address": address, "at": now}
        attempt_id = session.execute(_OPEN_ATTEMPT, opened | {"worker": self.worker_id})
        attempt_id = attempt_id.inserted_primary_key[0]  # type: ignore[attr-defined]
        message = OutgoingMessage(
            key=f"n{row.id}", channel=channel, address=address, subject=rendered.subject,
            text=rendered.text, html=rendered.html or None,
            telegram_html=rendered.telegram_html or None,
            buttons=buttons, recipient_name=person.name, kind=row.kind,
            short_text=rendered.zalo_text, attachments=attachments,
            template_data=template_data(ctx, public_url) if channel == ChannelName.ZNS else {},
        )  # fmt: skip
        return Prepared(row.id, message, attempt_id, deadline_id=row.deadline_id)

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
            reference = row_id if channel == ChannelName.ZALO else None
            ctx = replace(ctx, links=signed(row_id, answers), items=items, reference=reference)
            return ctx, ()
        if channel == ChannelName.TELEGRAM:
            return ctx, answer_buttons(self.key, row_id, answers)
        return ctx, ()

    # -- stage 4 ------------------------------------------------------------------------

    def _record_sent(self, *sent: Sent) -> None:
        if not sent:
            return
        with session_scope(self.runtime.engine) as session:
            for one in sent:
                self._write_sent(session, one)

    async def _record_all(self, sent: list[Sent]) -> None:
        """The outcomes of messages out, in a transaction of their own (shielded: they are
        written even when the sender is being cancelled)."""
        if sent:
            mine = _taken(sent)
            await asyncio.shield(asyncio.to_thread(self._record_sent, *mine))

    def _write_sent(self, session: Session, sent: Sent) -> None:
        prepared, now = sent.prepared, sent.now
        if sent.outage_since is not None:
            log.warning("%s: answering again, sending resumed", sent.lane.name)
            note_recovery(session, sent.lane.name, sent.outage_since, now)
        _finish_attempt(session, prepared.attempt_id, AttemptOutcome.SENT, "", now)
        values = {"row_id": prepared.row_id, "provider": sent.result.provider_id, "at": now}
        session.execute(_MARK_SENT, values)

    def _record_failure(
        self,
        prepared: Prepared,
        exc: ChannelError,
        now: datetime,
        quiet: bool = False,
        outage: str | None = None,
    ) -> Outcome:
        """Record a failed send and decide: retry later, give up, or fall back.

        ``outage``: this failure opened the breaker of that channel, alert the admins once.
        ``quiet``: the channel is in an outage already reported; a give-up is only logged.
        """
        with session_scope(self.runtime.engine) as session:
            if exc.retry_after:  # the whole chat waits, for every dispatcher
                message = prepared.message
                key = chat_key(message.channel, message.address)
                self.channels.limiter.hold(session, key, exc.retry_after)
            if outage is not None:
                admins, configured = self.runtime.settings.file.admins, self.channels.configured
                alert_outage(session, admins, configured, outage, exc.reason, now)
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
                return self._give_up(session, row, f"gave up after 24 h: {exc}", now, quiet)
            wait = timedelta(seconds=exc.retry_after) if exc.retry_after else backoff(row.attempts)
            row.status, row.claimed_by, row.next_attempt_at = Status.PENDING, None, now + wait
            return Outcome.RETRY

    def _give_up(
        self, session: Session, row: Notification, problem: str, now: datetime, quiet: bool = False
    ) -> Outcome:
        row.status, row.claimed_by, row.last_error = Status.FAILED, None, problem[:2000]
        if quiet:  # the outage alert already told the admins; the Event keeps the record
            session.add(
                Event(at=now, kind=EventKind.DELIVERY_PROBLEM, message=problem,
                      deadline_id=row.deadline_id, person_id=row.person_id,
                      data={"notification_id": row.id, "channel": row.channel})
            )  # fmt: skip
        else:
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


@dataclass
class _Pace:
    """Real seconds a lane's last send and last claim took. The next row is claimed during
    a send only while sends take longer (the network is the bottleneck): on a quick server
    that would cost a commit per message and slow the send it competes with. A lane's
    first message overlaps (nothing is known yet)."""

    send: float = float("inf")
    claim: float = 0.0

    def network_bound(self) -> bool:
        return self.send >= self.claim


# Kinds whose context reads what other messages did (who was reminded and has not
# answered; a plan's or a person's figures): prepared while one of them was out, they
# could say it had not been sent
_READS_OTHER_ROWS = frozenset(
    {MessageKind.DIGEST, MessageKind.CATCH_UP, MessageKind.COMPILED_REPORT}
)


def _unaffected(ahead: Step, out: Prepared | None) -> bool:
    """Does the row claimed ahead read nothing the message that was out has changed? An
    escalation of the same deadline says who was reminded, a digest or a catch-up sums up
    other rows: those are prepared again now that the message is recorded."""
    if ahead.prepared is None or out is None:
        return True
    kind, deadline = ahead.prepared.message.kind, ahead.prepared.deadline_id
    if kind in _READS_OTHER_ROWS:
        return False
    return not (kind == MessageKind.ESCALATION and deadline == out.deadline_id)


def _taken(items: list[Sent]) -> list[Sent]:
    """The items, handed over: the list is emptied (each outcome is written once)."""
    out = list(items)
    items.clear()
    return out


class _SlotTaken(Exception):
    """Another dispatcher took the rate slot between the check and the take."""

    def __init__(self, channel: str, wait: float) -> None:
        super().__init__(f"rate slot of {channel} taken; {wait:g} s to wait")
        self.channel, self.wait = channel, wait


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


async def _gather_all(coros: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Run side by side; when one fails, the others still finish, then the error is raised."""
    results = await asyncio.gather(*coros, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result


async def _gather_reports(
    coros: Iterable[Coroutine[Any, Any, DispatchReport]],
) -> DispatchReport:
    """The lanes side by side, their reports added; a failing lane lets the others finish."""
    results = await asyncio.gather(*coros, return_exceptions=True)
    total = DispatchReport()
    for result in results:
        if isinstance(result, BaseException):
            raise result
        total.add(result)
    return total


# The text kept on the row, the attempt's insert and the outcome's two updates, built once:
# they run once per message sent. Plain statements on the tables, by primary key: the
# ORM's bookkeeping of one row (a flush) cost more than the statement itself. The text's
# update is mirrored on the loaded row (set_committed_value); the attempt and the outcome
# touch no row loaded in their session.
_OUTBOX = Notification.__table__  # type: ignore[attr-defined]
_ATTEMPTS = DeliveryAttempt.__table__  # type: ignore[attr-defined]
_STAMP = _OUTBOX.c.sent_at.type
_OPEN_ATTEMPT = _ATTEMPTS.insert().values(
    notification_id=bindparam("row"),
    channel=bindparam("channel"),
    address=bindparam("address"),
    worker=bindparam("worker"),
    started_at=bindparam("at", type_=_STAMP),
    outcome=AttemptOutcome.STARTED,
    error="",
)
_KEEP_TEXT = (
    _OUTBOX.update()
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        subject=bindparam("subject"),
        body_text=bindparam("body_text"),
        body_html=bindparam("body_html"),
        address=bindparam("address"),
    )
)
_MARK_SENT = (
    _OUTBOX.update()
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        status=Status.SENT,
        provider_id=bindparam("provider"),
        sent_at=bindparam("at", type_=_STAMP),
        claimed_by=None,
        claim_token=None,
        last_error="",
        attempts=_OUTBOX.c.attempts + 1,
    )
)
_FINISH_ATTEMPT = (
    _ATTEMPTS.update()
    .where(_ATTEMPTS.c.id == bindparam("attempt_id"))
    .values(
        finished_at=bindparam("at", type_=_STAMP),
        outcome=bindparam("outcome"),
        error=bindparam("error"),
    )
)


# A claimed row with its deadline and recipient, in one statement: what preparing it reads
# (session.get then finds them in the session) at a third of the queries.
_ROW_DEADLINE_PERSON = (
    select(Notification, Deadline, Person)
    .outerjoin(Deadline, col(Notification.deadline_id) == Deadline.id)
    .outerjoin(Person, col(Notification.person_id) == Person.id)
    .where(col(Notification.id) == bindparam("row_id"))
)


def _load_row(session: Session, row_id: int) -> tuple[Notification, Deadline | None, Person | None]:
    found = session.exec(_ROW_DEADLINE_PERSON, params={"row_id": row_id}).first()  # type: ignore[call-overload]
    assert found is not None
    return found[0], found[1], found[2]


def _finish_attempt(
    session: Session, attempt_id: int, outcome: AttemptOutcome, error: str, now: datetime
) -> None:
    values = {"attempt_id": attempt_id, "at": now, "outcome": outcome, "error": error[:2000]}
    session.execute(_FINISH_ATTEMPT, values)


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
