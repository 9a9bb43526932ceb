"""TelegramChannel through python-telegram-bot against the fake Bot API server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from hypothesis import given, settings
from hypothesis import strategies as st

from notifier.channels.base import Button, ChannelError, OutgoingMessage
from notifier.channels.telegram import ELLIPSIS, TelegramChannel, fit_telegram_html
from tests.fakes.bot_api import FakeBotApi, check_telegram_html

TOKEN = "123456:TEST-token"
CHAT = "100200300"


@pytest_asyncio.fixture
async def channel(bot_api: FakeBotApi) -> AsyncIterator[TelegramChannel]:
    tg = TelegramChannel(TOKEN, base_url=f"{bot_api.url}/bot")
    yield tg
    await tg.aclose()


def message(**extra: object) -> OutgoingMessage:
    fields: dict[str, object] = {
        "key": "n7",
        "channel": "telegram",
        "address": CHAT,
        "subject": "Nhắc hạn",
        "text": "plain",
        "telegram_html": "<b>Nhắc hạn</b>: báo cáo thuế quý II &lt;khẩn&gt;\nHạn: 03/04/2024",
        "buttons": (
            Button("Đã nhận", callback_data="ack:n7"),
            Button("Mở", url="https://example.vn/t/7"),
        ),
    }
    fields.update(extra)
    return OutgoingMessage(**fields)  # type: ignore[arg-type]


async def test_send_uses_html_and_one_row_keyboard(
    bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    result = await channel.send(message())
    [request] = bot_api.calls("sendMessage")
    assert request.token == TOKEN
    assert request.params["chat_id"] == CHAT
    assert request.params["parse_mode"] == "HTML"
    assert request.params["text"] == message().telegram_html
    assert request.params["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "Đã nhận", "callback_data": "ack:n7"},
                {"text": "Mở", "url": "https://example.vn/t/7"},
            ]
        ]
    }
    [sent] = bot_api.sent(CHAT)
    assert result.provider_id == str(sent.message_id)


async def test_plain_message_is_escaped_under_a_bold_subject(
    bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    await channel.send(message(telegram_html=None, text="a < b & c", buttons=()))
    [request] = bot_api.calls("sendMessage")
    assert request.params["text"] == "<b>Nhắc hạn</b>\n\na &lt; b &amp; c"
    assert "reply_markup" not in request.params


@pytest.mark.parametrize(
    ("status", "description", "permanent"),
    [
        (403, "Forbidden: bot was blocked by the user", True),
        (403, "Forbidden: user is deactivated", True),
        (400, "Bad Request: chat not found", True),
        (500, "Internal Server Error", False),
        (502, "Bad Gateway", False),
    ],
)
async def test_api_errors_map_to_permanent_or_transient(
    bot_api: FakeBotApi,
    channel: TelegramChannel,
    status: int,
    description: str,
    permanent: bool,
) -> None:
    bot_api.fail_next("sendMessage", status=status, description=description)
    with pytest.raises(ChannelError) as caught:
        await channel.send(message())
    assert caught.value.permanent is permanent
    assert caught.value.retry_after is None
    assert description.split(": ")[-1].lower() in caught.value.reason.lower()
    assert TOKEN not in caught.value.reason
    await channel.send(message())  # the failure was for one call only
    assert len(bot_api.sent(CHAT)) == 1


async def test_flood_control_is_transient_with_retry_after(
    bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    bot_api.fail_next("sendMessage", status=429, retry_after=5)
    with pytest.raises(ChannelError) as caught:
        await channel.send(message())
    assert (caught.value.permanent, caught.value.retry_after) == (False, 5.0)


async def test_unreachable_server_is_transient() -> None:
    fake = FakeBotApi()
    await fake.start()
    url = fake.url
    await fake.stop()
    tg = TelegramChannel(TOKEN, base_url=f"{url}/bot")
    with pytest.raises(ChannelError) as caught:
        await tg.send(message())
    assert caught.value.permanent is False
    await tg.aclose()


async def test_address_that_is_not_a_chat_id_is_permanent(channel: TelegramChannel) -> None:
    with pytest.raises(ChannelError) as caught:
        await channel.send(message(address="vp@bato.gov.vn"))
    assert caught.value.permanent is True


async def test_long_message_is_cut_at_a_line_and_accepted_by_telegram(
    bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    lines = [f"<b>Nhiệm vụ {i}</b>: <i>báo cáo thuế quý II của xã</i>" for i in range(200)]
    source = "<blockquote>" + "\n".join(lines) + "</blockquote>"
    assert len(source) > 4096
    await channel.send(message(telegram_html=source))
    [sent] = bot_api.sent(CHAT)  # the fake validates HTML and the 4096 limit
    assert sent.text.endswith(f"</blockquote>\n{ELLIPSIS}")
    kept = sent.text.removesuffix(f"</blockquote>\n{ELLIPSIS}")
    assert source.startswith(kept) and kept.endswith("</i>")
    assert len(sent.text) <= 4096


async def test_edit_replaces_text_and_removes_keyboard(
    bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    result = await channel.send(message())
    assert result.provider_id is not None
    await channel.edit(CHAT, int(result.provider_id), "<b>Đã nhận</b> lúc 08:30 01/04/2024")
    [sent] = bot_api.sent(CHAT)
    assert sent.text == "<b>Đã nhận</b> lúc 08:30 01/04/2024"
    assert sent.reply_markup is None
    [edit] = bot_api.calls("editMessageText")
    assert edit.params["parse_mode"] == "HTML"
    await channel.edit(CHAT, int(result.provider_id), "<b>Đã nhận</b> lúc 08:30 01/04/2024")
    assert sent.edits == [message().telegram_html]  # repeated edit: accepted, no change


async def test_edit_of_unknown_message_raises(channel: TelegramChannel) -> None:
    with pytest.raises(ChannelError):
        await channel.edit(CHAT, 999, "x")


def test_callback_data_over_64_bytes_is_refused() -> None:
    Button("ok", callback_data="đ" * 32)  # 64 bytes
    with pytest.raises(ValueError, match="64"):
        Button("too long", callback_data="đ" * 33)


_TAGS = st.sampled_from(["b", "i", "u", "code", "blockquote"])
_WORDS = st.sampled_from(["thuế", "quý", "&lt;", "&amp;", "báo cáo", "😀", "Ba Tơ", "a" * 80])


_LINE = st.tuples(st.lists(_WORDS, min_size=1, max_size=12), st.one_of(st.none(), _TAGS))


@st.composite
def telegram_html(draw: st.DrawFn) -> str:
    """Random valid Telegram HTML: nested tags over lines of words."""
    pieces = [
        f"<{tag}>{' '.join(words)}</{tag}>" if tag else " ".join(words)
        for words, tag in draw(st.lists(_LINE, min_size=1, max_size=120))
    ]
    text = "\n".join(pieces)
    outer = draw(st.one_of(st.none(), _TAGS))
    return f"<{outer}>{text}</{outer}>" if outer else text


@settings(max_examples=100, deadline=None)
@given(source=telegram_html(), limit=st.sampled_from([40, 200, 1000, 4096]))
def test_fitting_keeps_html_valid_within_the_limit(source: str, limit: int) -> None:
    fitted = fit_telegram_html(source, limit)
    assert len(fitted.encode("utf-16-le")) // 2 <= limit
    assert check_telegram_html(fitted)[0] is None
    if fitted != source:
        assert fitted.endswith(ELLIPSIS)
        kept = re.sub(r"(</\w+>)*\n…$", "", fitted)
        assert source.startswith(kept)


async def test_rejected_token_is_an_admin_problem_without_leaking_it(bot_api: FakeBotApi) -> None:
    bot_api.fail_next("getMe", status=401, description="Unauthorized")
    tg = TelegramChannel(TOKEN, base_url=f"{bot_api.url}/bot")
    with pytest.raises(ChannelError) as caught:
        await tg.send(message())
    assert caught.value.permanent is False
    assert "administrator" in caught.value.reason and TOKEN not in caught.value.reason
    await tg.send(message())  # the next attempt initialises and sends
    assert len(bot_api.sent(CHAT)) == 1
    await tg.aclose()


async def test_injected_bot_is_used_and_left_open(bot_api: FakeBotApi) -> None:
    from telegram import Bot

    bot = Bot(TOKEN, base_url=f"{bot_api.url}/bot")
    tg = TelegramChannel(TOKEN, bot=bot)
    await tg.send(message())
    await tg.aclose()
    assert (await bot.get_me()).is_bot  # still usable by its owner
    await bot.shutdown()
    assert len(bot_api.sent(CHAT)) == 1
