"""The circuit breaker: N failures in a row open it, a cooldown, one probe, doubling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifier.clock import VirtualClock
from notifier.engine.breaker import BreakerState, CircuitBreaker

T0 = datetime(2024, 4, 16, 1, 0, tzinfo=UTC)


def test_opens_after_threshold_failures_then_probes_once_per_cooldown() -> None:
    clock = VirtualClock(T0)
    breaker = CircuitBreaker(clock, threshold=3)
    assert [breaker.failure("down") for _ in range(3)] == [False, False, True]
    assert breaker.state == BreakerState.OPEN and not breaker.acquire()
    clock.advance(timedelta(seconds=59))
    assert not breaker.acquire()
    clock.advance(timedelta(seconds=1))
    assert breaker.acquire() and not breaker.acquire()  # one probe at a time
    assert breaker.failure("still down") is False  # the same outage: no second alert
    waits = []
    for _ in range(5):
        assert breaker.reopens_at is not None
        waits.append((breaker.reopens_at - clock.now()).total_seconds())
        clock.set(breaker.reopens_at)
        assert breaker.acquire()
        breaker.failure("still down")
    assert waits == [120, 240, 480, 600, 600]
    assert breaker.success() == T0  # the outage began at T0, and it is over
    assert breaker.state == BreakerState.CLOSED and breaker.acquire() and breaker.acquire()
    assert [breaker.failure("again") for _ in range(3)] == [False, False, True]  # a new one
    assert breaker.cooldown == timedelta(minutes=1)


def test_a_success_between_failures_resets_the_count() -> None:
    breaker = CircuitBreaker(VirtualClock(T0), threshold=2)
    breaker.failure("x")
    assert breaker.success() is None
    assert breaker.failure("x") is False and breaker.state == BreakerState.CLOSED
