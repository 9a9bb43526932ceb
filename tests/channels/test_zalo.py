"""ZaloBotChannel against the fake Zalo Bot API: what the fake received, each error class."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import given, settings
from hypothesis import strategies as st

from notifier.channels.base import ChannelError, OutgoingMessage
from notifier.channels.zalo import (
    ELLIPSIS,
    ZALO_TEXT_LIMIT,
    ZaloBotChannel,
    build_zalo_channel,
    fit_zalo_text,
)
from notifier.channels.zalo_api import ZaloBotApi
from notifier.settings import load_settings
from tests.fakes.zalo_bot_api import FakeZaloBotApi

CHAT = "e4ea2cd5189df1c3a88c"
LINKS = (
    "Đã nhận: https://tb.example.vn/a/n7.nhan.c2lnbmVk\n"
    "Xong: https://tb.example.vn/a/n7.xong.c2lnbmVk\n"
    "Vướng: https://tb.example.vn/a/n7.vuong.c2lnbmVk"
)
SHORT = f"[Nhắc hạn] Báo cáo thuế quý II\nHạn: 02/5/2024\n\n{LINKS}"


@pytest_asyncio.fixture
async def channel(zalo_api: FakeZaloBotApi) -> AsyncIterator[ZaloBotChannel]:
    zalo = ZaloBotChannel(zalo_api.token, base_url=zalo_api.url)
    yield zalo
    await zalo.aclose()


def message(**extra: object) -> OutgoingMessage:
    fields: dict[str, object] = {
        "key": "n7",
        "channel": "zalo",
        "address": CHAT,
        "subject": "[Nhắc hạn] Báo cáo thuế quý II",
        "text": "Kính gửi đồng chí Trưởng phòng,\nhạn chót 02/5/2024.",
        "short_text": SHORT,
        "kind": "reminder",
    }
    fields.update(extra)
    return OutgoingMessage(**fields)  # type: ignore[arg-type]


async def test_send_posts_the_short_text_to_the_chat(
    zalo_api: FakeZaloBotApi, channel: ZaloBotChannel
) -> None:
    result = await channel.send(message())
    [request] = zalo_api.calls("sendMessage")
    assert request.token == zalo_api.token
    assert request.params == {"chat_id": CHAT, "text": SHORT}
    [sent] = zalo_api.sent(CHAT)
    assert sent.text == SHORT
    assert result.provider_id == sent.message_id


async def test_without_a_short_form_the_subject_heads_the_text(
    zalo_api: FakeZaloBotApi, channel: ZaloBotChannel
) -> None:
    await channel.send(message(short_text=None))
    [sent] = zalo_api.sent(CHAT)
    assert sent.text == (
        "[Nhắc hạn] Báo cáo thuế quý II\n\nKính gửi đồng chí Trưởng phòng,\nhạn chót 02/5/2024."
    )


@pytest.mark.parametrize(
    ("error_code", "description", "retry_after", "permanent"),
    [
        (429, "Too Many Requests", 7, False),
        (429, "Too Many Requests", None, False),
        (400, "Chat not found", None, True),
        (403, "Forbidden: the bot cannot send to this user", None, True),
        (500, "Internal Server Error", None, False),
        (503, "Service Unavailable", None, False),
        (400, "The text must be from 1 to 2000 characters", None, False),
    ],
)
async def test_errors_are_classified(
    zalo_api: FakeZaloBotApi,
    channel: ZaloBotChannel,
    error_code: int,
    description: str,
    retry_after: int | None,
    permanent: bool,
) -> None:
    zalo_api.fail_next("sendMessage", error_code, description, retry_after=retry_after)
    with pytest.raises(ChannelError) as caught:
        await channel.send(message())
    assert caught.value.permanent is permanent
    assert caught.value.retry_after == retry_after
    assert description in caught.value.reason
    assert zalo_api.sent(CHAT) == []


async def test_a_chat_the_bot_cannot_reach_is_permanent(
    zalo_api: FakeZaloBotApi, channel: ZaloBotChannel
) -> None:
    zalo_api.known_chats = {"someone-else"}
    with pytest.raises(ChannelError, match="cannot reach this chat") as caught:
        await channel.send(message())
    assert caught.value.permanent


async def test_a_wrong_token_is_transient_and_never_shown(zalo_api: FakeZaloBotApi) -> None:
    wrong = "1234567890:not-the-right-secret-at-all"
    zalo = ZaloBotChannel(wrong, base_url=zalo_api.url)
    with pytest.raises(ChannelError, match="administrator must fix") as caught:
        await zalo.send(message())
    await zalo.aclose()
    assert not caught.value.permanent
    assert "not-the-right-secret" not in caught.value.reason
    assert zalo_api.calls("sendMessage")[0].token == wrong


async def test_a_gateway_page_echoing_the_path_never_leaks_the_token(
    zalo_api: FakeZaloBotApi, channel: ZaloBotChannel, caplog: pytest.LogCaptureFixture
) -> None:
    zalo_api.gateway_error_next("sendMessage", 502)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ChannelError, match="502") as caught:
        await channel.send(message())
    assert not caught.value.permanent
    secret = zalo_api.token.partition(":")[2]
    assert secret not in caught.value.reason and "/bot<token>" in caught.value.reason
    await channel.send(message(key="n8"))  # httpx logs every request URL at INFO
    assert "HTTP Request" in caplog.text
    assert secret not in caplog.text


async def test_a_hanging_reply_times_out_as_transient(zalo_api: FakeZaloBotApi) -> None:
    zalo_api.hang_next("sendMessage")
    zalo = ZaloBotChannel(
        zalo_api.token, api=ZaloBotApi(zalo_api.token, base_url=zalo_api.url, timeout=0.2)
    )
    with pytest.raises(ChannelError, match="unreachable") as caught:
        await zalo.send(message())
    assert not caught.value.permanent
    zalo_api.release_hung()
    await zalo.api.aclose()


async def test_a_malformed_chat_id_is_refused_without_a_call(
    zalo_api: FakeZaloBotApi, channel: ZaloBotChannel
) -> None:
    with pytest.raises(ChannelError, match="not a Zalo chat id") as caught:
        await channel.send(message(address="không phải id"))
    assert caught.value.permanent
    assert zalo_api.requests == []


async def test_an_over_long_text_is_fitted_keeping_the_answer_links(
    zalo_api: FakeZaloBotApi, channel: ZaloBotChannel
) -> None:
    body = "\n".join(f"{i}. Nội dung nhiệm vụ số {i} của kế hoạch" for i in range(200))
    await channel.send(message(short_text=f"{body}\n\n{LINKS}"))
    [sent] = zalo_api.sent(CHAT)
    assert len(sent.text) <= ZALO_TEXT_LIMIT
    assert sent.text.endswith(f"\n{ELLIPSIS}\n\n{LINKS}")
    head = sent.text.split(f"\n{ELLIPSIS}")[0]
    assert body.startswith(head) and body[len(head)] == "\n"  # cut at a line break


async def test_exactly_two_thousand_characters_go_out_unchanged(
    zalo_api: FakeZaloBotApi, channel: ZaloBotChannel
) -> None:
    text = ("ạ" * 99 + " ") * 20
    assert len(text) == ZALO_TEXT_LIMIT
    await channel.send(message(short_text=text))
    assert zalo_api.sent(CHAT)[0].text == text


# -- fit_zalo_text ---------------------------------------------------------------

_WORD = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặờởỡớợ0123456789", min_size=1, max_size=30
)
_URL = _WORD.map(lambda w: f"https://tb.example.vn/a/{w}")
_TOKENS = st.lists(st.one_of(_WORD, _WORD, _URL), min_size=1, max_size=300)
_SEPARATORS = st.lists(st.sampled_from([" ", " ", "\n", "\n\n"]), min_size=300, max_size=300)


@settings(max_examples=100, deadline=None)
@given(tokens=_TOKENS, seps=_SEPARATORS, limit=st.integers(min_value=40, max_value=2000))
def test_fitting_never_exceeds_the_limit_nor_cuts_a_word_or_link(
    tokens: list[str], seps: list[str], limit: int
) -> None:
    text = "".join(token + sep for token, sep in zip(tokens, seps, strict=False)).strip()
    fitted = fit_zalo_text(text, limit)
    assert len(fitted.encode("utf-16-le")) // 2 <= limit
    if fitted in (text, ELLIPSIS):  # unchanged, or not even one word fits
        return
    words = set(re.split(r"\s+", text))
    assert set(re.split(r"\s+", fitted)) - {ELLIPSIS} <= words  # whole words and links only
    assert f"\n{ELLIPSIS}" in fitted
    assert text.startswith(fitted.split(f"\n{ELLIPSIS}")[0])


def test_a_text_that_fits_is_untouched() -> None:
    assert fit_zalo_text("Kính gửi\n\nhttps://a.vn/x", 30) == "Kính gửi\n\nhttps://a.vn/x"


def test_astral_characters_count_double() -> None:
    text = "😀" * 6  # 12 UTF-16 units
    assert fit_zalo_text(text, 12) == text
    assert len(fit_zalo_text("😀 " * 6, 10).encode("utf-16-le")) // 2 <= 10


def test_a_single_word_longer_than_the_limit_becomes_an_ellipsis() -> None:
    assert fit_zalo_text("x" * 50, 20) == ELLIPSIS


async def test_built_from_settings_only_with_a_token(
    zalo_api: FakeZaloBotApi, tmp_path: Path
) -> None:
    assert build_zalo_channel(load_settings(tmp_path, env={})) is None
    env = {"NOTIFIER_ZALO_BOT_TOKEN": zalo_api.token, "NOTIFIER_ZALO_API_URL": zalo_api.url}
    channel = build_zalo_channel(load_settings(tmp_path, env=env))
    assert channel is not None
    await channel.send(message())
    await channel.aclose()
    assert [m.text for m in zalo_api.sent(CHAT)] == [SHORT]
