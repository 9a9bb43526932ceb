"""A circuit breaker per server: stop knocking on a door that does not open.

After :attr:`CircuitBreaker.threshold` consecutive failures (unreachable, timed out,
5xx) the breaker *opens*: its lane sends nothing and claims nothing (messages wait in
the outbox, no attempt is spent, no timeout waited per message). After the cooldown it
lets exactly one message through (*half-open*): success closes it, failure opens it
again with the cooldown doubled (1 min, 2, 4, 8, at most 10 min). Time comes from the
injected clock, so a replay or a test moves through an outage in virtual time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from notifier.clock import Clock

THRESHOLD = 5
FIRST_COOLDOWN = timedelta(minutes=1)
MAX_COOLDOWN = timedelta(minutes=10)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class CircuitBreaker:
    """Consecutive failures of one server; see the module docstring."""

    clock: Clock
    threshold: int = THRESHOLD
    first_cooldown: timedelta = FIRST_COOLDOWN
    max_cooldown: timedelta = MAX_COOLDOWN
    failures: int = 0
    state: BreakerState = BreakerState.CLOSED
    reopens_at: datetime | None = None
    cooldown: timedelta = field(default=FIRST_COOLDOWN)
    probing: bool = False
    outage_since: datetime | None = None  # set when it opened, cleared on recovery
    last_problem: str = ""

    def acquire(self) -> bool:
        """May one more send start now? Half-open lets one probe through at a time."""
        if self.state == BreakerState.CLOSED:
            return True
        if self.state == BreakerState.OPEN:
            assert self.reopens_at is not None
            if self.clock.now() < self.reopens_at:
                return False
            self.state = BreakerState.HALF_OPEN
        if self.probing:
            return False
        self.probing = True
        return True

    @property
    def in_outage(self) -> bool:
        return self.outage_since is not None

    def success(self) -> datetime | None:
        """The server answered; returns when the outage began if this ends one."""
        ended = self.outage_since
        self.failures, self.probing, self.state = 0, False, BreakerState.CLOSED
        self.cooldown, self.reopens_at, self.outage_since = self.first_cooldown, None, None
        return ended

    def failure(self, problem: str) -> bool:
        """The server failed; True when this opens the breaker for a new outage."""
        self.failures += 1
        self.last_problem = problem
        now = self.clock.now()
        if self.state == BreakerState.HALF_OPEN:
            self.probing = False
            self.cooldown = min(self.cooldown * 2, self.max_cooldown)
            self.state, self.reopens_at = BreakerState.OPEN, now + self.cooldown
            return False
        if self.state == BreakerState.CLOSED and self.failures >= self.threshold:
            self.state, self.reopens_at = BreakerState.OPEN, now + self.cooldown
            new = self.outage_since is None
            self.outage_since = self.outage_since or now
            return new
        return False

    def release_probe(self) -> None:
        """The probe ended without news about the server (deferred, dropped, cancelled)."""
        self.probing = False
