"""The channels of this installation, built once from Settings, with their rate limiter and
circuit breakers (both live as long as the process, across dispatches).

Every registered channel (:mod:`notifier.channels.registry`: email, Zalo, Telegram and
the plug-ins of the ``notifier.channels`` entry points) that this installation
configured is built; the console always exists and receives every message whose
channel is not configured here (the embedded default: nothing to set up, everything
lands in ``var/outbox.log``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from notifier.channels.base import Channel
from notifier.channels.console import ConsoleChannel
from notifier.channels.registry import DEFAULT_PORTS, registered, smtp_settings
from notifier.channels.telegram import telegram_base_url
from notifier.clock import Clock
from notifier.engine.breaker import CircuitBreaker
from notifier.engine.ratelimit import RateLimiter, platform_limits, telegram_limits
from notifier.settings import Settings
from notifier.vocab import ChannelName

CONSOLE = ChannelName.CONSOLE
__all__ = ["DEFAULT_PORTS", "ChannelSet", "build_channels", "smtp_settings", "telegram_base_url"]


@dataclass
class ChannelSet:
    """The configured channels by name, plus the rate limiter shared by every dispatch."""

    channels: Mapping[str, Channel]
    limiter: RateLimiter
    closed: bool = field(default=False, init=False)
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict, init=False)

    def breaker(self, name: str, clock: Clock) -> CircuitBreaker:
        """The circuit breaker of channel ``name``'s server, shared by every dispatch."""
        if name not in self.breakers:
            self.breakers[name] = CircuitBreaker(clock)
        return self.breakers[name]

    @property
    def configured(self) -> frozenset[str]:
        return frozenset(self.channels)

    def get(self, name: str) -> Channel:
        """The channel called ``name``, or the console when it is not configured here."""
        return self.channels.get(name) or self.channels[CONSOLE]

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        for channel in self.channels.values():
            await channel.aclose()


def rate_limits(settings: Settings) -> dict[str, tuple[int, float]]:
    """The Telegram and Zalo limits from settings; a value of 0 turns that limit off."""
    rl = settings.file.rate_limits
    return telegram_limits(
        rl.telegram_per_second, rl.telegram_per_chat_per_second, rl.telegram_group_per_minute
    ) | platform_limits("zalo", rl.zalo_per_second, rl.zalo_per_chat_per_second)


def build_channels(
    settings: Settings,
    clock: Clock,
    *,
    stream: TextIO | None = None,
    echo: bool = True,
    extra: Mapping[str, Channel] | None = None,
    engine: Engine | None = None,
) -> ChannelSet:
    """Each registered channel this installation configured, and the console always.

    The console prints to ``stream`` (default: the current ``sys.stdout``) unless
    ``echo`` is false; it always appends to ``console_path``. ``extra`` replaces or adds
    channels (tests, benchmarks). ``engine``: the database, for the channels that keep
    state there (ZNS); such a channel configured without it is an error, not a silent drop.
    """
    out = (stream or sys.stdout) if echo else None
    channels: dict[str, Channel] = {
        CONSOLE: ConsoleChannel(Path(settings.file.console_path), stream=out)
    }
    for name, plugin in registered().items():
        if name == CONSOLE or name in (extra or {}) or not plugin.configured(settings):
            continue
        if plugin.build_with_engine is None:
            channels[name] = plugin.build(settings, clock)
        elif engine is None:
            raise ValueError(f"channel {name!r} keeps its state in the database: pass engine")
        else:
            channels[name] = plugin.build_with_engine(settings, clock, engine)
    channels.update(extra or {})
    return ChannelSet(channels=channels, limiter=RateLimiter(clock, rate_limits(settings)))
