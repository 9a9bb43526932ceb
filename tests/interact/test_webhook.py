"""Webhook mode (secret token on every request) and the long-polling service task."""

# ruff: noqa: F811  (pytest fixtures imported from another module are parameters here)
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import Session, select

from notifier.errors import ConfigError
from notifier.interact.telegram_io import (
    SECRET_HEADER,
    add_webhook_route,
    load_offset,
    poll_forever,
    poll_once,
    run_bot,
    webhook_handler,
)
from notifier.runtime import Runtime, build_runtime
from notifier.settings import load_settings
from notifier.signing import callback_data
from notifier.store.models import BotCursor
from tests.interact.test_bot_world import (
    MINH_CHAT,
    STRANGER_CHAT,
    TOKEN,
    BotWorld,
    bot_api,  # noqa: F401  (fixture)
    bot_world,  # noqa: F401  (fixture)
    message_json,
    press,
    say,
)

SECRET = "s3cret-webhook-token_1"
HOOK_URL = "https://notifier.example.vn/tg/hook-7f3a"


def runtime_with(world: BotWorld, **env: str) -> Runtime:
    base = {
        "NOTIFIER_TELEGRAM_TOKEN": TOKEN,
        "NOTIFIER_TELEGRAM_API_URL": world.fake.url,
        "NOTIFIER_SECRET_KEY": "bot-test-signing-key",
    }
    settings = load_settings(world.config_dir, world.db_url, env={**base, **env})
    return build_runtime(settings, world.engine, world.clock)


@pytest_asyncio.fixture
async def client(bot_world: BotWorld) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = runtime_with(
        bot_world,
        NOTIFIER_TELEGRAM_WEBHOOK_URL=HOOK_URL,
        NOTIFIER_TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    app = web.Application()
    add_webhook_route(app, runtime, bot_world.bot)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def help_update(chat: int = STRANGER_CHAT) -> dict[str, Any]:
    return {
        "update_id": 501,
        "message": {
            "message_id": 1,
            "date": 1711935000,
            "chat": {"id": chat, "type": "private"},
            "text": "/help",
        },
    }


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({SECRET_HEADER: "wrong"}, 403), ({SECRET_HEADER: SECRET[:-1]}, 403)],
)
async def test_webhook_refuses_a_request_without_the_right_secret(
    bot_world: BotWorld,
    client: TestClient[Any, Any],
    headers: dict[str, str],
    status: int,
) -> None:
    response = await client.post("/tg/hook-7f3a", json=help_update(), headers=headers)
    assert response.status == status
    assert bot_world.fake.sent(STRANGER_CHAT) == [], "the update was not handled"


async def test_webhook_with_the_secret_handles_the_update(
    bot_world: BotWorld, client: TestClient[Any, Any]
) -> None:
    response = await client.post(
        "/tg/hook-7f3a", json=help_update(), headers={SECRET_HEADER: SECRET}
    )
    assert response.status == 200
    assert "/viec" in bot_world.fake.sent(STRANGER_CHAT)[-1].text


async def test_a_button_press_by_webhook_is_recorded_and_answered(
    bot_world: BotWorld, client: TestClient[Any, Any]
) -> None:
    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    update = {
        "update_id": 777,
        "callback_query": {
            "id": "hook-cb-1",
            "from": {"id": MINH_CHAT, "is_bot": False, "first_name": "Minh"},
            "chat_instance": "1",
            "message": message_json(message, MINH_CHAT),
            "data": callback_data(bot_world.ctx.key, row.id, "received"),
        },
    }
    response = await client.post("/tg/hook-7f3a", json=update, headers={SECRET_HEADER: SECRET})
    assert response.status == 200
    [ack] = bot_world.acks()
    assert (ack.action, ack.via) == ("received", "telegram")
    assert bot_world.fake.answered_callbacks[0]["callback_query_id"] == "hook-cb-1"
    assert "Đã ghi nhận: Đã nhận" in message.text


