"""A small client for the Zalo Bot Platform API (``POST {base}/bot{TOKEN}/{method}``).

Used by :class:`notifier.channels.zalo.ZaloBotChannel` and, later, by the Zalo bot
transport (polling or webhook). One ``httpx.AsyncClient`` per client, reused for every
call. Facts it relies on, with sources, are in ``docs/zalo.md``:

- every reply is ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
  "description": "..."}``; HTTP 200 alone is not success;
- ``getUpdates`` has no ``offset``: each call hands out (and consumes) at most one
  update, and a wait that ends with no message answers ``error_code`` 408 (not an error);
- the token sits in the URL path, so no URL, exception text or log line may carry it:
  :func:`mask` redacts it and :func:`install_log_redaction` filters httpx's own request
  log (which prints every URL at INFO).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
POLL_TIMEOUT_ERROR = 408  # getUpdates waited ``timeout`` seconds and nobody wrote
_TOKEN_PATH = re.compile(r"/bot[^/\s?#\"'<>]+")
_HTTPX_LOGGERS = ("httpx", "httpcore")


def mask(text: str, token: str) -> str:
    """``text`` without the bot token (literal, URL-encoded or as a ``/bot…`` path)."""
    if token:
        text = text.replace(token, "<token>")
        secret = token.partition(":")[2]
        if len(secret) >= 8:
            text = text.replace(secret, "<token>")
    return _TOKEN_PATH.sub("/bot<token>", text)


class _RedactBotPaths(logging.Filter):
    """Rewrites ``/bot<anything>`` in a log record; httpx logs each request URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN_PATH.sub("/bot<token>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_REDACTION = _RedactBotPaths()


def install_log_redaction() -> None:
    """Attach the redacting filter to httpx's loggers (idempotent)."""
    for name in _HTTPX_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACTION not in logger.filters:
            logger.addFilter(_REDACTION)


class ZaloApiError(Exception):
    """A call failed. ``error_code`` is Zalo's code (or the HTTP status when the body was
    not a Zalo reply); ``network`` means no answer came back (the call may have worked)."""

    def __init__(
        self,
        method: str,
        description: str,
        *,
        error_code: int | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
        network: bool = False,
    ) -> None:
        self.method = method
        self.description = description
        self.error_code = error_code
        self.http_status = http_status
        self.retry_after = retry_after
        self.network = network
        super().__init__(f"{method}: {description}")


@dataclass(frozen=True)
class ZaloUpdate:
    """One incoming event, in the fields the bot needs (``message.chat.id`` answers it)."""

    event_name: str
    chat_id: str
    sender_id: str
    sender_name: str
    text: str | None
    message_id: str
    date_ms: int | None
    chat_type: str
    raw: dict[str, Any]


def parse_update(body: Any) -> ZaloUpdate | None:
    """A :class:`ZaloUpdate` from a getUpdates result or a webhook body, or None.

    The webhook body comes wrapped as ``{"ok": true, "result": {...}}`` in the official
    sample and bare in some deliveries; both are accepted. Events without a message
    (or without a chat) give None.
    """
    if isinstance(body, dict) and body.get("ok") is True and isinstance(body.get("result"), dict):
        body = body["result"]
    if not isinstance(body, dict) or not isinstance(body.get("event_name"), str):
        return None
    message = body.get("message")
    if not isinstance(message, dict):
        return None
    chat, sender = as_dict(message.get("chat")), as_dict(message.get("from"))
    chat_id = str(chat.get("id") or "")
    if not chat_id:
        return None
    text = message.get("text")
    date = message.get("date")
    return ZaloUpdate(
        event_name=body["event_name"],
        chat_id=chat_id,
        sender_id=str(sender.get("id") or ""),
        sender_name=str(sender.get("display_name") or sender.get("name") or ""),
        text=text if isinstance(text, str) else None,
        message_id=str(message.get("message_id") or ""),
        date_ms=date if isinstance(date, int) else None,
        chat_type=str(chat.get("chat_type") or ""),
        raw=body,
    )


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ZaloBotApi:
    """The Bot API methods the channel and the future bot transport use."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        timeout: float = 15.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._token = token
        self._base = f"{(base_url or DEFAULT_API_URL).rstrip('/')}/bot{token}"
        self._timeout = timeout
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=16)
        )
        install_log_redaction()

    def __repr__(self) -> str:
        return "ZaloBotApi(<token>)"

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """POST ``params`` as JSON; the ``result`` of an ``ok`` reply, else ZaloApiError."""
        try:
            response = await self._client.post(
                f"{self._base}/{method}", json=params or {}, timeout=timeout or self._timeout
            )
        except httpx.TimeoutException:
            raise ZaloApiError(method, "no answer in time", network=True) from None
        except httpx.HTTPError as exc:
            detail = mask(f"{type(exc).__name__}: {exc}", self._token)
            raise ZaloApiError(method, detail, network=True) from None
        return self._result(method, response)

    def _result(self, method: str, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            snippet = mask(response.text, self._token)[:200]
            raise ZaloApiError(
                method,
                f"HTTP {response.status_code}, not a Zalo reply: {snippet}",
                error_code=response.status_code,
                http_status=response.status_code,
            )
        if body.get("ok") is True and response.is_success:
            return body.get("result")
        parameters = as_dict(body.get("parameters"))
        raise ZaloApiError(
            method,
            mask(str(body.get("description") or f"HTTP {response.status_code}"), self._token),
            error_code=_as_int(body.get("error_code")) or response.status_code,
            http_status=response.status_code,
            retry_after=_as_int(parameters.get("retry_after")),
        )

    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_updates(self, timeout: int = 30) -> ZaloUpdate | None:
        """Long polling: one update, or None when ``timeout`` seconds passed quietly."""
        try:
            result = await self.call("getUpdates", {"timeout": timeout}, timeout=timeout + 10)
        except ZaloApiError as exc:
            if exc.error_code == POLL_TIMEOUT_ERROR:
                return None
            raise
        return parse_update(result)

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        result = await self.call("setWebhook", {"url": url, "secret_token": secret_token})
        return result if isinstance(result, dict) else {}

    async def delete_webhook(self) -> dict[str, Any]:
        result = await self.call("deleteWebhook")
        return result if isinstance(result, dict) else {}

    async def get_webhook_info(self) -> dict[str, Any]:
        result = await self.call("getWebhookInfo")
        return result if isinstance(result, dict) else {}

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return result if isinstance(result, dict) else {}

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> dict:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption
        result = await self.call("sendPhoto", params)
        return result if isinstance(result, dict) else {}

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})
