"""A fake Telegram Bot API server (aiohttp on 127.0.0.1, random port).

Speaks enough of the Bot API for python-telegram-bot 22 pointed at it with
``Bot(token, base_url=f"{fake.url}/bot")``. It behaves like Telegram where our code
depends on it: it validates Telegram HTML and the 4096-character limit, answers
"message is not modified", removes an inline keyboard when an edit carries none, and
refuses getUpdates while a webhook is set. Every request is recorded in
:attr:`FakeBotApi.requests`; failures are scripted with :meth:`FakeBotApi.fail_next`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest_asyncio
from aiohttp import web

FAKE_DATE = 1711935000  # 2024-04-01 08:30 +07; the fake never reads a clock
TEXT_LIMIT = 4096
_JSON_PARAMS = {"reply_markup", "entities", "allowed_updates", "link_preview_options"}
_INT_PARAMS = {"message_id", "offset", "limit", "timeout"}
_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "tg-emoji",
    "blockquote",
}


@dataclass
class RecordedRequest:
    method: str  # as sent, e.g. "sendMessage"
    token: str
    params: dict[str, Any]


@dataclass
class SentMessage:
    message_id: int
    chat_id: str
    text: str  # as sent (HTML source when parse_mode is HTML)
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    edits: list[str] = field(default_factory=list)  # previous texts, oldest first


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None


class _TelegramHtml(HTMLParser):
    """Checks HTML the way Telegram does: known tags, properly nested; counts visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible = 0
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in _TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'unexpected end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible += len(data.encode("utf-16-le")) // 2


def check_telegram_html(text: str) -> tuple[str | None, int]:
    """``(error or None, visible length in UTF-16 units)`` for Telegram HTML."""
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.stack:
        parser.error = f'can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
    return parser.error, parser.visible


class _ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


