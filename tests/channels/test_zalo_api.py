"""ZaloBotApi against the fake: the documented methods, long polling, webhook mode."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web

from notifier.channels.zalo_api import ZaloApiError, ZaloBotApi, parse_update
from tests.fakes.zalo_bot_api import SECRET_HEADER, FakeZaloBotApi, text_update

CHAT = "6ede9afa66b88fe6d6a9"


@pytest_asyncio.fixture
async def api(zalo_api: FakeZaloBotApi) -> AsyncIterator[ZaloBotApi]:
    client = ZaloBotApi(zalo_api.token, base_url=zalo_api.url)
    yield client
    await client.aclose()


async def _until_called(fake: FakeZaloBotApi, method: str) -> None:
    for _ in range(10_000):
        if fake.calls(method):
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{method} was never called")


async def test_get_me_checks_the_token(zalo_api: FakeZaloBotApi, api: ZaloBotApi) -> None:
    me = await api.get_me()
    assert me["id"] == zalo_api.token.partition(":")[0]
    assert set(me) == {"id", "account_name", "account_type", "can_join_groups"}
    wrong = ZaloBotApi("1:wrong-secret-xyz", base_url=zalo_api.url)
    with pytest.raises(ZaloApiError) as caught:
        await wrong.get_me()
    await wrong.aclose()
    assert caught.value.error_code == 401
    assert "wrong-secret" not in str(caught.value)


async def test_long_polling_waits_for_the_next_update(
    zalo_api: FakeZaloBotApi, api: ZaloBotApi
) -> None:
    polling = asyncio.create_task(api.get_updates(timeout=30))
    await _until_called(zalo_api, "getUpdates")
    assert not polling.done()
    zalo_api.push_update(text_update(CHAT, "Xong", name="Nguyễn Văn A"))
    update = await polling
    assert update is not None
    assert (update.event_name, update.chat_id, update.text) == (
        "message.text.received",
        CHAT,
        "Xong",
    )
    assert update.sender_name == "Nguyễn Văn A"
    assert zalo_api.calls("getUpdates")[0].params == {"timeout": 30}


async def test_a_quiet_poll_is_none_and_an_update_is_handed_out_once(
    zalo_api: FakeZaloBotApi, api: ZaloBotApi
) -> None:
    zalo_api.max_poll_timeout = 0.05
    assert await api.get_updates(timeout=1) is None  # Zalo: error_code 408, HTTP 200
    zalo_api.push_update(text_update(CHAT, "đã nhận"))
    first = await api.get_updates(timeout=1)
    assert first is not None and first.text == "đã nhận"
    assert await api.get_updates(timeout=1) is None


async def test_webhook_mode_excludes_polling_until_deleted(
    zalo_api: FakeZaloBotApi, api: ZaloBotApi
) -> None:
    set_result = await api.set_webhook("https://tb.example.vn/zalo", "bi-mat-12345")
    assert set_result["url"] == "https://tb.example.vn/zalo"
    assert (await api.get_webhook_info())["url"] == "https://tb.example.vn/zalo"
    with pytest.raises(ZaloApiError) as caught:
        await api.get_updates(timeout=1)
    assert caught.value.error_code == 409
    assert (await api.delete_webhook())["url"] == ""
    assert (await api.get_webhook_info())["url"] == ""
    zalo_api.max_poll_timeout = 0.05
    assert await api.get_updates(timeout=1) is None


@pytest.mark.parametrize(
    ("url", "secret", "problem"),
    [
        ("https://tb.example.vn/zalo", "ngan", "8 to 256"),
        ("https://tb.example.vn/zalo", "x" * 257, "8 to 256"),
        ("http://tb.example.vn/zalo", "bi-mat-12345", "HTTPS"),
    ],
)
async def test_set_webhook_refuses_what_zalo_refuses(
    api: ZaloBotApi, url: str, secret: str, problem: str
) -> None:
    with pytest.raises(ZaloApiError, match=problem) as caught:
        await api.set_webhook(url, secret)
    assert caught.value.error_code == 400


async def test_the_fake_delivers_webhooks_with_the_secret_header(
    zalo_api: FakeZaloBotApi, api: ZaloBotApi
) -> None:
    received: list[tuple[str | None, dict]] = []

    async def receiver(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/zalo", receiver)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    await api.set_webhook("https://tb.example.vn/zalo", "bi-mat-12345")
    zalo_api.webhook.url = f"http://127.0.0.1:{port}/zalo"  # the receiver runs locally
    await zalo_api.deliver_webhook(text_update(CHAT, "vướng thiếu số liệu"))
    await zalo_api.deliver_webhook(text_update(CHAT, "giả mạo"), secret="")
    await runner.cleanup()
    assert [header for header, _ in received] == ["bi-mat-12345", None]
    update = parse_update(received[0][1])
    assert update is not None and update.text == "vướng thiếu số liệu"


async def test_send_chat_action_and_photo(zalo_api: FakeZaloBotApi, api: ZaloBotApi) -> None:
    await api.send_chat_action(CHAT)
    assert zalo_api.chat_actions == [{"chat_id": CHAT, "action": "typing"}]
    sent = await api.send_photo(CHAT, "https://tb.example.vn/qr.png", "Mã liên kết")
    assert sent["message_id"]
    with pytest.raises(ZaloApiError, match="http:// or https://"):
        await api.send_photo(CHAT, "data:image/png;base64,AAAA")


async def test_send_message_limits(zalo_api: FakeZaloBotApi, api: ZaloBotApi) -> None:
    await api.send_message(CHAT, "x" * 2000)
    for text in ("", "x" * 2001):
        with pytest.raises(ZaloApiError) as caught:
            await api.send_message(CHAT, text)
        assert caught.value.error_code == 400
    assert [len(m.text) for m in zalo_api.sent(CHAT)] == [2000]


def test_parse_update_accepts_both_webhook_shapes_and_ignores_the_rest() -> None:
    bare = text_update(CHAT, "xong")
    assert parse_update(bare) == parse_update({"ok": True, "result": bare})
    assert parse_update({"event_name": "message.unsupported.received"}) is None
    assert parse_update({"message": {"chat": {"id": CHAT}}}) is None
    assert parse_update(None) is None
