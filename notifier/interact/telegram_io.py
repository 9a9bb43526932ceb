"""Telegram transport for the bot: long polling (default) or a webhook route.

Long polling: one getUpdates consumer. After each update is handled, the next offset
is saved in the ``bot_cursor`` table (:mod:`notifier.store.cursors`), so a restart
resumes after the last handled update instead of replaying it (at most the one update
in flight when the process died is seen again).

Nothing one update contains can stop the poller: updates are read as the Bot API's raw
JSON (never parsed as a whole batch, where one malformed field would fail them all), an
update that cannot be handled is logged with its id and skipped (its offset is saved),
and a failing Bot API or database pauses polling with backoff (5 s doubling to 2 min, or
the API's ``retry_after``). Start-up retries the same way: a 429 or an unreachable Bot
API when the service starts delays the bot, it does not end it; only a rejected token
does.

Webhook mode (``NOTIFIER_TELEGRAM_WEBHOOK_URL`` set): :func:`run_bot` registers the
URL with ``setWebhook`` and a ``secret_token`` (``NOTIFIER_TELEGRAM_WEBHOOK_SECRET``,
required), and the web app serves :func:`webhook_handler` at the URL's path
(:func:`add_webhook_route`). Every request must carry the secret in the
``X-Telegram-Bot-Api-Secret-Token`` header: missing -> 401, wrong -> 403.

What an update means lives in :mod:`notifier.interact.bot` and the decisions in
:mod:`notifier.interact.conversation`; handling runs in a worker thread because it
talks to the database synchronously.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlmodel import Session
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from notifier.channels.telegram import (
    fit_telegram_html,
    keyboard,
    retry_seconds,
    telegram_base_url,
)
from notifier.errors import ConfigError
from notifier.interact.bot import BotContext, handle_update
from notifier.interact.conversation import AnswerPress, Edit, Reply, Say
from notifier.interact.webhooks import Handler, secret_checked
from notifier.runtime import Runtime
from notifier.signing import load_secret_key
from notifier.store.cursors import load_cursor, save_cursor
from notifier.store.db import session_scope
from notifier.vocab import ChannelName

log = logging.getLogger(__name__)

CURSOR = ChannelName.TELEGRAM.value  # the bot_cursor row of this bot
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TIMEOUT = 30  # seconds of long polling per getUpdates
ERROR_PAUSE = 5.0  # seconds before polling again after an error, doubling...
MAX_PAUSE = 120.0  # ...up to this
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def bot_context(runtime: Runtime) -> BotContext:
    """The bot's context with the same signing key the dispatcher uses."""
    settings = runtime.settings
    key = load_secret_key(settings.secret_key, Path(settings.file.secret_key_file))
    return BotContext(runtime, key)


def make_bot(runtime: Runtime) -> Bot:
    """A PTB Bot for this installation (read timeout above the long-poll timeout)."""
    token = runtime.settings.telegram_token
    if not token:
        raise ConfigError(["the Telegram bot needs NOTIFIER_TELEGRAM_TOKEN"])
    request = HTTPXRequest(connection_pool_size=4, connect_timeout=10.0, read_timeout=20.0)
    base_url = telegram_base_url(runtime.settings.file.telegram.api_url)
    return Bot(token, base_url=base_url, request=request)


# -- carrying out the replies ------------------------------------------------------------


async def execute(bot: Bot, replies: list[Reply]) -> None:
    """Send the replies in order; one failing reply does not stop the others."""
    for reply in replies:
        try:
            await _execute_one(bot, reply)
        except BadRequest as exc:
            if "message is not modified" not in exc.message.lower():
                log.warning("Telegram refused %s: %s", type(reply).__name__, exc.message)
        except TelegramError as exc:
            log.warning("Telegram error on %s: %s", type(reply).__name__, exc.message)


async def _execute_one(bot: Bot, reply: Reply) -> None:
    if isinstance(reply, AnswerPress):
        await bot.answer_callback_query(reply.query_id, text=reply.text)
    elif isinstance(reply, Edit):
        await bot.edit_message_text(
            chat_id=int(reply.chat_id),
            message_id=int(reply.message_id),
            text=fit_telegram_html(reply.html),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(reply.buttons),
            link_preview_options=_NO_PREVIEW,
        )
    elif isinstance(reply, Say):
        await bot.send_message(
            chat_id=int(reply.chat_id),
            text=fit_telegram_html(reply.html),
            parse_mode=ParseMode.HTML,
            link_preview_options=_NO_PREVIEW,
        )


