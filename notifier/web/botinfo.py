"""The Telegram bot's @username, for the t.me deep links of invite codes.

From the settings (``telegram.username`` / ``NOTIFIER_TELEGRAM_USERNAME``) when given,
else asked once with ``getMe`` (cached for the application's life; a failure is not
cached, so the next invite asks again). None: no token, or the Bot API did not answer;
the page then shows the code alone.
"""

from __future__ import annotations

import logging

from aiohttp import web
from telegram import Bot
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from notifier.channels.telegram import telegram_base_url
from notifier.runtime import Runtime

log = logging.getLogger(__name__)
USERNAME = web.AppKey("telegram_username", dict)
GETME_TIMEOUT = 5.0  # seconds: the admin waits for the page


async def telegram_username(app: web.Application, runtime: Runtime) -> str | None:
    settings = runtime.settings
    if settings.file.telegram.username:
        return settings.file.telegram.username
    token = settings.telegram_token
    if not token:
        return None
    cache = app[USERNAME]
    if "name" not in cache:
        name = await _ask(runtime, token)
        if name is None:
            return None
        cache["name"] = name
    return str(cache["name"])


async def _ask(runtime: Runtime, token: str) -> str | None:
    request = HTTPXRequest(connect_timeout=GETME_TIMEOUT, read_timeout=GETME_TIMEOUT)
    bot = Bot(token, base_url=telegram_base_url(runtime.settings.file.telegram.api_url),
              request=request)  # fmt: skip
    try:
        async with bot:
            return bot.username
    except TelegramError as exc:
        log.warning("getMe failed, invite shown without a t.me link: %s", exc)
        return None
