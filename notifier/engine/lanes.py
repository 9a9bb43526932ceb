"""Dispatcher lanes: one per channel, each with its own concurrency and send timeout.

A lane is the part of dispatch that sends one channel's messages: it claims only rows of
that channel (the console lane takes the console and every channel not configured here,
which the console stands in for), runs up to ``concurrency`` sends at once and cuts a send
off after ``timeout`` seconds. Lanes run side by side, so a hanging mail server delays
email and nothing else. Timeouts never exceed :data:`notifier.engine.claims.MAX_SEND`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from notifier.engine.claims import MAX_SEND
from notifier.vocab import ChannelName


@dataclass(frozen=True)
class LaneSpec:
    concurrency: int = 1
    timeout: float = 60.0  # seconds of real time per send
    # Real seconds after a send starts before the lane's next row is claimed meanwhile:
    # an HTTP client builds and writes its request on the event loop in the first
    # milliseconds, and a claim started at once takes the interpreter's lock from it.
    ahead_after: float = 0.0

    def __post_init__(self) -> None:
        limit = MAX_SEND.total_seconds()
        if self.concurrency < 1 or not 0 < self.timeout <= limit or not 0 <= self.ahead_after < 1:
            raise ValueError(
                f"a lane needs concurrency >= 1, 0 < timeout <= {limit:g} s"
                " and 0 <= ahead_after < 1 s"
            )


# One send at a time per lane by default: the messages of each chat leave in the order
# they were queued (the rate limiter decides per message, and parallel senders would race
# for a chat's token). SMTP is one transaction at a time on one connection anyway; its
# timeout covers connect + STARTTLS + login + the transaction (30 s per step). A lane may
# be given more concurrency where order within a chat does not matter.
# Telegram's next row is claimed 2 ms into a send (bench_dispatch_plain, 10 ms server
# latency: 0.69-0.76 of the plain client's throughput at once, 0.74-0.84 after 2 ms);
# email's at once (SMTP's round trips spread the client's work; a delay measured no better).
DEFAULT_LANES: Mapping[str, LaneSpec] = {
    ChannelName.EMAIL: LaneSpec(concurrency=1, timeout=MAX_SEND.total_seconds()),
    ChannelName.TELEGRAM: LaneSpec(concurrency=1, timeout=60.0, ahead_after=0.002),
    ChannelName.CONSOLE: LaneSpec(concurrency=1, timeout=30.0),
}
DEFAULT_LANE = LaneSpec()


@dataclass(frozen=True)
class Lane:
    """Which rows a lane claims: ``channels`` (None = any) minus ``not_channels``."""

    name: str
    spec: LaneSpec
    channels: frozenset[str] | None
    not_channels: frozenset[str]


def lanes_for(configured: Collection[str], specs: Mapping[str, LaneSpec]) -> list[Lane]:
    """One lane per configured channel; the console's also takes unconfigured channels."""
    others = frozenset(configured) - {ChannelName.CONSOLE}
    lanes = [
        Lane(name, specs.get(name, DEFAULT_LANES.get(name, DEFAULT_LANE)), frozenset({name}),
             frozenset())
        for name in sorted(others)
    ]  # fmt: skip
    console = specs.get(ChannelName.CONSOLE, DEFAULT_LANES[ChannelName.CONSOLE])
    lanes.append(Lane(ChannelName.CONSOLE, console, None, others))
    return lanes
