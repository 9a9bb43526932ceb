"""What every delivery channel shares: the message it is handed and the error it raises.

A channel only sends an already-rendered :class:`OutgoingMessage`. Retries, fallback to
another channel and rate limits live in dispatch; a channel tells dispatch what happened
through :class:`SendResult` or :class:`ChannelError` (``permanent`` decides between
"try again later" and "this address is dead, tell an admin").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from notifier.errors import NotifierError

CALLBACK_DATA_MAX_BYTES = 64  # Telegram refuses longer callback_data


@dataclass(frozen=True)
class Button:
    """One inline-keyboard button: either a callback (bot answers) or a URL (opens a page)."""

    label: str
    callback_data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.callback_data is None) == (self.url is None):
            raise ValueError(f"button {self.label!r} needs exactly one of callback_data or url")
        if self.callback_data is not None:
            size = len(self.callback_data.encode("utf-8"))
            if size > CALLBACK_DATA_MAX_BYTES:
                raise ValueError(
                    f"callback_data of button {self.label!r} is {size} bytes; "
                    f"Telegram allows at most {CALLBACK_DATA_MAX_BYTES}"
                )


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (email: a MIME part; chat channels: later, a link)."""

    filename: str  # shown to the recipient, Vietnamese allowed: "Báo cáo 6 tháng.docx"
    mime_type: str  # "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    data: bytes

    def __post_init__(self) -> None:
        name = self.filename
        if not name.strip() or any(c in name for c in "/\\\r\n\0"):
            raise ValueError(f"attachment filename {name!r} must be a plain file name")
        maintype, _, subtype = self.mime_type.partition("/")
        mime = self.mime_type
        if not maintype or not subtype or not mime.isascii() or any(c.isspace() for c in mime):
            raise ValueError(f"attachment MIME type {self.mime_type!r} is not type/subtype")

    @property
    def maintype(self) -> str:
        return self.mime_type.partition("/")[0]

    @property
    def subtype(self) -> str:
        return self.mime_type.partition("/")[2]


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered message for one recipient on one channel."""

    key: str  # deterministic id (e.g. "n42"): email Message-ID, logs
    channel: str  # "email" | "telegram" | "console" | "zalo" | "zns"
    address: str  # email address, Telegram or Zalo chat id, phone number (ZNS)
    subject: str  # email subject; first line on the console
    text: str  # plain-text body
    html: str | None = None  # email HTML alternative, already rendered and escaped
    telegram_html: str | None = None  # Telegram HTML (parse_mode HTML), already escaped
    buttons: tuple[Button, ...] = ()  # Telegram inline keyboard, one row
    recipient_name: str = ""
    kind: str = ""  # the message kind ("reminder", ...); ZNS picks its template by it
    # Plain-text short form for chat platforms with a small limit (Zalo: 2,000 characters),
    # answer links included; a channel that needs it falls back to subject + text.
    short_text: str | None = None
    # Values of a pre-approved template's parameters (ZNS): name -> value, all strings.
    template_data: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    attachments: tuple[Attachment, ...] = ()  # email: MIME attachments


@dataclass(frozen=True)
class SendResult:
    """What the provider called the message: an email Message-ID or a Telegram message_id."""

    provider_id: str | None


class ChannelError(NotifierError):
    """A send failed.

    ``permanent=True``: the address itself is unusable (blocked bot, unknown chat, mailbox
    refused); retrying cannot help. ``permanent=False``: try again later, not before
    ``retry_after`` seconds when the provider said so.
    """

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        super().__init__(reason)

    def __repr__(self) -> str:
        return (
            f"ChannelError({self.reason!r}, permanent={self.permanent}, "
            f"retry_after={self.retry_after})"
        )


class Channel(Protocol):
    """A way to deliver one rendered message."""

    name: str

    async def send(self, message: OutgoingMessage) -> SendResult: ...

    async def aclose(self) -> None: ...
