"""RateLimiter with a VirtualClock: Telegram's per-bot, per-chat and per-group limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifier.clock import VirtualClock
from notifier.engine.ratelimit import RateLimiter, telegram_keys, telegram_limits

START = datetime(2024, 4, 1, 1, 0, tzinfo=UTC)


def send_all_allowed(limiter: RateLimiter, chats: list[str]) -> list[str]:
    """Send to each chat in turn if allowed now; returns the chats that went out."""
    sent = []
    for chat in chats:
        keys = telegram_keys(chat)
        if limiter.wait_time(keys) == 0.0:
            limiter.consume(keys)
            sent.append(chat)
    return sent


def test_bot_allows_30_per_second_then_waits() -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    chats = [str(1000 + i) for i in range(40)]
    assert len(send_all_allowed(limiter, chats)) == 30
    wait = limiter.wait_time(telegram_keys("5000"))
    assert wait == pytest.approx(1 / 30, abs=1e-6)
    clock.advance(timedelta(seconds=wait))
    assert limiter.wait_time(telegram_keys("5000")) == 0.0


def test_sustained_rate_is_30_per_second() -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    sent = 0
    for step in range(1000):  # 10 s in steps of 10 ms, a fresh chat each time
        clock.advance(timedelta(milliseconds=10))
        sent += len(send_all_allowed(limiter, [str(step * 10 + i) for i in range(5)]))
    assert 30 * 10 <= sent <= 30 * 10 + 30  # the rate plus the initial burst


def test_one_chat_gets_one_message_per_second() -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    assert send_all_allowed(limiter, ["42", "42", "43"]) == ["42", "43"]
    assert limiter.wait_time(telegram_keys("42")) == pytest.approx(1.0)
    clock.advance(timedelta(milliseconds=500))
    assert limiter.wait_time(telegram_keys("42")) == pytest.approx(0.5)
    clock.advance(timedelta(milliseconds=500))
    assert send_all_allowed(limiter, ["42"]) == ["42"]


def test_group_gets_20_per_minute() -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    sent = 0
    for _ in range(60):  # one try per second for a minute
        sent += len(send_all_allowed(limiter, ["-100123"]))
        clock.advance(timedelta(seconds=1))
    assert sent == 20 + 19  # burst of 20, then one every 3 s for the remaining ~57 s
    assert limiter.wait_time(telegram_keys("-100123")) <= 3.0


def test_refused_send_consumes_nothing() -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, {"telegram": (1, 1.0), "telegram_chat": (1, 1.0)})
    limiter.consume([("telegram_chat", "1")])
    keys = [("telegram", ""), ("telegram_chat", "1")]
    assert limiter.wait_time(keys) == pytest.approx(1.0)
    assert limiter.wait_time([("telegram", "")]) == 0.0  # the bot bucket was not touched


def test_unknown_kind_never_waits_and_bad_limits_are_refused() -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, {})
    limiter.consume([("email", "")])
    assert limiter.wait_time([("email", "")]) == 0.0
    with pytest.raises(ValueError):
        RateLimiter(clock, {"telegram": (0, 1.0)})


def test_idle_buckets_are_forgotten() -> None:
    clock = VirtualClock(START)
    limiter = RateLimiter(clock, telegram_limits())
    send_all_allowed(limiter, [str(i) for i in range(10)])
    clock.advance(timedelta(minutes=5))
    limiter.forget_idle()
    assert limiter._buckets == {}
