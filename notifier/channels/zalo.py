"""Zalo Bot Platform: a rendered message to one Zalo chat, as plain text.

The text is the message's ``short_text`` (the Zalo form of the templates, answer links
included) or else its subject over its text. Zalo accepts 1 to 2,000 characters; a
longer text is cut by :func:`fit_zalo_text` at a line break or a space, never inside a
word or a link, and a trailing paragraph of links (the answer links) is kept whole.
Lengths are counted in UTF-16 code units, never fewer than the characters Zalo counts.

Error mapping (Zalo documents the ``error_code`` field but not its values; see
``docs/zalo.md`` for what was verified and what is assumed): 429 is a rate limit
(``retry_after`` when given), 401 an invalid token (transient: an administrator must fix
it, the address is fine), 403 or a "chat/user not found" description means this chat
cannot be reached (permanent), 5xx, timeouts and network failures are transient.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.channels.base import ChannelError, OutgoingMessage, SendResult
from notifier.channels.zalo_api import ZaloApiError, ZaloBotApi

if TYPE_CHECKING:
    from notifier.settings import Settings

ZALO_TEXT_LIMIT = 2000
ELLIPSIS = "…"
_CUT_MARK = f"\n{ELLIPSIS}"
_CHAT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_URL = re.compile(r"https?://", re.IGNORECASE)
_DEAD_CHAT = ("chat not found", "user not found", "chat_id", "not exist", "không tồn tại")
_PREFER_LINE_BREAK = 0.8  # cut at a line break when it keeps at least 80 % of the room


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, budget: int) -> str:
    """The longest prefix of ``text`` that is at most ``budget`` UTF-16 units."""
    head = text[:budget]
    if _units(head) == len(head):  # no character outside the BMP: one unit each
        return head
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > budget:
            return text[:index]
    return text


def cut_at_boundary(text: str, budget: int) -> str:
    """``text`` cut to ``budget`` units at a line break or a space; "" if none fits."""
    if _units(text) <= budget:
        return text.rstrip()
    window = _prefix_within(text, budget + 1)  # +1: a space right after the room counts
    line = window.rfind("\n")
    space = max(window.rfind(" "), window.rfind("\t"), line)
    cut = line if line >= budget * _PREFER_LINE_BREAK else space
    if cut <= 0:
        return ""
    return text[:cut].rstrip()


def _link_footer(text: str) -> tuple[str, str]:
    """``(body, footer)``: the footer is the last paragraph when it holds a link."""
    stripped = text.rstrip()
    head, sep, last = stripped.rpartition("\n\n")
    if sep and _URL.search(last):
        return head, last
    return stripped, ""


def fit_zalo_text(text: str, limit: int = ZALO_TEXT_LIMIT) -> str:
    """``text`` unchanged if it fits, else cut cleanly (see the module docstring)."""
    if _units(text) <= limit:
        return text
    body, footer = _link_footer(text)
    if footer:
        room = limit - _units(footer) - _units(_CUT_MARK) - 2  # 2 = the "\n\n" before it
        head = cut_at_boundary(body, room) if room > 0 else ""
        if head:
            return f"{head}{_CUT_MARK}\n\n{footer}"
    head = cut_at_boundary(text, limit - _units(_CUT_MARK))
    return f"{head}{_CUT_MARK}" if head else ELLIPSIS


def zalo_text(message: OutgoingMessage) -> str:
    """The plain text to send: the short form, else the subject over the text."""
    if message.short_text is not None:
        return message.short_text
    subject, body = message.subject.strip(), message.text.strip()
    return f"{subject}\n\n{body}" if subject and body else subject or body


def zalo_error(exc: ZaloApiError) -> ChannelError:
    """Map a failed call: a dead chat is permanent, everything else can be retried."""
    code, detail = exc.error_code, exc.description
    if exc.network:
        return ChannelError(f"Zalo unreachable ({exc.method}): {detail}", permanent=False)
    if code == 429:
        return ChannelError(
            f"Zalo rate limit: {detail}", permanent=False, retry_after=exc.retry_after
        )
    if code == 401:
        return ChannelError(
            f"Zalo rejected the bot token ({detail}); an administrator must fix it",
            permanent=False,
        )
    dead = code == 403 or any(marker in detail.lower() for marker in _DEAD_CHAT)
    if dead and (code is None or code < 500):
        return ChannelError(f"Zalo cannot reach this chat: {detail}", permanent=True)
    if code is not None and code >= 500:
        return ChannelError(f"Zalo server error {code}: {detail}", permanent=False)
    return ChannelError(f"Zalo refused the message ({code}): {detail}", permanent=False)


class ZaloBotChannel:
    """Sends through one :class:`ZaloBotApi` (one reused HTTP client)."""

    name = "zalo"

    def __init__(
        self, token: str, *, base_url: str | None = None, api: ZaloBotApi | None = None
    ) -> None:
        self._owns_api = api is None
        self.api = api or ZaloBotApi(token, base_url=base_url)

    async def send(self, message: OutgoingMessage) -> SendResult:
        chat_id = message.address.strip()
        if not _CHAT_ID.match(chat_id):
            raise ChannelError(f"{message.address!r} is not a Zalo chat id", permanent=True)
        text = fit_zalo_text(zalo_text(message))
        if not text.strip():
            raise ChannelError(f"message {message.key} has no text to send", permanent=False)
        try:
            sent = await self.api.send_message(chat_id, text)
        except ZaloApiError as exc:
            raise zalo_error(exc) from None
        message_id = sent.get("message_id")
        return SendResult(provider_id=str(message_id) if message_id else None)

    async def aclose(self) -> None:
        if self._owns_api:
            await self.api.aclose()


def build_zalo_channel(settings: Settings) -> ZaloBotChannel | None:
    """The bot channel when ``NOTIFIER_ZALO_BOT_TOKEN`` is set, else None."""
    if not settings.zalo_bot_token:
        return None
    return ZaloBotChannel(settings.zalo_bot_token, base_url=settings.file.zalo.api_url)
