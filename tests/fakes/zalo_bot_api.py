"""A fake Zalo Bot Platform API server (aiohttp on 127.0.0.1, random port).

Speaks the documented shapes (``docs/zalo.md``): ``POST /bot{TOKEN}/{method}`` with a
JSON (or form/query) body, replies ``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code": N, "description": "..."}``. Behaves like Zalo where our code depends on
it: the token is checked on every call; ``getUpdates`` long-polls, hands out one update
per call (no offset: an update handed out is gone) and answers ``error_code`` 408
"Request timeout" with HTTP 200 when the wait ends quietly, and refuses to run while a
webhook is set; ``setWebhook`` wants an HTTPS url and a ``secret_token`` of 8 to 256
characters; ``sendMessage`` wants a ``chat_id`` and a text of 1 to 2,000 characters;
``sendChatAction`` answers ``{"ok": true}`` without a result.

Where Zalo's documentation is silent the fake follows the Telegram-shaped codes the
official SDK (a python-telegram-bot fork) expects: 401 invalid token, 429 rate limit
(``parameters.retry_after``), 400 "Chat not found", 409 polling while a webhook is set.
Every request is recorded in :attr:`FakeZaloBotApi.requests`; failures are scripted with
:meth:`fail_next`, :meth:`gateway_error_next` and :meth:`hang_next`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest_asyncio
from aiohttp import web

TEXT_LIMIT = 2000
SECRET_MIN, SECRET_MAX = 8, 256
FAKE_DATE_MS = 1711935000000  # 2024-04-01 08:30 +07; the fake never reads a clock
SECRET_HEADER = "X-Bot-Api-Secret-Token"


@dataclass
class RecordedRequest:
    method: str
    token: str
    params: dict[str, Any]
    path: str


@dataclass
class SentMessage:
    message_id: str
    chat_id: str
    text: str


@dataclass
class _Failure:
    http_status: int
    body: dict[str, Any] | str  # a str is sent as text/html (a gateway's error page)
    delay: float | None = 0.0  # > 0: answer late; None: hang until released or stopped


@dataclass
class _Webhook:
    url: str = ""
    secret_token: str = ""
    updated_at: int = FAKE_DATE_MS


class _ApiError(Exception):
    def __init__(self, code: int, description: str, http_status: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description = code, description
        self.http_status = http_status or code


_MESSAGE_IDS = itertools.count(1)


def text_update(
    chat_id: str, text: str, *, sender_id: str | None = None, name: str = "Người dùng"
) -> dict[str, Any]:
    """An update shaped like the documented ``message.text.received`` event."""
    return {
        "event_name": "message.text.received",
        "message": {
            "from": {"id": sender_id or chat_id, "display_name": name, "is_bot": False},
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "text": text,
            "message_id": f"{next(_MESSAGE_IDS):020x}",
            "date": FAKE_DATE_MS,
        },
    }


class FakeZaloBotApi:
    """Use as ``async with FakeZaloBotApi() as fake:`` or through the ``zalo_api`` fixture."""

    def __init__(self, token: str = "1234567890:zalo-test-secret-abcdef") -> None:
        self.token = token
        self.bot_info = {
            "id": token.partition(":")[0],
            "account_name": "bot.NotifierTest",
            "account_type": "BASIC",
            "can_join_groups": False,
        }
        self.requests: list[RecordedRequest] = []
        self.chats: dict[str, list[SentMessage]] = defaultdict(list)
        self.chat_actions: list[dict[str, Any]] = []
        self.photos: list[dict[str, Any]] = []
        self.known_chats: set[str] | None = None  # None: every chat id is reachable
        self.webhook = _Webhook()
        self.max_poll_timeout = 2.0  # cap on long polling, so a test never waits long
        self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
        self._updates: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(1)
        self._new_update: asyncio.Event | None = None
        self._release: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        self._new_update = asyncio.Event()
        self._release = asyncio.Event()

    async def stop(self) -> None:
        self.release_hung()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeZaloBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- scripting and inspection -------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        http_status: int | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` answer ``ok: false`` with this code."""
        default = {
            401: "Unauthorized",
            403: "Forbidden: the bot cannot send to this user",
            429: "Too Many Requests",
            400: "Chat not found",
        }.get(error_code, "Internal Server Error")
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error_code,
            "description": description or default,
        }
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        for _ in range(times):
            self._failures[method.lower()].append(_Failure(http_status or error_code, body))

    def gateway_error_next(self, method: str, status: int = 502, *, times: int = 1) -> None:
        """A 5xx HTML page from a gateway in front of Zalo, echoing the request path."""
        for _ in range(times):
            self._failures[method.lower()].append(_Failure(status, "{path}"))

    def hang_next(self, method: str, seconds: float | None = None, *, times: int = 1) -> None:
        """The next calls of ``method`` answer normally, but only after ``seconds``, or,
        without ``seconds``, only once :meth:`release_hung` is called (or the fake stops)."""
        for _ in range(times):
            self._failures[method.lower()].append(_Failure(0, {}, delay=seconds))

    def release_hung(self) -> None:
        if self._release is not None:
            self._release.set()

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (or :meth:`deliver_webhook`)."""
        self._updates.append(update)
        if self._new_update is not None:
            self._new_update.set()

    def calls(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method.lower() == method.lower()]

    def sent(self, chat_id: str) -> list[SentMessage]:
        return self.chats[str(chat_id)]

    async def deliver_webhook(
        self, update: dict[str, Any], *, secret: str | None = None
    ) -> aiohttp.ClientResponse:
        """POST ``update`` to the webhook url as Zalo does (``secret`` overrides the header;
        ``""`` sends none). Returns the receiver's response (already read)."""
        if not self.webhook.url:
            raise AssertionError("no webhook is set")
        token = self.webhook.secret_token if secret is None else secret
        headers = {SECRET_HEADER: token} if token else {}
        body = {"ok": True, "result": update}
        async with aiohttp.ClientSession() as session:
            async with session.post(self.webhook.url, json=body, headers=headers) as response:
                await response.read()
                return response

    # -- HTTP ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method, token = request.match_info["method"], request.match_info["token"]
        params = await _read_params(request)
        self.requests.append(RecordedRequest(method, token, params, request.path))
        failures = self._failures[method.lower()]
        failure = failures.popleft() if failures else None
        if failure is not None and failure.delay != 0.0:
            await self._wait(failure.delay)
            failure = None
        if failure is not None:
            return _failure_response(failure, request.path)
        try:
            if token != self.token:
                raise _ApiError(401, "Unauthorized")
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise _ApiError(404, "Not Found")
            result = await handler(params)
        except _ApiError as exc:
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            return web.json_response(body, status=exc.http_status)
        reply: dict[str, Any] = {"ok": True}
        if result is not None:
            reply["result"] = result
        return web.json_response(reply)

    # -- Bot API methods ------------------------------------------------------------

    async def _api_getme(self, params: dict[str, Any]) -> Any:
        return self.bot_info

    async def _api_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook.url:
            raise _ApiError(409, "Conflict: getUpdates does not work while a webhook is set")
        timeout = min(float(params.get("timeout", 30)), self.max_poll_timeout)
        assert self._new_update is not None
        if not self._updates and timeout > 0:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except TimeoutError:
                pass
        if not self._updates:
            raise _ApiError(408, "Request timeout", http_status=200)
        return self._updates.popleft()

    async def _api_setwebhook(self, params: dict[str, Any]) -> Any:
        url, secret = str(params.get("url") or ""), str(params.get("secret_token") or "")
        if not url.startswith("https://"):
            raise _ApiError(400, "The webhook url must be a valid HTTPS url")
        if not SECRET_MIN <= len(secret) <= SECRET_MAX:
            raise _ApiError(400, "The secret_token must be from 8 to 256 characters")
        self.webhook = _Webhook(url, secret, FAKE_DATE_MS + next(self._ids))
        return {"url": url, "updated_at": self.webhook.updated_at}

    async def _api_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.url, "updated_at": self.webhook.updated_at}

    async def _api_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = _Webhook(updated_at=FAKE_DATE_MS + next(self._ids))
        return {"url": "", "updated_at": self.webhook.updated_at}

    async def _api_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text:
            raise _ApiError(400, "The text must not be empty")
        if len(text) > TEXT_LIMIT:
            raise _ApiError(400, "The text must be from 1 to 2000 characters")
        return self._record(chat_id, text)

    async def _api_sendphoto(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat(params)
        photo, caption = str(params.get("photo") or ""), params.get("caption")
        if not photo:
            raise _ApiError(400, "The photo must not be empty")
        if not photo.startswith(("http://", "https://")):
            raise _ApiError(400, "The photo must start with http:// or https://")
        if caption is not None and not 1 <= len(str(caption)) <= TEXT_LIMIT:
            raise _ApiError(400, "The caption must be from 1 to 2000 characters")
        self.photos.append({"chat_id": chat_id, "photo": photo, "caption": caption})
        return self._record(chat_id, str(caption or ""))

    async def _api_sendchataction(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat(params)
        if params.get("action") != "typing":
            raise _ApiError(400, "The action is not supported")
        self.chat_actions.append({"chat_id": chat_id, "action": "typing"})
        return None  # documented reply: {"ok": true}, no result

    # -- helpers ------------------------------------------------------------------

    async def _wait(self, seconds: float | None) -> None:
        assert self._release is not None
        try:
            await asyncio.wait_for(self._release.wait(), seconds)
        except TimeoutError:
            pass

    def _chat(self, params: dict[str, Any]) -> str:
        chat_id = str(params.get("chat_id") or "")
        if not chat_id:
            raise _ApiError(400, "The chat_id must not be empty")
        if self.known_chats is not None and chat_id not in self.known_chats:
            raise _ApiError(400, "Chat not found")
        return chat_id

    def _record(self, chat_id: str, text: str) -> dict[str, Any]:
        message_id = f"{next(self._ids):020x}"
        self.chats[chat_id].append(SentMessage(message_id, chat_id, text))
        return {"message_id": message_id, "date": FAKE_DATE_MS}


def _failure_response(failure: _Failure, path: str) -> web.Response:
    if isinstance(failure.body, str):
        page = f"<html><body><h1>{failure.http_status} Bad Gateway</h1>{path}</body></html>"
        return web.Response(status=failure.http_status, text=page, content_type="text/html")
    return web.json_response(failure.body, status=failure.http_status)


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query, a JSON body or a form (the docs allow all three)."""
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = json.loads(await request.text() or "{}")
        params.update(body if isinstance(body, dict) else {})
    else:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


@pytest_asyncio.fixture
async def zalo_api() -> AsyncIterator[FakeZaloBotApi]:
    """A running fake Zalo Bot API server for one test."""
    async with FakeZaloBotApi() as fake:
        yield fake
