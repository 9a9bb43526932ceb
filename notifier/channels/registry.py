"""Channels by name: the built-ins and the plug-ins of the entry-point group ``notifier.channels``.

A channel is one module implementing :class:`notifier.channels.base.Channel`; it is made
known by a :class:`ChannelPlugin` (its name, whether this installation configured it,
how to build it). A province adds its SMS gateway or e-office connector without forking
by publishing a package with::

    [project.entry-points."notifier.channels"]
    sms = "my_sms_gateway:PLUGIN"

where ``PLUGIN`` is a ``ChannelPlugin`` (or a callable returning one). The directory's
``channels`` lists, ``send-test --channel`` and the dispatcher accept every name found
here; a plug-in's addresses are in the person's ``addresses`` (``directory.yaml``:
``addresses: {sms: "0912345678"}``). A plug-in reads its own secrets from the
environment. A plug-in that keeps state in the database (ZNS: the OA token pair shared by
every worker) gives ``build_with_engine`` instead, called with the installation's
engine. The built-ins are listed here, not through entry points, so a stale
installation's metadata cannot lose them; an entry point reusing a built-in name is
ignored (and logged).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from notifier.channels.base import Channel
from notifier.channels.email import EmailChannel, SmtpSecurity, SmtpSettings
from notifier.channels.telegram import TelegramChannel, telegram_base_url
from notifier.channels.zalo import build_zalo_channel
from notifier.channels.zns import build_zns_channel, zns_configured
from notifier.vocab import ChannelName

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from notifier.clock import Clock
    from notifier.settings import Settings

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "notifier.channels"
DEFAULT_PORTS = {SmtpSecurity.NONE: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.SSL: 465}


@dataclass(frozen=True)
class ChannelPlugin:
    """What the program needs to know about a channel it did not write."""

    name: str  # the word in directory.yaml's channels list: "sms"
    build: Callable[[Settings, Clock], Channel]  # called once per process when configured
    configured: Callable[[Settings], bool] = lambda settings: True
    label: str = ""  # how people call it ("tin nhắn SMS"); the name when empty
    needs: str = ""  # what to set to configure it, for the start message
    # instead of ``build`` for a channel that keeps state in the database
    build_with_engine: Callable[[Settings, Clock, Engine], Channel] | None = None


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


def _email(settings: Settings, clock: Clock) -> Channel:
    smtp = smtp_settings(settings)
    assert smtp is not None
    return EmailChannel(smtp, clock=clock)


def _telegram(settings: Settings, clock: Clock) -> Channel:
    assert settings.telegram_token
    base_url = telegram_base_url(settings.file.telegram.api_url)
    return TelegramChannel(settings.telegram_token, base_url=base_url)


def _zalo(settings: Settings, clock: Clock) -> Channel:
    channel = build_zalo_channel(settings)
    assert channel is not None
    return channel


def _zns(settings: Settings, clock: Clock, engine: Engine) -> Channel:
    channel = build_zns_channel(settings, engine, clock)
    assert channel is not None
    return channel


def _needs_engine(settings: Settings, clock: Clock) -> Channel:
    raise AssertionError("built by build_with_engine (the OA token lives in the database)")


def _console(settings: Settings, clock: Clock) -> Channel:
    raise AssertionError("the console is built by notifier.engine.channels (stream, echo)")


BUILT_IN: tuple[ChannelPlugin, ...] = (
    ChannelPlugin(
        ChannelName.EMAIL, _email, lambda s: bool(s.file.email.host),
        ChannelName.EMAIL.label, "NOTIFIER_SMTP_HOST",
    ),
    ChannelPlugin(
        ChannelName.ZALO, _zalo, lambda s: bool(s.zalo_bot_token),
        ChannelName.ZALO.label, "NOTIFIER_ZALO_BOT_TOKEN",
    ),
    ChannelPlugin(
        ChannelName.TELEGRAM, _telegram, lambda s: bool(s.telegram_token),
        ChannelName.TELEGRAM.label, "NOTIFIER_TELEGRAM_TOKEN",
    ),
    ChannelPlugin(
        ChannelName.ZNS, _needs_engine, zns_configured, ChannelName.ZNS.label,
        "NOTIFIER_ZNS_APP_ID, NOTIFIER_ZNS_SECRET_KEY, NOTIFIER_ZNS_REFRESH_TOKEN, zns.templates",
        build_with_engine=_zns,
    ),
    ChannelPlugin(ChannelName.CONSOLE, _console, label=ChannelName.CONSOLE.label),
)  # fmt: skip


def _load(entry: object) -> ChannelPlugin | None:
    loaded = entry.load()  # type: ignore[attr-defined]
    plugin = loaded() if callable(loaded) and not isinstance(loaded, ChannelPlugin) else loaded
    if not isinstance(plugin, ChannelPlugin):
        log.error("entry point %s is not a ChannelPlugin; ignored", entry)
        return None
    if plugin.name != entry.name:  # type: ignore[attr-defined]
        log.error("entry point %s names its plug-in %r; ignored", entry, plugin.name)
        return None
    return plugin


@cache
def registered() -> Mapping[str, ChannelPlugin]:
    """Every channel by name: the built-ins first, then the plug-ins (read once)."""
    found: dict[str, ChannelPlugin] = {p.name: p for p in BUILT_IN}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name in found:
            log.warning("channel plug-in %r reuses a built-in name; ignored", entry.name)
            continue
        try:
            plugin = _load(entry)
        except Exception:  # a broken plug-in must not stop the program
            log.exception("channel plug-in %r failed to load; ignored", entry.name)
            continue
        if plugin is not None:
            found[plugin.name] = plugin
    return found


def channel_names() -> tuple[str, ...]:
    return tuple(registered())


def channel_label(name: str) -> str:
    plugin = registered().get(name)
    return (plugin.label or plugin.name) if plugin is not None else name


def configured_names(settings: Settings) -> frozenset[str]:
    """The channels this installation can send on (the console always)."""
    names = {p.name for p in registered().values() if p.configured(settings)}
    return frozenset(names | {ChannelName.CONSOLE})
