"""The shared rate limiter on a VirtualClock, on SQLite and PostgreSQL: Telegram's per-bot,
per-chat and per-group limits as evenly spaced slots, one table for every worker."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from notifier.clock import VirtualClock
from notifier.engine.ratelimit import (
    RateLimiter,
    chat_key,
    chat_keys,
    platform_limits,
    spacing,
    telegram_limits,
)
from notifier.store.db import session_scope
from notifier.store.models import RateSlot

START = datetime(2024, 4, 1, 1, 0, tzinfo=UTC)
BOT_SPACING = spacing(30, 1.0)


def send_all_allowed(engine: Engine, limiter: RateLimiter, chats: list[str]) -> list[str]:
    """Send to each chat in turn if its slots are open now; the chats that went out."""
    sent = []
    for chat in chats:
        with session_scope(engine) as session:
            if limiter.take(session, chat_keys("telegram", chat)) == 0.0:
                sent.append(chat)
    return sent


def wait(engine: Engine, limiter: RateLimiter, chat: str) -> float:
    with Session(engine) as session:
        return limiter.wait_time(session, chat_keys("telegram", chat))


def test_the_bot_sends_evenly_never_a_burst(engine: Engine) -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    chats = [str(1000 + i) for i in range(40)]
    assert send_all_allowed(engine, limiter, chats) == ["1000"]  # one now, not thirty
    assert wait(engine, limiter, "5000") == pytest.approx(BOT_SPACING, abs=1e-6)
    clock.advance(timedelta(seconds=BOT_SPACING))
    assert wait(engine, limiter, "5000") == 0.0


def sends_for(engine: Engine, limiter: RateLimiter, clock: VirtualClock, chats: list[str],
              seconds: float) -> list[datetime]:  # fmt: skip
    """Try ``chats`` round-robin for ``seconds``, each time the slots say; the send times."""
    stamps, end, turn = [], clock.now() + timedelta(seconds=seconds), 0
    while clock.now() < end:
        chat = chats[turn % len(chats)]
        with session_scope(engine) as session:
            waited = limiter.take(session, chat_keys("telegram", chat))
        if waited:
            clock.advance(timedelta(seconds=waited))
        else:
            stamps.append(clock.now())
            turn += 1
    return stamps


def busiest(stamps: list[datetime], window: timedelta) -> int:
    return max(sum(1 for t in stamps if start <= t < start + window) for start in stamps)


def test_no_one_second_window_holds_more_than_30(engine: Engine) -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    stamps = sends_for(engine, limiter, clock, [str(1000 + i) for i in range(600)], 10)
    # never past the ceiling, whichever second is counted: 28, so that 0.1 s of uneven delay
    # on the way to the server still leaves every second at 30 or fewer
    assert busiest(stamps, timedelta(seconds=1)) == int(1.0 / BOT_SPACING) + 1 <= 30
    assert len(stamps) == int(10 / BOT_SPACING) + 1  # 273 in 10 s: 91 % of 30/s


def test_one_chat_gets_one_message_per_second(engine: Engine) -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, platform_limits("telegram", per_bot=0))
    assert send_all_allowed(engine, limiter, ["42", "42", "43"]) == ["42", "43"]
    gap = spacing(1, 1.0)
    assert wait(engine, limiter, "42") == pytest.approx(gap)
    clock.advance(timedelta(milliseconds=500))
    assert wait(engine, limiter, "42") == pytest.approx(gap - 0.5)
    clock.advance(timedelta(seconds=gap - 0.5))
    assert send_all_allowed(engine, limiter, ["42"]) == ["42"]


def test_a_group_gets_20_per_minute(engine: Engine) -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    stamps = sends_for(engine, limiter, clock, ["-100123"], 120)
    assert busiest(stamps, timedelta(minutes=1)) == 20  # one every 3.005 s
    assert len(stamps) == int(120 / spacing(20, 60.0)) + 1


def test_a_refused_send_takes_nothing(engine: Engine) -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    assert send_all_allowed(engine, limiter, ["1"]) == ["1"]
    clock.advance(timedelta(milliseconds=100))
    assert send_all_allowed(engine, limiter, ["1"]) == []  # the chat waits...
    assert send_all_allowed(engine, limiter, ["2"]) == ["2"]  # ...the bot's slot was not taken


def test_a_hold_stops_one_chat_for_every_worker(engine: Engine) -> None:
    clock = VirtualClock(START)
    first, second = RateLimiter(clock, {}), RateLimiter(clock, {})  # two workers, no limits
    with session_scope(engine) as session:
        first.hold(session, chat_key("zalo", "77"), 30)
    with Session(engine) as session:
        assert second.wait_time(session, chat_keys("zalo", "77")) == pytest.approx(30)
        assert second.wait_time(session, chat_keys("zalo", "78")) == 0.0
    with session_scope(engine) as session:  # a shorter hold never shortens a longer one
        second.hold(session, chat_key("zalo", "77"), 5)
    clock.advance(timedelta(seconds=29))
    with Session(engine) as session:
        assert first.wait_time(session, chat_keys("zalo", "77")) == pytest.approx(1)


def test_unknown_kinds_never_wait_and_bad_limits_are_refused(engine: Engine) -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, {})
    assert send_all_allowed(engine, limiter, ["1", "1", "1"]) == ["1", "1", "1"]
    with Session(engine) as session:
        assert session.exec(select(RateSlot)).all() == []  # nothing written without limits
    with pytest.raises(ValueError):
        RateLimiter(clock, {"bot:telegram": (0, 1.0)})


def test_idle_slots_are_pruned(engine: Engine) -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    send_all_allowed(engine, limiter, ["1"])
    clock.advance(timedelta(hours=1))
    send_all_allowed(engine, limiter, ["2"])
    clock.advance(timedelta(hours=23, minutes=30))
    with session_scope(engine) as session:
        assert limiter.prune(session) == 1  # chat 1 idle a day; chat 2 and the bot kept
    with Session(engine) as session:
        keys = {(slot.kind, slot.key) for slot in session.exec(select(RateSlot))}
    assert keys == {("bot:telegram", ""), ("chat:telegram", "2")}


def test_workers_in_threads_never_share_a_slot(engine: Engine) -> None:
    """Four workers race for one chat's slot at the same instant: exactly one wins."""
    clock = VirtualClock(START)
    won: list[int] = []
    barrier = threading.Barrier(4)

    def worker(number: int) -> None:
        limiter = RateLimiter(clock, telegram_limits())
        barrier.wait()
        with session_scope(engine) as session:
            if limiter.take(session, chat_keys("telegram", "42")) == 0.0:
                won.append(number)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1


def test_a_slot_reserved_ahead_is_taken_for_the_instant_it_opens(engine: Engine) -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    with session_scope(engine) as session:
        assert limiter.reserve(session, chat_keys("telegram", "1"), within=0.5) == (0.0, START)
    soon = START + timedelta(seconds=BOT_SPACING)
    with session_scope(engine) as session:  # the bot's slot opens in 37 ms: reserved for then
        assert limiter.reserve(session, chat_keys("telegram", "2"), within=0.5) == (0.0, soon)
    with session_scope(engine) as session:  # the next one is a spacing after that instant
        wait, at = limiter.reserve(session, chat_keys("telegram", "3"), within=0.0)
    assert at is None and wait == pytest.approx(2 * BOT_SPACING, abs=1e-6)  # nothing taken
    with session_scope(engine) as session:
        slots = {(s.kind, s.key): s.next_at for s in session.exec(select(RateSlot))}
    assert slots[("bot:telegram", "")] == soon + timedelta(seconds=BOT_SPACING)
    assert ("chat:telegram", "3") not in slots or slots[("chat:telegram", "3")] <= START
