"""The channels of this installation, built once from Settings, with their rate limiter and
circuit breakers (both live as long as the process, across dispatches).

Email exists when an SMTP host is set, Telegram when a bot token is set; the console
always exists and receives every message whose channel is not configured here (the
embedded default: nothing to set up, everything lands in ``var/outbox.log``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from notifier.channels.base import Channel
from notifier.channels.console import ConsoleChannel
from notifier.channels.email import EmailChannel, SmtpSecurity, SmtpSettings
from notifier.channels.telegram import TelegramChannel, telegram_base_url
from notifier.clock import Clock
from notifier.engine.breaker import CircuitBreaker
from notifier.engine.ratelimit import RateLimiter, telegram_limits
from notifier.settings import Settings
from notifier.vocab import ChannelName

CONSOLE = ChannelName.CONSOLE
DEFAULT_PORTS = {SmtpSecurity.NONE: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.SSL: 465}


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


def smtp_settings(settings: Settings) -> SmtpSettings | None:
    """SMTP settings from the file and the environment; None when no host is set."""
    mail = settings.file.email
    if not mail.host:
        return None
    security = SmtpSecurity(mail.security)
    return SmtpSettings(
        host=mail.host,
        port=mail.port or DEFAULT_PORTS[security],
        sender=mail.sender,
        security=security,
        username=mail.username,
        password=settings.smtp_password,
        validate_certs=mail.validate_certs,
    )


def rate_limits(settings: Settings) -> dict[str, tuple[int, float]]:
    """Telegram limits from settings; a value of 0 turns that limit off."""
    rl = settings.file.rate_limits
    limits = telegram_limits(
        per_bot=max(rl.telegram_per_second, 1),
        per_chat_per_s=max(rl.telegram_per_chat_per_second, 1),
        per_group_per_min=max(rl.telegram_group_per_minute, 1),
    )
    values = (rl.telegram_per_second, rl.telegram_per_chat_per_second, rl.telegram_group_per_minute)
    pairs = zip(limits.items(), values, strict=True)
    return {kind: limit for (kind, limit), value in pairs if value > 0}


def build_channels(
    settings: Settings,
    clock: Clock,
    *,
    stream: TextIO | None = None,
    echo: bool = True,
    extra: Mapping[str, Channel] | None = None,
) -> ChannelSet:
    """Email if an SMTP host is set, Telegram if a token is set, the console always.

    The console prints to ``stream`` (default: the current ``sys.stdout``) unless
    ``echo`` is false; it always appends to ``console_path``. ``extra`` replaces or adds
    channels (tests, benchmarks).
    """
    out = (stream or sys.stdout) if echo else None
    channels: dict[str, Channel] = {
        CONSOLE: ConsoleChannel(Path(settings.file.console_path), stream=out)
    }
    smtp = smtp_settings(settings)
    if smtp is not None:
        channels[ChannelName.EMAIL] = EmailChannel(smtp, clock=clock)
    if settings.telegram_token:
        channels[ChannelName.TELEGRAM] = TelegramChannel(
            settings.telegram_token, base_url=telegram_base_url(settings.file.telegram.api_url)
        )
    channels.update(extra or {})
    return ChannelSet(channels=channels, limiter=RateLimiter(clock, rate_limits(settings)))
