"""The Zalo bot transport: updates in (long polling or webhook), replies out.

Zalo has no offset (``docs/zalo.md``): each ``getUpdates`` hands out one update and
forgets it. So every update is first written to the journal
(:mod:`notifier.store.zalo_journal`), then handled through the shared
:class:`~notifier.interact.conversation.Conversation` with the journal's "handled"
mark committed in the same transaction as what the update changed. At start, and
before each poll, rows left unhandled (a crash) are handled again; a handled one
never is. Lost for good: an update Zalo handed out while the process died before the
record committed (Zalo advises the webhook for production), and a reply not sent
when the process died after the commit.

Long polling is the default. Webhook mode (``NOTIFIER_ZALO_WEBHOOK_URL``, HTTPS):
:func:`run_bot` registers it with ``setWebhook`` and the secret
``NOTIFIER_ZALO_WEBHOOK_SECRET``; the web app serves :func:`webhook_handler` at the
URL's path. Every request must carry the secret in ``X-Bot-Api-Secret-Token``:
missing -> 401, wrong -> 403, and nothing is recorded.

Zalo has no buttons and no formatting: replies are plain text (tags stripped), cut to
2,000 characters by the channel's own rule; edits and button answers do not exist.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlmodel import Session

from notifier.channels.zalo import fit_zalo_text
from notifier.channels.zalo_api import ZaloApiError, ZaloBotApi, parse_update
from notifier.clock import as_utc
from notifier.errors import ConfigError
from notifier.interact.conversation import Conversation, Reply, Say
from notifier.interact.webhooks import Handler, secret_checked
from notifier.render import plain_text
from notifier.runtime import Runtime
from notifier.signing import load_secret_key
from notifier.store import zalo_journal as journal
from notifier.store.db import session_scope
from notifier.vocab import ChannelName, Via

log = logging.getLogger(__name__)

BOT = ChannelName.ZALO.value  # the journal's bot name
SECRET_HEADER = "X-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PATH = "/zalo/webhook"
POLL_TIMEOUT = 30  # seconds of long polling per getUpdates
ERROR_PAUSE = 5.0  # seconds before polling again after an error
NOT_TEXT = (
    "Bot chỉ đọc tin nhắn chữ. Đề nghị gửi «đã nhận», «xong» hoặc «vướng» kèm lý do; "
    "gõ /help để xem hướng dẫn."
)


class AlreadyHandled(Exception):
    """Another worker handled this journal row first: roll back, do nothing."""


@dataclass
class ZaloBot:
    """The Zalo bot of this installation: runtime, Bot API client, conversation."""

    runtime: Runtime
    api: ZaloBotApi
    key: bytes
    conversation: Conversation = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.conversation = Conversation(
            self.runtime, self.key, ChannelName.ZALO, Via.ZALO, "Zalo", buttons=False
        )


def make_bot(runtime: Runtime, api: ZaloBotApi | None = None) -> ZaloBot:
    settings = runtime.settings
    token = settings.zalo_bot_token
    if not token:
        raise ConfigError(["the Zalo bot needs NOTIFIER_ZALO_BOT_TOKEN"])
    key = load_secret_key(settings.secret_key, Path(settings.file.secret_key_file))
    api = api or ZaloBotApi(token, base_url=settings.file.zalo.api_url, timeout=POLL_TIMEOUT + 15)
    return ZaloBot(runtime, api, key)


# -- one update ----------------------------------------------------------------------------


def handle_recorded(bot: ZaloBot, row_id: int) -> list[Reply]:
    """Handle one journal row (in a worker thread): the conversation's replies, or [] when
    it was handled already. The mark commits with whatever the update changed."""
    engine = bot.runtime.engine
    row = journal.load(engine, row_id)
    if row is None or row.handled_at is not None:
        return []
    now = as_utc(bot.runtime.clock.now())

    def mark(session: Session) -> None:
        if not journal.mark_handled(session, row_id, now):
            raise AlreadyHandled(row_id)

    update = parse_update(row.payload)
    try:
        if update is None or update.text is None:
            replies: list[Reply] = [Say(update.chat_id, NOT_TEXT)] if update else []
        else:
            replies = bot.conversation.text(update.chat_id, update.text, mark)
    except AlreadyHandled:
        return []
    with session_scope(engine) as session:  # read-only paths and refusals
        journal.mark_handled(session, row_id, now)
    return replies


async def send_replies(bot: ZaloBot, replies: list[Reply]) -> None:
    """Say is a message; Zalo has no edits nor button answers. One failure does not stop
    the others."""
    for reply in replies:
        if not isinstance(reply, Say):
            continue
        text = fit_zalo_text(plain_text(reply.html))
        try:
            await bot.api.send_message(reply.chat_id, text)
        except ZaloApiError as exc:
            log.warning("Zalo refused a reply to %s: %s", reply.chat_id, exc.description)


async def process(bot: ZaloBot, row_id: int) -> None:
    """Handle a recorded row and send its replies; a bug is counted on the row, not fatal."""
    try:
        replies = await asyncio.to_thread(handle_recorded, bot, row_id)
    except Exception as exc:
        log.exception("failed to handle Zalo update %s", row_id)
        now = as_utc(bot.runtime.clock.now())
        await asyncio.to_thread(journal.mark_failed, bot.runtime.engine, row_id, repr(exc), now)
        return
    await send_replies(bot, replies)


async def receive(bot: ZaloBot, payload: dict[str, Any]) -> bool:
    """Record an update (committed), then handle it; False for one already recorded
    (a redelivery; it is handled again only if it never was)."""
    update = parse_update(payload)
    chat_id = update.chat_id if update is not None else ""
    now = as_utc(bot.runtime.clock.now())
    body = update.raw if update is not None else payload
    row_id, new = await asyncio.to_thread(
        journal.record, bot.runtime.engine, BOT, chat_id, body, now
    )
    await process(bot, row_id)
    return new


async def recover(bot: ZaloBot) -> int:
    """Handle the rows a crash (or a failure) left unhandled, oldest first."""
    rows = await asyncio.to_thread(journal.unhandled, bot.runtime.engine, BOT)
    for row_id in rows:
        await process(bot, row_id)
    return len(rows)


# -- long polling ----------------------------------------------------------------------------


async def poll_once(bot: ZaloBot, *, timeout: int = POLL_TIMEOUT) -> bool:
    """Recover, then one getUpdates: True when an update came (recorded and handled)."""
    await recover(bot)
    update = await bot.api.get_updates(timeout=timeout)
    if update is None:
        return False
    await receive(bot, update.raw)
    return True


async def poll_forever(
    bot: ZaloBot,
    stop_event: asyncio.Event,
    *,
    timeout: int = POLL_TIMEOUT,
    error_pause: float = ERROR_PAUSE,
) -> None:
    """Poll until ``stop_event`` is set; API and network errors pause, never stop it.

    A stop abandons a long poll in flight (nothing was handed out yet, or, if Zalo
    answered at that very moment, that one update is lost: Zalo keeps no copy), never
    an update already recorded.
    """
    await recover(bot)
    while not stop_event.is_set():
        fetch = asyncio.ensure_future(bot.api.get_updates(timeout=timeout))
        stopper = asyncio.ensure_future(stop_event.wait())
        try:
            done, _ = await asyncio.wait({fetch, stopper}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            for task in (fetch, stopper):
                task.cancel()
            await asyncio.gather(fetch, stopper, return_exceptions=True)
            raise
        stopper.cancel()
        if fetch not in done:
            fetch.cancel()
            await asyncio.gather(fetch, return_exceptions=True)
            return
        error = fetch.exception()
        if isinstance(error, ZaloApiError):
            log.warning("Zalo getUpdates failed: %s", error.description)
            try:
                await asyncio.wait_for(stop_event.wait(), error_pause)
            except TimeoutError:
                pass
            continue
        if error is not None:
            raise error
        update = fetch.result()
        if update is not None:
            await receive(bot, update.raw)


# -- webhook -------------------------------------------------------------------------------


def webhook_path(runtime: Runtime) -> str:
    url = runtime.settings.file.zalo.webhook_url or ""
    return urlsplit(url).path or DEFAULT_WEBHOOK_PATH


def webhook_handler(bot: ZaloBot, secret: str) -> Handler:
    """Checks the secret header on every request before reading anything else."""
    if not secret:
        raise ConfigError(["Zalo webhook mode needs NOTIFIER_ZALO_WEBHOOK_SECRET"])

    async def accepted(payload: dict[str, Any]) -> web.Response:
        await receive(bot, payload)
        return web.json_response({"ok": True})

    return secret_checked(SECRET_HEADER, secret, accepted)


def add_webhook_route(app: web.Application, bot: ZaloBot) -> None:
    secret = bot.runtime.settings.zalo_webhook_secret or ""
    app.router.add_post(webhook_path(bot.runtime), webhook_handler(bot, secret))


def webhook_setup(runtime: Runtime) -> Callable[[web.Application], None] | None:
    """The web app's setup step for the Zalo webhook, when webhook mode is configured."""
    settings = runtime.settings
    if not (settings.zalo_bot_token and settings.file.zalo.webhook_url):
        return None
    bot = make_bot(runtime)

    async def close(app: web.Application) -> None:
        await bot.api.aclose()

    def setup(app: web.Application) -> None:
        add_webhook_route(app, bot)
        app.on_cleanup.append(close)  # the bot's HTTP client ends with the web app

    return setup