class FakeBotApi:
    """Use as ``async with FakeBotApi() as fake:`` or through the ``bot_api`` fixture."""

    def __init__(self, *, bot_id: int = 7000001, username: str = "notifier_test_bot") -> None:
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Notifier",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.requests: list[RecordedRequest] = []
        self.chats: dict[str, list[SentMessage]] = defaultdict(list)
        self.answered_callbacks: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.max_poll_timeout = 2.0  # cap on long polling, so a test never waits long
        self.long_polling = asyncio.Event()  # set while a getUpdates waits for updates
        self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id = 1
        self._new_update: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""
        # Telegram's limits, enforced when set (benchmarks): messages per bot and per chat in
        # any one-second window (sliding, stricter than Telegram's own count); a send over
        # either gets 429 with retry_after 1 and is counted in ``refused``
        self.limits: tuple[int, int] | None = None
        self.refused = 0
        self.accepted: list[tuple[float, str]] = []  # (monotonic time, chat id) of each send
        # seconds each call waits before it answers (benchmarks: the network's round trip)
        self.latency = 0.0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        self._new_update = asyncio.Condition()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- scripting and inspection -------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` answer ``status`` instead of working."""
        default = {
            429: f"Too Many Requests: retry after {retry_after}",
            403: "Forbidden: bot was blocked by the user",
            400: "Bad Request: chat not found",
        }.get(status, "Internal Server Error")
        for _ in range(times):
            self._failures[method.lower()].append(
                _Failure(status, description or default, retry_after)
            )

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; gives it the next update_id unless it has one."""
        update = dict(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"]) + 1
        self._updates.append(update)
        if self._new_update is not None:
            asyncio.get_running_loop().create_task(self._notify())
        return int(update["update_id"])

    async def _notify(self) -> None:
        assert self._new_update is not None
        async with self._new_update:
            self._new_update.notify_all()

    def calls(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method.lower() == method.lower()]

    def sent(self, chat_id: str | int) -> list[SentMessage]:
        return self.chats[str(chat_id)]

    # -- HTTP ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        self.requests.append(RecordedRequest(method, request.match_info["token"], params))
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            failures = self._failures[method.lower()]
            if failures:
                failure = failures.popleft()
                raise _ApiError(failure.status, failure.description, failure.retry_after)
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise _ApiError(404, "Not Found")
            result = await handler(params)
        except _ApiError as exc:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.status,
                "description": exc.description,
            }
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return web.json_response(body, status=exc.status)
        return web.json_response({"ok": True, "result": result})

    # -- Bot API methods ------------------------------------------------------------

    async def _api_getme(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    def _over_limit(self, chat_id: str) -> bool:
        if self.limits is None:
            return False
        per_bot, per_chat = self.limits
        now = time.monotonic()
        recent = [chat for at, chat in reversed(self.accepted[-per_bot:]) if at > now - 1.0]
        if len(recent) >= per_bot or recent.count(chat_id) >= per_chat:
            self.refused += 1
            return True
        self.accepted.append((now, chat_id))
        return False

    async def _api_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = str(params.get("chat_id", ""))
        if self._over_limit(chat_id):
            raise _ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        text = str(params.get("text", ""))
        parse_mode = params.get("parse_mode")
        _check_text(text, parse_mode)
        message = SentMessage(
            self._next_message_id, chat_id, text, parse_mode, params.get("reply_markup")
        )
        self._next_message_id += 1
        self.chats[chat_id].append(message)
        return self._message_json(message)

    async def _api_editmessagetext(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        text, markup = str(params.get("text", "")), params.get("reply_markup")
        _check_text(text, params.get("parse_mode"))
        if text == message.text and markup == message.reply_markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same",
            )
        message.edits.append(message.text)
        message.text, message.reply_markup = text, markup
        message.parse_mode = params.get("parse_mode")
        return self._message_json(message)

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        message.reply_markup = params.get("reply_markup")
        return self._message_json(message)

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> Any:
        self.answered_callbacks.append(params)
        return True

    async def _api_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook.get("url"):
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = min(float(params.get("timeout", 0)), self.max_poll_timeout)
        if not self._updates and timeout > 0:
            assert self._new_update is not None
            async with self._new_update:
                self.long_polling.set()
                try:
                    await asyncio.wait_for(self._new_update.wait(), timeout)
                except TimeoutError:
                    pass
                finally:
                    self.long_polling.clear()
        return self._updates[:limit]

    async def _api_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    async def _api_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._updates.clear()
        return True

    async def _api_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    # -- helpers ------------------------------------------------------------------

    def _find(self, params: dict[str, Any]) -> SentMessage:
        chat_id, message_id = str(params.get("chat_id", "")), params.get("message_id")
        for message in self.chats.get(chat_id, []):
            if message.message_id == message_id:
                return message
        raise _ApiError(400, "Bad Request: message to edit not found")

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        chat_id = int(message.chat_id) if message.chat_id.lstrip("-").isdigit() else 0
        chat_type = "private" if chat_id > 0 else "supergroup"
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": FAKE_DATE,
            "chat": {"id": chat_id, "type": chat_type},
            "from": self.bot_user,
            "text": message.text,
        }
        if message.edits:
            body["edit_date"] = FAKE_DATE
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        return body


def _check_text(text: str, parse_mode: Any) -> None:
    if not text.strip():
        raise _ApiError(400, "Bad Request: message text is empty")
    visible = len(text.encode("utf-16-le")) // 2
    if parse_mode == "HTML":
        error, visible = check_telegram_html(text)
        if error:
            raise _ApiError(400, f"Bad Request: can't parse entities: {error}")
    if visible > TEXT_LIMIT:
        raise _ApiError(400, "Bad Request: message is too long")


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query, a form (what PTB sends) or a JSON body."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        params.update(body if isinstance(body, dict) else {})
        return params
    if request.can_read_body:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in _JSON_PARAMS & params.keys():
        if isinstance(params[key], str):
            params[key] = json.loads(params[key])
    for key in _INT_PARAMS & params.keys():
        params[key] = int(params[key])
    return params


@pytest_asyncio.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    """A running fake Bot API server for one test."""
    async with FakeBotApi() as fake:
        yield fake
