"""The long-running process (`notifier run`), its one-shot form, and `simulate`.

:class:`Service` owns the channels and a worker id, ticks sweep and dispatch through
APScheduler, and stops cleanly on SIGTERM/SIGINT: the messages in flight are finished,
the rest of the claim is released (back to pending), extra tasks are cancelled and
the channels closed.

Each dispatch tick starts a drain per channel lane (:mod:`notifier.engine.lanes`) that
is not already running and does not wait for them: a lane stuck on a hanging server
delays its own channel only, and the other lanes keep ticking. A tick that fails (the
database restarting, locked or full) is logged in one line and the next tick tries
again; the service never exits because of it, not even on its first tick.

Other parts of the program (the Telegram bot, the answer-link web app) plug in without
touching this loop: append an async callable to ``service.extra_tasks``; it is started
with the service and cancelled on stop (``notifier run`` adds the web app and the bot).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, VirtualClock, as_utc
from notifier.domain.steps import apply_send_window
from notifier.engine.channels import ChannelSet
from notifier.engine.dispatch import Dispatcher, DispatchReport, release_claims
from notifier.engine.lanes import Lane
from notifier.engine.scheduler import build_scheduler, real_interval
from notifier.engine.sweep import SweepReport, sweep
from notifier.runtime import Runtime
from notifier.store.db import describe_failure, session_scope
from notifier.store.models import Deadline, Notification
from notifier.vocab import DeadlineStatus, DeliveryStatus

ExtraTask = Callable[[], Awaitable[None]]
log = logging.getLogger(__name__)


def new_worker_id() -> str:
    """Host, process and a random suffix: unique per running dispatcher."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class TickReport:
    sweep: SweepReport = field(default_factory=SweepReport)
    dispatch: DispatchReport = field(default_factory=DispatchReport)


class Service:
    """Sweep + dispatch on a schedule; see the module docstring."""

    def __init__(
        self,
        runtime: Runtime,
        channels: ChannelSet,
        *,
        worker_id: str | None = None,
        speed: float = 1.0,
    ) -> None:
        self.runtime = runtime
        self.channels = channels
        self.worker_id = worker_id or new_worker_id()
        self.dispatcher = Dispatcher(runtime, channels, self.worker_id)
        self.extra_tasks: list[ExtraTask] = []
        self.speed = speed  # of the (virtual) clock: ticks come this much faster
        self._stop = asyncio.Event()
        self._busy = asyncio.Lock()
        self._drains: dict[str, asyncio.Future[DispatchReport]] = {}

    def request_stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    async def sweep_tick(self) -> SweepReport:
        """One sweep at the clock's now, in a thread (it is blocking database work)."""
        async with self._busy:
            if self.stopping:
                return SweepReport()
            now = self.runtime.clock.now()
            report = await asyncio.to_thread(sweep, self.runtime, now)
            await asyncio.to_thread(self._prune_rate_slots)
            return report

    def _prune_rate_slots(self) -> None:
        """Drop the rate slots idle for a day (one per chat ever written to would pile up)."""
        with session_scope(self.runtime.engine) as session:
            self.channels.limiter.prune(session)

    async def dispatch_tick(self) -> DispatchReport:
        """Every lane drained now (a lane already draining is awaited, not started twice)."""
        if self.stopping:
            return DispatchReport()
        reports = await asyncio.gather(*self.kick_lanes())
        total = DispatchReport()
        for report in reports:
            total.add(report)
        return total

    def kick_lanes(self) -> list[asyncio.Future[DispatchReport]]:
        """Start a drain of every lane that is not draining already; the drains running."""
        for lane in self.dispatcher.lanes():
            running = self._drains.get(lane.name)
            if running is None or running.done():
                self._drains[lane.name] = asyncio.ensure_future(self._drain(lane))
        return list(self._drains.values())

    async def _drain(self, lane: Lane) -> DispatchReport:
        now = self.runtime.clock.now()
        try:
            return await self.dispatcher.drain_lane(lane, now, stop=self._stop)
        except Exception as exc:  # logged here; the next tick tries again
            self._failed(f"dispatch ({lane.name})", exc)
            return DispatchReport()

    def _failed(self, what: str, exc: BaseException) -> None:
        every = self.runtime.settings.file.dispatch_interval_seconds
        log.error("%s failed: %s; trying again in %g s", what, describe_failure(exc), every)
        if not isinstance(exc, SQLAlchemyError | OSError):
            log.debug("traceback", exc_info=exc)

    async def once(self) -> TickReport:
        """One sweep and one dispatch at the current time (cron users); failures raise."""
        try:
            swept = await self.sweep_tick()
            now = self.runtime.clock.now()
            return TickReport(swept, await self.dispatcher.dispatch_all(now, stop=self._stop))
        finally:
            await self.close()

    async def run(self, install_signals: bool = True) -> None:
        """Tick until SIGTERM/SIGINT or :meth:`request_stop`, then stop cleanly."""
        loop = asyncio.get_running_loop()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.request_stop)
        settings = self.runtime.settings.file
        scheduler = build_scheduler(
            self._guarded("sweep", self.sweep_tick),
            self._guarded("dispatch", self._kick),
            sweep_every=real_interval(settings.sweep_interval_seconds, self.speed),
            dispatch_every=real_interval(settings.dispatch_interval_seconds, self.speed),
        )
        extras: list[asyncio.Future[None]] = [asyncio.ensure_future(t()) for t in self.extra_tasks]
        try:
            await self._guarded("sweep", self.sweep_tick)()
            self.kick_lanes()
            scheduler.start()
            await self._stop.wait()
        finally:
            self._stop.set()
            if scheduler.running:
                scheduler.shutdown(wait=False)
            async with self._busy:  # the sweep in flight finishes
                pass
            # each lane finishes the messages it has in flight
            await asyncio.gather(*self._drains.values(), return_exceptions=True)
            for task in extras:
                task.cancel()
            await asyncio.gather(*extras, return_exceptions=True)
            if install_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(sig)
            await self._guarded("shutdown", self.close)()

    def _guarded(
        self, what: str, tick: Callable[[], Awaitable[object]]
    ) -> Callable[[], Awaitable[None]]:
        """``tick`` whose failure is logged in one line instead of ending the service."""

        async def job() -> None:
            try:
                await tick()
            except Exception as exc:
                self._failed(what, exc)

        return job

    async def _kick(self) -> None:
        self.kick_lanes()

    async def close(self) -> None:
        """Release this worker's claims and close the channels (idempotent)."""
        try:
            await asyncio.to_thread(self._release)
        finally:
            await self.channels.aclose()

    def _release(self) -> None:
        with session_scope(self.runtime.engine) as session:
            release_claims(session, self.worker_id)