async def process(ctx: BotContext, bot: Bot, update: Mapping[str, Any]) -> None:
    """Handle one update (database work in a thread) and send the replies."""
    try:
        replies = await asyncio.to_thread(handle_update, ctx, update)
    except Exception:  # a bug must not kill the bot; the update is logged and skipped
        log.exception("failed to handle Telegram update %s", update.get("update_id"))
        return
    await execute(bot, replies)


# -- long polling ------------------------------------------------------------------------


def load_offset(ctx: BotContext) -> int:
    """The next update id to ask for (0 = whatever Telegram holds)."""
    with Session(ctx.runtime.engine) as session:
        return load_cursor(session, CURSOR)


def save_offset(ctx: BotContext, offset: int) -> None:
    with session_scope(ctx.runtime.engine) as session:
        save_cursor(session, CURSOR, offset, ctx.runtime.clock.now())


async def fetch_updates(ctx: BotContext, bot: Bot, *, timeout: int) -> list[dict[str, Any]]:
    """One getUpdates from the persisted offset, as raw JSON (safe to cancel).

    Raw on purpose: PTB parses a whole batch at once, so one update with an unexpected
    field (a ``reply_markup`` sent as a string) would fail the batch, every time.
    """
    offset = await asyncio.to_thread(load_offset, ctx)
    params: dict[str, Any] = {"timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
    if offset:
        params["offset"] = offset
    with warnings.catch_warnings():  # PTB suggests get_updates(), which parses the batch
        warnings.simplefilter("ignore")
        raw = await bot.do_api_request("get_updates", api_kwargs=params, read_timeout=timeout + 10)
    if not isinstance(raw, list):
        log.warning("getUpdates answered %.200r instead of a list; ignored", raw)
        return []
    return [update for update in raw if isinstance(update, dict)]


async def handle_and_commit(ctx: BotContext, bot: Bot, update: dict[str, Any]) -> None:
    """Handle one update, then persist the offset past it (even when handling failed)."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        log.warning("Telegram update without a usable update_id skipped: %.200r", update)
        return
    await process(ctx, bot, update)
    await asyncio.to_thread(save_offset, ctx, update_id + 1)


async def poll_once(ctx: BotContext, bot: Bot, *, timeout: int = POLL_TIMEOUT) -> int:
    """One getUpdates round: handle each update, persisting the offset after each."""
    updates = await fetch_updates(ctx, bot, timeout=timeout)
    for update in updates:
        await handle_and_commit(ctx, bot, update)
    return len(updates)


async def _settle(*tasks: asyncio.Future[Any]) -> None:
    """Cancel and await tasks, so none is left to fail unheard once the client is closed."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _pause(stop_event: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` or until stop; True when stopped."""
    try:
        await asyncio.wait_for(stop_event.wait(), seconds)
    except TimeoutError:
        return False
    return True


def _problem(error: BaseException) -> tuple[str, float | None]:
    """A log line for a failed poll, and the wait the Bot API asked for (429)."""
    if isinstance(error, RetryAfter):
        seconds = retry_seconds(error)
        return f"flood control, retry after {seconds:g} s", seconds
    if isinstance(error, TelegramError):
        return error.message, None
    return f"{type(error).__name__}: {error}", None


async def poll_forever(
    ctx: BotContext,
    bot: Bot,
    stop_event: asyncio.Event,
    *,
    timeout: int = POLL_TIMEOUT,
    error_pause: float = ERROR_PAUSE,
    max_pause: float = MAX_PAUSE,
) -> None:
    """Poll until ``stop_event`` is set; no error stops the loop (module docstring).

    A stop abandons a long poll in progress, but never an update being handled: the
    update in hand is finished and its offset saved; the rest stay with Telegram.
    """
    pause = error_pause
    while not stop_event.is_set():
        fetch = asyncio.ensure_future(fetch_updates(ctx, bot, timeout=timeout))
        stopper = asyncio.ensure_future(stop_event.wait())
        try:
            done, _ = await asyncio.wait({fetch, stopper}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # the service stops us: take the poll in flight along
            await _settle(fetch, stopper)
            raise
        stopper.cancel()
        if fetch not in done:
            await _settle(fetch)
            return
        error: BaseException | None = fetch.exception()
        if error is None:
            try:
                for update in fetch.result():
                    await handle_and_commit(ctx, bot, update)
                    if stop_event.is_set():
                        return
            except Exception as exc:  # the database went away while saving the offset
                error = exc
        if error is None:
            pause = error_pause
            continue
        problem, asked = _problem(error)
        wait = asked if asked is not None else pause
        log.warning("Telegram polling failed: %s; polling again in %g s", problem, wait)
        if asked is None:
            pause = min(pause * 2, max_pause)
        if await _pause(stop_event, wait):
            return


# -- webhook -----------------------------------------------------------------------------


def webhook_path(runtime: Runtime) -> str:
    """The path part of NOTIFIER_TELEGRAM_WEBHOOK_URL (where the web app listens)."""
    url = runtime.settings.file.telegram.webhook_url or ""
    return urlsplit(url).path or DEFAULT_WEBHOOK_PATH


def webhook_handler(ctx: BotContext, bot: Bot, secret: str) -> Handler:
    """An aiohttp handler that checks the secret header on every request."""
    if not secret:
        raise ConfigError(["webhook mode needs NOTIFIER_TELEGRAM_WEBHOOK_SECRET"])

    async def accepted(update: dict[str, Any]) -> web.Response:
        await process(ctx, bot, update)
        return web.Response(text="ok")

    return secret_checked(SECRET_HEADER, secret, accepted)


def add_webhook_route(app: web.Application, runtime: Runtime, bot: Bot) -> None:
    """Serve Telegram's webhook on ``app`` at the configured path (POST only)."""
    secret = runtime.settings.webhook_secret or ""
    app.router.add_post(webhook_path(runtime), webhook_handler(bot_context(runtime), bot, secret))


async def register_webhook(runtime: Runtime, bot: Bot) -> None:
    url = runtime.settings.file.telegram.webhook_url
    secret = runtime.settings.webhook_secret
    if not url or not secret:
        needs = "NOTIFIER_TELEGRAM_WEBHOOK_URL and NOTIFIER_TELEGRAM_WEBHOOK_SECRET"
        raise ConfigError([f"webhook mode needs {needs}"])
    await bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)


# -- the service task --------------------------------------------------------------------


async def start_bot(
    runtime: Runtime,
    bot: Bot,
    stop_event: asyncio.Event,
    *,
    error_pause: float = ERROR_PAUSE,
    max_pause: float = MAX_PAUSE,
) -> bool:
    """Initialise the bot and set up webhook or polling, retrying until it works.

    A 429, a timeout or an unreachable Bot API waits (``retry_after``, or backoff) and
    tries again; a rejected token raises. False when stopped before it worked.
    """
    pause = error_pause
    while not stop_event.is_set():
        try:
            await bot.initialize()
            if runtime.settings.file.telegram.webhook_url:
                await register_webhook(runtime, bot)
            else:
                await bot.delete_webhook(drop_pending_updates=False)
            return True
        except InvalidToken:
            raise
        except TelegramError as exc:
            problem, asked = _problem(exc)
        wait = asked if asked is not None else pause
        log.warning("Telegram Bot API not ready at start: %s; trying again in %g s", problem, wait)
        if asked is None:
            pause = min(pause * 2, max_pause)
        if await _pause(stop_event, wait):
            return False
    return False


async def run_bot(runtime: Runtime, stop_event: asyncio.Event, **pauses: float) -> None:
    """The bot task for the service's ``extra_tasks``.

    No token: nothing to do. Webhook URL set: register the webhook (the web app serves
    it, see :func:`add_webhook_route`) and wait for stop. Otherwise: drop any webhook
    and long-poll until ``stop_event`` is set. ``pauses``: ``error_pause``/``max_pause``.
    """
    if not runtime.settings.telegram_token:
        return
    bot = make_bot(runtime)
    try:
        if not await start_bot(runtime, bot, stop_event, **pauses):
            return
        if runtime.settings.file.telegram.webhook_url:
            await stop_event.wait()
            return
        await poll_forever(bot_context(runtime), bot, stop_event, **pauses)  # type: ignore[arg-type]
    finally:
        try:
            await bot.shutdown()
        except TelegramError as exc:
            log.warning("Telegram bot shutdown: %s", exc.message)


def install(service: Any) -> None:
    """A ``notifier.engine.service.STARTUP_HOOKS`` entry: the bot runs with `notifier run`.

    The service cancels its extra tasks on stop; a stop arriving while an update is
    handled may leave that one update to be seen again after a restart.
    """

    async def bot_task() -> None:
        try:
            await run_bot(service.runtime, asyncio.Event())
        except (ConfigError, TelegramError) as exc:  # sweep and dispatch go on without it
            log.error("Telegram bot stopped: %s", exc)

    service.extra_tasks.append(bot_task)
