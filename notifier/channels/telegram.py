"""Telegram through python-telegram-bot, HTML parse mode, one row of inline buttons.

The Bot API server: ``telegram.api_url`` names the *server* (``https://api.telegram.org``
or a self-hosted ``http://host:8081``); python-telegram-bot wants the method prefix, so
:func:`telegram_base_url` appends ``/bot`` (an URL already ending in ``/bot`` is kept).

Messages over Telegram's 4096-character limit are cut by :func:`fit_telegram_html`:
at the last line break that fits, tags still open there are closed, and a line "…"
marks the cut. Lengths are counted in UTF-16 code units of the HTML *source*, which is
never shorter than the visible text Telegram counts, so the result always fits.
"""

from __future__ import annotations

import asyncio
import html
import re
import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from notifier.channels.base import Button, ChannelError, OutgoingMessage, SendResult
from notifier.vocab import ChannelName

TELEGRAM_TEXT_LIMIT = 4096
ELLIPSIS = "…"
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")
_PERMANENT_BAD_REQUESTS = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "chat_id is empty",
)


def telegram_base_url(api_url: str | None) -> str:
    """The python-telegram-bot ``base_url`` for a Bot API server URL (see module doc)."""
    server = (api_url or "https://api.telegram.org").rstrip("/")
    return server if server.endswith("/bot") else f"{server}/bot"


def _units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _rank(previous: str) -> int:
    return 2 if previous == "\n" else 1 if previous == " " else 0


def _cut_candidates(source: str) -> list[tuple[int, tuple[str, ...], int]]:
    """Places where ``source`` may be cut: ``(index, tags open there, preference)``.

    Preference 2 = after a line break, 1 = at a space, 0 = between two characters of
    text (never inside a tag or an ``&entity;``).
    """
    found: list[tuple[int, tuple[str, ...], int]] = []
    stack: list[str] = []
    position = 0
    for match in [*_TAG.finditer(source), None]:
        end = match.start() if match else len(source)
        in_entity = False
        for index in range(position, end):
            char = source[index]
            in_entity = (in_entity or char == "&") and char != ";"
            if not in_entity and index > position:
                found.append((index, tuple(stack), _rank(source[index - 1])))
        if match is None:
            break
        closing, name = match.group(1), match.group(2).lower()
        if closing and name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name) :]
        elif not closing:
            stack.append(name)
            before = source[match.start() - 1] if match.start() else ""
            found.append((match.start(), tuple(stack[:-1]), _rank(before)))  # before a tag
        position = match.end()
    return found