async def register_webhook(bot: ZaloBot) -> None:
    settings = bot.runtime.settings
    url, secret = settings.file.zalo.webhook_url, settings.zalo_webhook_secret
    if not url or not secret:
        raise ConfigError(["Zalo webhook mode needs NOTIFIER_ZALO_WEBHOOK_URL and _SECRET"])
    await bot.api.set_webhook(url, secret)


# -- the service task ----------------------------------------------------------------------


async def run_bot(
    runtime: Runtime, stop_event: asyncio.Event, api: ZaloBotApi | None = None
) -> None:
    """No token: nothing. Webhook URL: register it, handle what the last run left, wait.
    Otherwise drop any webhook (getUpdates does not work while one is set) and poll."""
    if not runtime.settings.zalo_bot_token:
        return
    bot = make_bot(runtime, api)
    try:
        if runtime.settings.file.zalo.webhook_url:
            await register_webhook(bot)
            await recover(bot)
            await stop_event.wait()
            return
        await bot.api.delete_webhook()
        await poll_forever(bot, stop_event)
    finally:
        if api is None:
            await bot.api.aclose()


def install(service: Any) -> None:
    """A service extra task: the Zalo bot runs with `notifier run` when its token is set."""

    async def bot_task() -> None:
        try:
            await run_bot(service.runtime, asyncio.Event())
        except (ConfigError, ZaloApiError) as exc:  # sweep and dispatch go on without it
            log.error("Zalo bot stopped: %s", exc)

    service.extra_tasks.append(bot_task)