async def test_webhook_only_accepts_post_json(
    bot_world: BotWorld, client: TestClient[Any, Any]
) -> None:
    assert (await client.get("/tg/hook-7f3a", headers={SECRET_HEADER: SECRET})).status == 405
    bad = await client.post("/tg/hook-7f3a", data=b"not json", headers={SECRET_HEADER: SECRET})
    assert bad.status == 400


async def test_a_webhook_without_a_secret_cannot_be_built(bot_world: BotWorld) -> None:
    with pytest.raises(ConfigError):
        webhook_handler(bot_world.ctx, bot_world.bot, "")


async def test_run_bot_in_webhook_mode_sets_the_webhook_with_the_secret(
    bot_world: BotWorld,
) -> None:
    runtime = runtime_with(
        bot_world,
        NOTIFIER_TELEGRAM_WEBHOOK_URL=HOOK_URL,
        NOTIFIER_TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    stop = asyncio.Event()
    original = bot_world.fake._api_setwebhook

    async def set_and_stop(params: dict[str, Any]) -> Any:
        stop.set()  # run_bot then returns: webhook mode only registers and waits
        return await original(params)

    bot_world.fake._api_setwebhook = set_and_stop  # type: ignore[method-assign]
    await asyncio.wait_for(run_bot(runtime, stop), 10)
    [call] = bot_world.fake.calls("setWebhook")
    assert call.params["url"] == HOOK_URL and call.params["secret_token"] == SECRET
    assert bot_world.fake.calls("getUpdates") == []


async def test_run_bot_refuses_webhook_mode_without_a_secret(bot_world: BotWorld) -> None:
    runtime = runtime_with(bot_world, NOTIFIER_TELEGRAM_WEBHOOK_URL=HOOK_URL)
    with pytest.raises(ConfigError):
        await run_bot(runtime, asyncio.Event())


async def test_run_bot_without_a_token_does_nothing(bot_world: BotWorld) -> None:
    settings = load_settings(bot_world.config_dir, bot_world.db_url, env={})
    await asyncio.wait_for(
        run_bot(build_runtime(settings, bot_world.engine, bot_world.clock), asyncio.Event()), 5
    )
    assert bot_world.fake.calls("getUpdates") == []


# -- long polling -------------------------------------------------------------------------


def stop_after_reply(world: BotWorld, chat: int, stop: asyncio.Event) -> None:
    """Set ``stop`` once the fake has sent something to ``chat`` (test instrumentation)."""
    original = world.fake._api_sendmessage

    async def wrapped(params: dict[str, Any]) -> Any:
        result = await original(params)
        if str(params.get("chat_id")) == str(chat):
            stop.set()
        return result

    world.fake._api_sendmessage = wrapped  # type: ignore[method-assign]


async def test_cancelling_the_bot_mid_poll_leaves_no_failing_task_behind(
    bot_world: BotWorld,
) -> None:
    """A SIGTERM cancels the bot task while getUpdates waits; nothing may fail unheard."""
    import gc

    loop = asyncio.get_running_loop()
    unheard: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: unheard.append(context))
    bot_world.fake.max_poll_timeout = 30.0
    task = asyncio.ensure_future(run_bot(runtime_with(bot_world), asyncio.Event()))
    await asyncio.wait_for(bot_world.fake.long_polling.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(5):
        await asyncio.sleep(0)
    gc.collect()
    await asyncio.sleep(0)
    loop.set_exception_handler(None)
    assert unheard == []


async def test_run_bot_long_polls_until_stopped(bot_world: BotWorld) -> None:
    bot_world.fake.webhook = {"url": "https://old.example/hook"}
    say(bot_world.fake, STRANGER_CHAT, "/help")
    stop = asyncio.Event()
    stop_after_reply(bot_world, STRANGER_CHAT, stop)
    await asyncio.wait_for(run_bot(runtime_with(bot_world), stop), 20)
    assert bot_world.fake.calls("deleteWebhook"), "a webhook left behind is removed first"
    assert "/viec" in bot_world.fake.sent(STRANGER_CHAT)[-1].text
    assert load_offset(bot_world.ctx) == 2


async def test_a_restart_does_not_replay_handled_updates(
    bot_world: BotWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notifier.interact import telegram_io

    saved: list[int] = []
    real_save = telegram_io.save_offset

    def spy(ctx: Any, offset: int) -> None:
        real_save(ctx, offset)
        saved.append(offset)

    monkeypatch.setattr(telegram_io, "save_offset", spy)
    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    press(bot_world.fake, MINH_CHAT, message, callback_data(bot_world.ctx.key, row.id, "received"))
    say(bot_world.fake, MINH_CHAT, "/help")
    assert await poll_once(bot_world.ctx, bot_world.bot, timeout=0) == 2
    # A new process: a fresh context reads the offset from the database.
    restarted = runtime_with(bot_world)
    from notifier.interact.telegram_io import bot_context

    assert await poll_once(bot_context(restarted), bot_world.bot, timeout=0) == 0
    assert len(bot_world.fake.answered_callbacks) == 1 and len(bot_world.acks()) == 1
    with Session(bot_world.engine) as session:
        cursors = session.exec(select(BotCursor)).all()
    assert [(c.bot, c.next_update) for c in cursors] == [("telegram", 3)]
    assert saved == [2, 3], "the cursor is saved after each update, not after the batch"


async def test_polling_survives_a_failed_get_updates(bot_world: BotWorld) -> None:
    bot_world.fake.fail_next("getUpdates", status=502, description="Bad Gateway")
    say(bot_world.fake, STRANGER_CHAT, "/help")
    stop = asyncio.Event()
    stop_after_reply(bot_world, STRANGER_CHAT, stop)
    await asyncio.wait_for(
        poll_forever(bot_world.ctx, bot_world.bot, stop, timeout=1, error_pause=0), 20
    )
    assert len(bot_world.fake.calls("getUpdates")) >= 2
    assert "/viec" in bot_world.fake.sent(STRANGER_CHAT)[-1].text


async def test_a_handler_crash_skips_the_update_and_keeps_polling(bot_world: BotWorld) -> None:
    """An update the bot cannot understand is logged and passed over, not retried forever."""
    bot_world.fake.push_update({"message": {"message_id": 1, "date": 1, "text": "/help"}})
    say(bot_world.fake, STRANGER_CHAT, "/help")
    assert await poll_once(bot_world.ctx, bot_world.bot, timeout=0) == 2
    assert "/viec" in bot_world.fake.sent(STRANGER_CHAT)[-1].text
    assert await poll_once(bot_world.ctx, bot_world.bot, timeout=0) == 0


async def test_install_plugs_the_bot_into_the_service_extra_tasks(bot_world: BotWorld) -> None:
    from types import SimpleNamespace

    from notifier.interact.telegram_io import install

    runtime = runtime_with(
        bot_world, NOTIFIER_TELEGRAM_WEBHOOK_URL=HOOK_URL, NOTIFIER_TELEGRAM_WEBHOOK_SECRET=SECRET
    )
    service = SimpleNamespace(runtime=runtime, extra_tasks=[])
    install(service)
    [bot_task] = service.extra_tasks
    registered = asyncio.Event()
    original = bot_world.fake._api_setwebhook

    async def record(params: dict[str, Any]) -> Any:
        registered.set()
        return await original(params)

    bot_world.fake._api_setwebhook = record  # type: ignore[method-assign]
    task = asyncio.ensure_future(bot_task())
    await asyncio.wait_for(registered.wait(), 10)
    task.cancel()  # what the service does on stop
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled()
    assert bot_world.fake.calls("setWebhook")[0].params["secret_token"] == SECRET