# ---------------------------------------------------------------- simulate


@dataclass
class Simulation:
    ticks: int = 0
    sweep: SweepReport = field(default_factory=SweepReport)
    dispatch: DispatchReport = field(default_factory=DispatchReport)


def _add(total: object, part: object) -> None:
    for name, value in vars(part).items():
        setattr(total, name, getattr(total, name) + value)


def next_planned_send(runtime: Runtime, now: datetime) -> datetime | None:
    """When the next message is expected to go out: the earliest pending row or due step,
    moved into the send window; None when nothing is planned at all."""
    action, attempt = col(Deadline.next_action_at), col(Notification.next_attempt_at)
    with Session(runtime.engine) as session:
        candidates = [
            session.exec(
                select(func.min(action)).where(
                    col(Deadline.status).in_([DeadlineStatus.OPEN, DeadlineStatus.DONE])
                )
            ).one(),
            session.exec(
                select(func.min(attempt)).where(Notification.status == DeliveryStatus.PENDING)
            ).one(),
        ]
    times = [max(as_utc(c), as_utc(now)) for c in candidates if c is not None]
    if not times:
        return None
    return as_utc(apply_send_window(min(times), runtime.policy, runtime.calendar))


def next_due(runtime: Runtime, after: datetime) -> datetime | None:
    """The earliest instant after ``after`` when a sweep or dispatch has work.

    Only instants strictly later count: something stuck in the past must not make a
    replay crawl one interval at a time.
    """
    action, attempt = col(Deadline.next_action_at), col(Notification.next_attempt_at)
    followup = col(Notification.followup_at)
    with Session(runtime.engine) as session:
        candidates = [
            session.exec(
                select(func.min(action)).where(
                    Deadline.status == DeadlineStatus.OPEN, action > after
                )
            ).one(),
            session.exec(
                select(func.min(attempt)).where(
                    Notification.status == DeliveryStatus.PENDING, attempt > after
                )
            ).one(),
            session.exec(select(func.min(followup)).where(followup > after)).one(),
        ]
    local = as_utc(after).astimezone(VN_TZ)
    digest = datetime.combine(local.date(), runtime.policy.digest_at, tzinfo=VN_TZ)
    if digest <= local:
        digest += timedelta(days=1)
    candidates.append(digest)
    times = [as_utc(c) for c in candidates if c is not None]
    return min(times) if times else None


async def simulate(
    runtime: Runtime, channels: ChannelSet, start: datetime, end: datetime, worker_id: str
) -> Simulation:
    """Replay ``[start, end]`` on the runtime's VirtualClock through sweep() and dispatch().

    Instead of ticking every sweep interval, the clock jumps to the next instant with
    work (next_action_at, next_attempt_at, follow-ups, the digest hour), but never by less
    than one sweep interval, as the real service would see it.
    """
    clock = runtime.clock
    if not isinstance(clock, VirtualClock):
        raise TypeError("simulate needs a VirtualClock")
    step = timedelta(seconds=runtime.settings.file.sweep_interval_seconds)
    dispatcher = Dispatcher(runtime, channels, worker_id)
    report = Simulation()
    now = as_utc(start)
    try:
        while now <= end:
            clock.set(now)
            _add(report.sweep, await asyncio.to_thread(sweep, runtime, now))
            sent = await dispatcher.dispatch_all(now)
            report.dispatch.add(sent)
            report.ticks += 1
            upcoming = min(
                (t for t in (next_due(runtime, now), sent.wake_at) if t is not None),
                default=None,
            )  # a rate slot reopening (wake_at) is work too
            if upcoming is None:
                break
            # dispatch may have waited for rate slots (a stopped clock jumps): never go back
            now = max(upcoming, now + step, as_utc(clock.now()))
    finally:
        with session_scope(runtime.engine) as session:
            release_claims(session, worker_id)
    report.dispatch.wake_at = None
    return report
