"""The fake Bot API itself, driven through python-telegram-bot as the bot code will."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict

from tests.fakes.bot_api import FakeBotApi

CALLBACK = {
    "callback_query": {
        "id": "cb1",
        "from": {"id": 42, "is_bot": False, "first_name": "Lan"},
        "chat_instance": "ci",
        "data": "ack:n7",
    }
}


@pytest_asyncio.fixture
async def bot(bot_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot("42:fake", base_url=f"{bot_api.url}/bot") as client:
        yield client


async def test_get_me_identifies_the_fake_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "notifier_test_bot" and me.is_bot


async def test_updates_are_served_once_confirmed_by_offset(bot_api: FakeBotApi, bot: Bot) -> None:
    first = bot_api.push_update(CALLBACK)
    second = bot_api.push_update({"message": {"message_id": 1, "date": 0,
                                              "chat": {"id": 42, "type": "private"},
                                              "text": "/start"}})  # fmt: skip
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first, second]
    assert updates[0].callback_query is not None
    assert updates[0].callback_query.data == "ack:n7"
    again = await bot.get_updates(offset=second, timeout=0)
    assert [u.update_id for u in again] == [second]
    assert await bot.get_updates(offset=second + 1, timeout=0) == ()


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot_api: FakeBotApi, bot: Bot
) -> None:
    bot_api.max_poll_timeout = 30.0
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    async with asyncio.timeout(5):
        while not bot_api.calls("getUpdates"):  # the poll is waiting in the server
            await asyncio.sleep(0)
    bot_api.push_update(CALLBACK)
    updates = await asyncio.wait_for(poll, timeout=5)
    assert len(updates) == 1


async def test_empty_long_poll_is_capped(bot_api: FakeBotApi, bot: Bot) -> None:
    bot_api.max_poll_timeout = 0.05
    assert await asyncio.wait_for(bot.get_updates(timeout=30), timeout=5) == ()


async def test_webhook_lifecycle_and_conflict_with_polling(bot_api: FakeBotApi, bot: Bot) -> None:
    await bot.set_webhook("https://example.vn/tg", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.vn/tg"
    assert bot_api.webhook["secret_token"] == "s3cret"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    bot_api.push_update(CALLBACK)
    await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates(timeout=0) == ()


async def test_callback_answer_and_keyboard_edit_are_recorded(
    bot_api: FakeBotApi, bot: Bot
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Đã nhận", callback_data="ack:1")]])
    sent = await bot.send_message(chat_id=42, text="Nhắc hạn", reply_markup=markup)
    await bot.answer_callback_query("cb1", text="Đã ghi nhận")
    await bot.edit_message_reply_markup(chat_id=42, message_id=sent.message_id)
    assert bot_api.answered_callbacks == [{"callback_query_id": "cb1", "text": "Đã ghi nhận"}]
    assert bot_api.sent(42)[0].reply_markup is None
    assert [r.method for r in bot_api.requests] == [
        "getMe", "sendMessage", "answerCallbackQuery", "editMessageReplyMarkup"
    ]  # fmt: skip


async def test_invalid_html_is_refused_like_telegram(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(chat_id=42, text="<b>open", parse_mode="HTML")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(chat_id=42, text="x" * 4097)