def fit_telegram_html(source: str, limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """``source`` unchanged if it fits, else cut cleanly (see the module docstring).

    Only the first ``limit`` characters can matter (a character is at least one UTF-16
    unit), so the work is bounded by ``limit`` whatever the message size.
    """
    if _units(source) <= limit:
        return source
    window = source[: limit + 1]
    prefix, stripped = [0], [0]  # UTF-16 length of window[:i]; len(window[:i].rstrip())
    for index, char in enumerate(window, start=1):
        prefix.append(prefix[-1] + (2 if ord(char) > 0xFFFF else 1))
        stripped.append(stripped[-1] if char.isspace() else index)
    suffix = _units("\n" + ELLIPSIS)
    best: dict[int, tuple[int, str]] = {}
    for index, open_tags, rank in _cut_candidates(window):
        head_end = stripped[index]
        closers = "".join(f"</{name}>" for name in reversed(open_tags))
        if head_end and prefix[head_end] + len(closers) + suffix <= limit:
            best[rank] = (head_end, closers)  # candidates come in order: keep the last
    for rank in (2, 1, 0):
        if rank in best:
            head_end, closers = best[rank]
            return f"{window[:head_end]}{closers}\n{ELLIPSIS}"
    return ELLIPSIS


BUTTONS_PER_ROW = 2  # four answers in one row are cut short on a phone ("Báo vướng...")


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """Inline buttons two to a row, or no keyboard at all."""
    if not buttons:
        return None
    keys = [
        InlineKeyboardButton(b.label, callback_data=b.callback_data, url=b.url) for b in buttons
    ]
    rows = [keys[i : i + BUTTONS_PER_ROW] for i in range(0, len(keys), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)


def telegram_text(message: OutgoingMessage) -> str:
    """The HTML to send: the rendered Telegram HTML, else a bold subject over the text."""
    if message.telegram_html is not None:
        return message.telegram_html
    subject = html.escape(message.subject, quote=False)
    body = html.escape(message.text, quote=False)
    return f"<b>{subject}</b>\n\n{body}" if subject else body


def _chat_id(address: str) -> int | str:
    if address.startswith("@"):
        return address
    try:
        return int(address)
    except ValueError:
        raise ChannelError(f"{address!r} is not a Telegram chat id", permanent=True) from None


def retry_seconds(exc: RetryAfter) -> float:
    """The wait a 429 asked for, in seconds (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def telegram_error(exc: TelegramError, token: str = "") -> ChannelError:
    """Map a PTB error: a dead chat is permanent, everything else can be retried."""
    reason = exc.message.replace(token, "<token>") if token else exc.message
    if isinstance(exc, RetryAfter):
        seconds = retry_seconds(exc)
        return ChannelError(
            f"Telegram flood control: retry after {seconds:g} s",
            permanent=False,
            retry_after=seconds,
        )
    if isinstance(exc, Forbidden):
        return ChannelError(f"Telegram refused the chat: {reason}", permanent=True)
    if isinstance(exc, ChatMigrated):
        return ChannelError(
            f"group became a supergroup; new chat id {exc.new_chat_id}", permanent=True
        )
    if isinstance(exc, BadRequest):
        dead = any(marker in reason.lower() for marker in _PERMANENT_BAD_REQUESTS)
        return ChannelError(f"Telegram refused the message: {reason}", permanent=dead)
    if isinstance(exc, InvalidToken):
        return ChannelError(
            f"Telegram rejected the bot token ({reason}); an administrator must fix it",
            permanent=False,
        )
    if isinstance(exc, NetworkError):  # includes TimedOut: the message may have gone out
        return ChannelError(f"Telegram unreachable: {reason}", permanent=False)
    return ChannelError(f"Telegram error: {reason}", permanent=False)


class TelegramChannel:
    """Sends through one :class:`telegram.Bot`, initialised on first use."""

    name: str = ChannelName.TELEGRAM

    def __init__(self, token: str, *, base_url: str | None = None, bot: Bot | None = None) -> None:
        self._token = token
        self._owns_bot = bot is None  # a Bot handed in is shut down by whoever made it
        if bot is None:
            request = HTTPXRequest(connection_pool_size=8, connect_timeout=10.0, read_timeout=20.0)
            bot = Bot(token, base_url=base_url or "https://api.telegram.org/bot", request=request)
        self.bot = bot
        self._init_lock = asyncio.Lock()

    async def _ready(self) -> Bot:
        async with self._init_lock:
            try:
                await self.bot.initialize()
            except TelegramError as exc:
                raise telegram_error(exc, self._token) from exc
        return self.bot

    async def send(self, message: OutgoingMessage) -> SendResult:
        chat_id = _chat_id(message.address)
        bot = await self._ready()
        try:
            sent = await bot.send_message(
                chat_id=chat_id,
                text=fit_telegram_html(telegram_text(message)),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(message.buttons),
                link_preview_options=_NO_PREVIEW,
            )
        except TelegramError as exc:
            raise telegram_error(exc, self._token) from exc
        return SendResult(provider_id=str(sent.message_id))

    async def edit(
        self, chat_id: str, message_id: int, telegram_html: str, buttons: tuple[Button, ...] = ()
    ) -> None:
        """Replace a sent message's text; no buttons removes the keyboard. Idempotent."""
        bot = await self._ready()
        try:
            await bot.edit_message_text(
                chat_id=_chat_id(chat_id),
                message_id=message_id,
                text=fit_telegram_html(telegram_html),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(buttons),
                link_preview_options=_NO_PREVIEW,
            )
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():
                return  # already shows this text: a repeated edit is a success
            raise telegram_error(exc, self._token) from exc
        except TelegramError as exc:
            raise telegram_error(exc, self._token) from exc

    async def aclose(self) -> None:
        if self._owns_bot:
            await self.bot.shutdown()
