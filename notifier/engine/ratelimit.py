"""Rate limits shared by every dispatcher, kept in the database (``rate_slot``).

Each key (a bot, a chat, a group chat) has one row: the instant the next message through
it may go. A send that needs several keys (the bot overall and one chat) takes all of
them at once, or none; taking a key moves it one *spacing* later ((period + :data:`MARGIN`)
/ capacity, :func:`spacing`). So messages are spread evenly, never bursted: 30 per second
per bot means one every 37 ms, and no one-second window a platform counts ever holds more than
its limit, whichever worker sent them. A provider's ``retry_after`` moves a chat's slot
later for every worker (:meth:`RateLimiter.hold`).

Atomic between workers: on SQLite every transaction is ``BEGIN IMMEDIATE``; on
PostgreSQL :meth:`RateLimiter.take` locks the key rows (``FOR UPDATE``, in key order, so
two workers never deadlock). Non-blocking on purpose: dispatch asks how long to wait and,
when it is not zero, leaves the message for later instead of sleeping. Time comes from
an injected clock; every method works inside the caller's session (its transaction).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from notifier.clock import Clock, as_utc
from notifier.store.models import RateSlot
from notifier.vocab import ChannelName

Key = tuple[str, str]

# Each period is counted this much longer than published, so that messages delayed unevenly
# between the slot and the server (a busy thread, another worker) by up to this much never
# put one too many in a window the platform counts (4 worker threads once did, at 3 %).
MARGIN = 0.1


def spacing(capacity: int, period: float) -> float:
    """Seconds between two messages through a key allowing ``capacity`` per ``period``."""
    return (period + MARGIN) / capacity


KEEP_IDLE = timedelta(days=1)  # slots idle this long carry no state: pruned


def bot_key(channel: str) -> Key:
    return (f"bot:{channel}", "")


def chat_key(channel: str, address: str) -> Key:
    """The key of one chat: its limit, and what a provider's ``retry_after`` holds."""
    return (f"chat:{channel}", address)


def chat_keys(channel: str, address: str) -> list[Key]:
    """The keys one message to ``address`` on ``channel`` goes through (negative Telegram
    chat ids are groups, which have their own per-minute limit)."""
    keys = [bot_key(channel), chat_key(channel, address)]
    if channel == ChannelName.TELEGRAM and address.startswith("-"):
        keys.append((f"group:{channel}", address))
    return keys


def platform_limits(
    channel: str, per_bot: int = 30, per_chat_per_s: int = 1, per_group_per_min: int = 0
) -> dict[str, tuple[int, float]]:
    """A platform's limits by key kind, ``(capacity, period_seconds)``; 0 = no limit."""
    limits = {
        f"bot:{channel}": (per_bot, 1.0),
        f"chat:{channel}": (per_chat_per_s, 1.0),
        f"group:{channel}": (per_group_per_min, 60.0),
    }
    return {kind: limit for kind, limit in limits.items() if limit[0] > 0}


def telegram_limits(
    per_bot: int = 30, per_chat_per_s: int = 1, per_group_per_min: int = 20
) -> dict[str, tuple[int, float]]:
    """Telegram's published limits: per bot per second, per chat per second, per group per
    minute."""
    return platform_limits(ChannelName.TELEGRAM, per_bot, per_chat_per_s, per_group_per_min)


