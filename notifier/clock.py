"""Time enters the program here and nowhere else.

Production uses :class:`SystemClock`; ``simulate``, ``run --at`` and the tests use
:class:`VirtualClock`, which starts at a chosen instant and either advances by hand
(tests) or runs ``speed`` times faster than real time (rehearsals).
"""

from __future__ import annotations

import asyncio
import contextlib
import time as _time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, time-zone aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.fromtimestamp(_time.time(), tz=UTC)


class VirtualClock:
    """A clock that starts at ``start`` and moves ``speed`` times real time.

    With ``speed=0`` it only moves through :meth:`advance` / :meth:`set`.
    """

    def __init__(self, start: datetime, speed: float = 0.0) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs a time-zone aware start instant")
        self._base = start.astimezone(UTC)
        self._speed = speed
        self._real_base = _time.monotonic()

    def now(self) -> datetime:
        if self._speed:
            elapsed = (_time.monotonic() - self._real_base) * self._speed
            return self._base + timedelta(seconds=elapsed)
        return self._base

    @property
    def speed(self) -> float:
        return self._speed

    def set(self, instant: datetime) -> None:
        self._base = instant.astimezone(UTC)
        self._real_base = _time.monotonic()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)


def as_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC; refuse naive ones (they hide bugs)."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: every instant must carry a time zone")
    return value.astimezone(UTC)


async def wait_until(clock: Clock, instant: datetime, stop: asyncio.Event | None = None) -> None:
    """Wait until ``clock`` reaches ``instant`` (or ``stop`` is set).

    A real clock (or a running virtual one) sleeps for the real time that takes; a
    stopped :class:`VirtualClock` (tests, replays) jumps there: waiting is jumping.
    """
    if isinstance(clock, VirtualClock) and not clock.speed:
        if instant > clock.now():
            clock.set(instant)
        return
    speed = clock.speed if isinstance(clock, VirtualClock) else 1.0
    seconds = max((as_utc(instant) - clock.now()).total_seconds(), 0.0) / speed
    if stop is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
