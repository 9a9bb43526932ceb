"""The Telegram poller survives what the Bot API and the updates throw at it: an update
it cannot parse is logged and skipped, 429 / 5xx pause polling, and a Bot API that is not
ready at start-up delays the bot instead of ending it."""

# ruff: noqa: F811  (pytest fixtures imported from another module are parameters here)
from __future__ import annotations

import asyncio
import logging

import pytest

from notifier.interact.telegram_io import load_offset, poll_forever, poll_once, run_bot
from tests.interact.test_bot_world import (
    MINH_CHAT,
    BotWorld,
    bot_api,  # noqa: F401  (fixture)
    bot_world,  # noqa: F401  (fixture)
    say,
)

PAUSES = {"error_pause": 0.01, "max_pause": 0.05}


def _bad_press(world: BotWorld) -> int:
    """A button press whose message carries ``reply_markup`` as a JSON *string*."""
    return world.fake.push_update(
        {
            "callback_query": {
                "id": "cb-bad",
                "from": {"id": MINH_CHAT, "is_bot": False, "first_name": "Minh"},
                "chat_instance": "x",
                "data": "garbage",
                "message": {
                    "message_id": 1,
                    "date": 1711935000,
                    "chat": {"id": MINH_CHAT, "type": "private"},
                    "text": "Nhắc việc",
                    "reply_markup": '{"inline_keyboard": [[{"text": "Đã nhận"}]]}',
                },
            }
        }
    )


async def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for an effect of the code under test (bounded by pytest's timeout)."""
    while not condition():
        await asyncio.sleep(0.01)


async def test_an_unparseable_update_is_logged_skipped_and_polling_goes_on(
    bot_world: BotWorld, caplog: pytest.LogCaptureFixture
) -> None:
    bad = _bad_press(bot_world)
    with pytest.raises(Exception):  # noqa: B017  (PTB cannot parse it: the batch fails)
        await bot_world.bot.get_updates(timeout=0)
    good = say(bot_world.fake, MINH_CHAT, "/help")
    before = len(bot_world.fake.sent(MINH_CHAT))
    with caplog.at_level(logging.ERROR, logger="notifier.interact.telegram_io"):
        assert await poll_once(bot_world.ctx, bot_world.bot, timeout=0) == 2
    assert f"failed to handle Telegram update {bad}" in caplog.text
    assert load_offset(bot_world.ctx) == good + 1  # past both: the bad one is not re-read
    assert len(bot_world.fake.sent(MINH_CHAT)) == before + 1  # the next update was answered
    assert await poll_once(bot_world.ctx, bot_world.bot, timeout=0) == 0


async def test_429_and_5xx_from_get_updates_pause_polling_not_end_it(
    bot_world: BotWorld,
) -> None:
    fake = bot_world.fake
    fake.fail_next("getUpdates", status=502, times=2)
    fake.fail_next("getUpdates", status=429, retry_after=0)
    stop = asyncio.Event()
    task = asyncio.ensure_future(
        poll_forever(bot_world.ctx, bot_world.bot, stop, timeout=1, **PAUSES)
    )
    before = len(fake.sent(MINH_CHAT))
    say(fake, MINH_CHAT, "/help")
    await _until(lambda: len(fake.sent(MINH_CHAT)) > before, "the answer")
    stop.set()
    await task
    assert len(fake.calls("getUpdates")) >= 4  # three failures, then the one that worked


async def test_the_bot_task_survives_an_unready_bot_api_at_start(bot_world: BotWorld) -> None:
    fake = bot_world.fake
    fake.fail_next("getMe", status=502, times=2)
    fake.fail_next("getMe", status=429, retry_after=0)
    stop = asyncio.Event()
    task = asyncio.ensure_future(run_bot(bot_world.runtime, stop, **PAUSES))
    before = len(fake.sent(MINH_CHAT))
    say(fake, MINH_CHAT, "/help")
    await _until(lambda: len(fake.sent(MINH_CHAT)) > before, "the answer")
    stop.set()
    await task
    assert len(fake.calls("getMe")) >= 4 and fake.calls("deleteWebhook")
