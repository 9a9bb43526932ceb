"""A mail server that refuses connections for ten minutes, then comes back; one that
accepts connections and never answers. Real SMTP (aiosmtpd, a silent TCP server), the
real Telegram channel against the fake Bot API, virtual time for the outage."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from notifier.channels.email import EmailChannel, SmtpSettings
from notifier.channels.telegram import TelegramChannel, telegram_base_url
from notifier.engine.dispatch import Dispatcher
from notifier.store.models import DeliveryAttempt
from notifier.vocab import AttemptOutcome
from tests.engine.test_dispatch import T0, Env, queue
from tests.engine.test_dispatch import env as env  # noqa: F401,F811  (the fixture)
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api import bot_api as bot_api  # noqa: F401,F811  (the fixture)
from tests.fakes.smtp import free_port, smtp_server

pytestmark = pytest.mark.faults

SENDER = "Văn phòng UBND huyện Ba Tơ <vanphong@batu.example>"
TICK = timedelta(seconds=30)  # a dispatch interval of virtual time


def _failed_attempts(env: Env) -> int:
    with Session(env.engine) as session:
        attempts = session.exec(select(DeliveryAttempt)).all()
    return sum(a.outcome == AttemptOutcome.TRANSIENT for a in attempts)


async def test_smtp_refusing_connections_for_ten_minutes_then_back_delivers_everything(
    env: Env,
) -> None:
    port = free_port()  # nothing listens there yet: connection refused
    ids = [queue(env, "vp.pho-chanh", "email", occurrence=f"o{i}") for i in range(20)]
    email = EmailChannel(SmtpSettings(host="127.0.0.1", port=port, sender=SENDER, timeout=5))
    channels = env.channels(email=email)
    dispatcher = Dispatcher(env.runtime, channels, "w1")
    while env.clock.now() < T0 + timedelta(minutes=10):
        await dispatcher.dispatch_all()
        env.clock.advance(TICK)
    down = _failed_attempts(env)
    # 5 failures open the breaker; then one probe after 1, 2, 4 minutes (at 1, 3, 7 min)
    assert down == 5 + 3, down
    assert all(env.row(i).status == "pending" for i in ids)
    alerts = env.rows(kind="admin_alert")
    assert len(alerts) == 1 and alerts[0].channel == "console"  # told once, by another way
    assert alerts[0].status == "sent" and "Connect call failed" in alerts[0].context["note"]

    with smtp_server(port=port) as (handler, _):
        back = env.clock.now()
        while any(env.row(i).status != "sent" for i in ids):
            await dispatcher.dispatch_all()
            env.clock.advance(TICK)
            assert env.clock.now() - back <= timedelta(minutes=10)  # the longest cooldown
        await channels.aclose()
    assert len({r.parsed()["Message-ID"] for r in handler.received}) == len(ids)
    assert len(handler.received) == len(ids)  # each once
    assert _failed_attempts(env) == down  # the probe that found it back succeeded
    assert len(env.rows(kind="admin_alert")) == 1  # still one alert for the whole outage


async def test_a_hanging_smtp_server_delays_only_email(env: Env, bot_api: FakeBotApi) -> None:
    release = asyncio.Event()
    connections: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)  # accepts, never says a word, until released
        await release.wait()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    emails = [queue(env, "vp.pho-chanh", "email", occurrence=f"e{i}") for i in range(3)]
    chats = [queue(env, "vp.chanh", "telegram", occurrence=f"t{i}") for i in range(8)]
    email = EmailChannel(SmtpSettings(host="127.0.0.1", port=port, sender=SENDER, timeout=30))
    telegram = TelegramChannel("123:abc", base_url=telegram_base_url(bot_api.url))
    channels = env.channels(email=email, telegram=telegram)
    dispatcher = Dispatcher(env.runtime, channels, "w1")
    loop = asyncio.get_running_loop()
    started = loop.time()
    run = asyncio.ensure_future(dispatcher.dispatch_all())
    chat_id = str(env.person("vp.chanh").telegram_chat_id)
    # every Telegram message leaves... (and the email lane has reached the server: its
    # first message may still be in preparation when Telegram is done)
    while len(bot_api.sent(chat_id)) < len(chats) or not connections:
        assert not run.done()
        await asyncio.sleep(0.01)
    latency = loop.time() - started
    assert len(connections) == 1 and not release.is_set()  # ...while the first email hangs
    assert all(env.row(i).status == "pending" or env.row(i).status == "claimed" for i in emails)
    release.set()  # the server drops the connection: email fails, retried later
    report = await run
    await channels.aclose()
    server.close()
    await server.wait_closed()
    assert report.sent == len(chats) and {env.row(i).status for i in chats} == {"sent"}
    assert {env.row(i).status for i in emails} == {"pending"}
    print(f"\nTelegram: {len(chats)} messages out in {latency:.2f} s while SMTP hung")
