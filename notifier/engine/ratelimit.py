"""Token buckets for sending, keyed by name; time comes from an injected clock.

Non-blocking on purpose: dispatch asks :meth:`RateLimiter.wait_time` and, when it is not
zero, leaves the message for a later tick instead of sleeping. A send that needs several
buckets (the bot overall and one chat) consumes all of them at once, or none.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from notifier.clock import Clock

_EPSILON = 1e-9  # float refill arithmetic must not leave a send waiting for a rounding error

# bucket kinds used for Telegram (see telegram_limits and telegram_keys)
TELEGRAM = "telegram"
TELEGRAM_CHAT = "telegram_chat"
TELEGRAM_GROUP = "telegram_group"


@dataclass
class _Bucket:
    tokens: float
    updated: datetime


class RateLimiter:
    """Token buckets keyed by name; non-blocking: tells how long to wait. Clock injected.

    ``limits`` maps a bucket kind to ``(capacity, period_seconds)``: ``(30, 1.0)`` allows a
    burst of 30 and refills at 30 per second. A kind without a limit never waits.
    """

    def __init__(self, clock: Clock, limits: Mapping[str, tuple[int, float]]) -> None:
        for kind, (capacity, period) in limits.items():
            if capacity < 1 or period <= 0:
                raise ValueError(f"rate limit {kind!r}: need capacity >= 1 and period > 0")
        self._clock = clock
        self._limits = dict(limits)
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._holds: dict[tuple[str, str], datetime] = {}  # a provider said "retry after"
        # dispatch lanes ask and consume from worker threads: hold this across both
        self.lock = threading.RLock()

    def _refilled(self, key: tuple[str, str], now: datetime) -> _Bucket | None:
        limit = self._limits.get(key[0])
        if limit is None:
            return None
        capacity, period = limit
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(capacity), now)
        elapsed = max((now - bucket.updated).total_seconds(), 0.0)
        bucket.tokens = min(float(capacity), bucket.tokens + elapsed * capacity / period)
        bucket.updated = now
        return bucket

    def wait_time(self, keys: Sequence[tuple[str, str]]) -> float:
        """Seconds until every bucket in ``keys`` has a token; 0.0 when a send may go now."""
        now = self._clock.now()
        longest = 0.0
        for key in keys:
            held = self._holds.get(key)
            if held is not None:
                if held > now:
                    longest = max(longest, (held - now).total_seconds())
                else:
                    del self._holds[key]
            bucket = self._refilled(key, now)
            if bucket is None or bucket.tokens >= 1.0 - _EPSILON:
                continue
            capacity, period = self._limits[key[0]]
            longest = max(longest, (1.0 - bucket.tokens) * period / capacity)
        # round up to the microsecond: waiting the answer (a timedelta) must be enough
        return math.ceil(longest * 1_000_000) / 1_000_000

    def consume(self, keys: Sequence[tuple[str, str]]) -> None:
        """Take one token from each bucket (call after :meth:`wait_time` said 0.0).

        A bucket may go below zero if called anyway; the debt delays later sends.
        """
        now = self._clock.now()
        for key in keys:
            bucket = self._refilled(key, now)
            if bucket is not None:
                bucket.tokens -= 1.0

    def hold(self, key: tuple[str, str], seconds: float) -> None:
        """Nothing through ``key`` for ``seconds`` (a 429 with retry_after for that chat)."""
        until = self._clock.now() + timedelta(seconds=seconds)
        self._holds[key] = max(until, self._holds.get(key, until))

    def forget_idle(self) -> None:
        """Drop full buckets: they carry no state, and one per chat would pile up."""
        now = self._clock.now()
        for key in list(self._buckets):
            bucket = self._refilled(key, now)
            if bucket is not None and bucket.tokens >= self._limits[key[0]][0]:
                del self._buckets[key]


def telegram_limits(
    per_bot: int = 30, per_chat_per_s: int = 1, per_group_per_min: int = 20
) -> dict[str, tuple[int, float]]:
    """Telegram's published limits: per bot per second, per chat per second, per group per
    minute (group chats have negative ids). Use with :func:`telegram_keys`."""
    return {
        TELEGRAM: (per_bot, 1.0),
        TELEGRAM_CHAT: (per_chat_per_s, 1.0),
        TELEGRAM_GROUP: (per_group_per_min, 60.0),
    }


def telegram_keys(chat_id: str) -> list[tuple[str, str]]:
    """The buckets one Telegram message to ``chat_id`` uses."""
    keys = [(TELEGRAM, ""), (TELEGRAM_CHAT, chat_id)]
    if chat_id.startswith("-"):
        keys.append((TELEGRAM_GROUP, chat_id))
    return keys


def chat_keys(channel: str, address: str) -> list[tuple[str, str]]:
    """The buckets (and holds) one message to ``address`` on ``channel`` goes through."""
    return telegram_keys(address) if channel == TELEGRAM else [chat_key(channel, address)]


def chat_key(channel: str, address: str) -> tuple[str, str]:
    """The key a provider's ``retry_after`` holds: the whole chat, not just one message."""
    return (TELEGRAM_CHAT, address) if channel == TELEGRAM else (f"chat:{channel}", address)
