"""The door of every bot webhook: the secret header checked before anything is read.

Telegram and Zalo both send the secret they were given in ``X-*-Secret-Token``; a
request without it is a 401, with another one a 403, and neither reaches the bot. Only
then is the body parsed: it must be one JSON object.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.Response]]


def secret_checked(
    header: str, secret: str, receive: Callable[[dict[str, Any]], Awaitable[web.Response]]
) -> Handler:
    """An aiohttp handler that checks ``header`` against ``secret`` on every request and
    hands the JSON object of an accepted one to ``receive``."""
    expected = secret.encode("utf-8")

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(header)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        if not hmac.compare_digest(given.encode("utf-8"), expected):
            return web.Response(status=403, text="wrong secret token")
        try:
            payload = await request.json()
        except ValueError:
            return web.Response(status=400, text="expected a JSON update")
        if not isinstance(payload, dict):
            return web.Response(status=400, text="expected a JSON object")
        return await receive(payload)

    return handle
