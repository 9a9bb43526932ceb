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

    def __post_init__(self) -> None:
        if self.concurrency < 1 or not 0 < self.timeout <= MAX_SEND.total_seconds():
            raise ValueError(
                f"a lane needs concurrency >= 1 and 0 < timeout <= {MAX_SEND.total_seconds():g} s"
            )


# One send at a time per lane by default: the messages of each chat leave in the order
# they were queued (the rate limiter decides per message, and parallel senders would race
# for a chat's token). SMTP is one transaction at a time on one connection anyway; its
# timeout covers connect + STARTTLS + login + the transaction (30 s per step). A lane may
# be given more concurrency where order within a chat does not matter.
DEFAULT_LANES: Mapping[str, LaneSpec] = {
    ChannelName.EMAIL: LaneSpec(concurrency=1, timeout=MAX_SEND.total_seconds()),
    ChannelName.TELEGRAM: LaneSpec(concurrency=1, timeout=60.0),
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