class RateLimiter:
    """Evenly spaced sends per key, kept in ``rate_slot``; see the module docstring.

    ``limits`` maps a key kind to ``(capacity, period_seconds)``. A kind without a limit
    never waits, except while a provider's ``retry_after`` holds it.
    """

    def __init__(self, clock: Clock, limits: Mapping[str, tuple[int, float]]) -> None:
        for kind, (capacity, period) in limits.items():
            if capacity < 1 or period <= 0:
                raise ValueError(f"rate limit {kind!r}: need capacity >= 1 and period > 0")
        self._clock = clock
        self._spacing = {
            kind: timedelta(seconds=spacing(capacity, period))
            for kind, (capacity, period) in limits.items()
        }

    def limited(self, keys: Sequence[Key]) -> bool:
        """Whether any of ``keys`` has a limit (else only holds can make them wait)."""
        return any(kind in self._spacing for kind, _ in keys)

    def wait_time(self, session: Session, keys: Sequence[Key]) -> float:
        """Seconds until a message through every key in ``keys`` may go; 0.0 = now."""
        return self._wait(self._slots(session, keys, lock=False), self._now())

    def take(self, session: Session, keys: Sequence[Key]) -> float:
        """Take the slot of every key if all are open (0.0), else the seconds to wait.

        Only keys with a limit are looked at: with none there is nothing to take, and
        a ``retry_after`` hold is what :meth:`wait_time` (asked first, in the same
        transaction) reports. Call as the last statement before the caller's commit: on
        PostgreSQL the key rows stay locked until then.
        """
        wait, _ = self.reserve(session, keys, within=0.0)
        return wait

    def reserve(
        self, session: Session, keys: Sequence[Key], within: float
    ) -> tuple[float, datetime | None]:
        """:meth:`take` for a send that may wait up to ``within`` seconds: every key's slot
        taken at the instant they are all open, ``(0.0, that instant)``; or, when that is
        further away, ``(seconds to wait, None)`` and nothing taken.

        Each key's next slot is one spacing after that instant, so a message that was
        prepared while the slot was still shut goes exactly when it opens, and the time
        spent preparing it is not lost from the spacing.
        """
        now = self._now()
        limited = sorted({key for key in keys if key[0] in self._spacing})
        if not limited:
            return 0.0, now
        self._create(session, limited, now)
        slots = self._slots(session, keys, lock=True)
        wait = self._wait(slots, now)
        if wait > within:
            return wait, None
        at = max([as_utc(slot.next_at) for slot in slots.values()] + [now])
        for key in limited:
            slot = slots[key]
            slot.next_at = at + self._spacing[key[0]]
            session.add(slot)
        return 0.0, at

    def hold(self, session: Session, key: Key, seconds: float) -> None:
        """Nothing through ``key`` for ``seconds`` (a 429 with retry_after for a chat)."""
        until = self._now() + timedelta(seconds=seconds)
        self._create(session, [key], until)
        slot = self._slots(session, [key], lock=True)[key]
        slot.next_at = max(as_utc(slot.next_at), until)
        session.add(slot)

    def prune(self, session: Session) -> int:
        """Drop slots idle for a day: they hold nothing back, and one per chat piles up."""
        before = self._now() - KEEP_IDLE
        result = session.execute(delete(RateSlot).where(col(RateSlot.next_at) < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # -- the rows -------------------------------------------------------------------------

    def _now(self) -> datetime:
        return as_utc(self._clock.now())

    @staticmethod
    def _wait(slots: Mapping[Key, RateSlot], now: datetime) -> float:
        longest = max(
            ((as_utc(slot.next_at) - now).total_seconds() for slot in slots.values()),
            default=0.0,
        )
        # round up to the microsecond: waiting the answer (a timedelta) must be enough
        return max(math.ceil(longest * 1_000_000) / 1_000_000, 0.0)

    @staticmethod
    def _slots(session: Session, keys: Sequence[Key], *, lock: bool) -> dict[Key, RateSlot]:
        if not keys:
            return {}
        query = (
            select(RateSlot)
            .where(tuple_(col(RateSlot.kind), col(RateSlot.key)).in_(list(keys)))
            .order_by(col(RateSlot.kind), col(RateSlot.key))
        )
        # another worker may have moved a slot since this session last read it
        query = query.execution_options(populate_existing=True)
        if lock:
            query = query.with_for_update()
        return {(slot.kind, slot.key): slot for slot in session.exec(query)}

    @staticmethod
    def _create(session: Session, keys: Sequence[Key], next_at: datetime) -> None:
        """Make sure each key has its row (open at ``next_at``); existing rows untouched."""
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        rows = [{"kind": kind, "key": key, "next_at": next_at} for kind, key in sorted(keys)]
        session.execute(insert(RateSlot).values(rows).on_conflict_do_nothing())
