"""Telegram and Zalo misbehaving, through the real channels against the fake Bot APIs:
429 with retry_after holds back the whole chat; 403 marks the chat dead and alerts; a
run of 5xx opens the server's breaker with one alert; a hanging call is cut off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio

from notifier.channels.telegram import TelegramChannel, telegram_base_url
from notifier.channels.zalo import ZaloBotChannel
from notifier.engine.dispatch import Dispatcher
from notifier.engine.lanes import LaneSpec
from tests.engine.test_dispatch import T0, Env, queue
from tests.engine.test_dispatch import env as env  # noqa: F401,F811  (the fixture)
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.zalo_bot_api import FakeZaloBotApi

pytestmark = pytest.mark.faults


@dataclass
class Platform:
    """One chat platform under test: its channel, its fake, and how to script failures."""

    name: str
    channel: Any
    fake: Any
    chat_a: str
    chat_b: str

    def fail(self, status: int, *, retry_after: int | None = None, times: int = 1) -> None:
        if self.name == "telegram":
            self.fake.fail_next("sendMessage", status=status, retry_after=retry_after, times=times)
        else:
            self.fake.fail_next("sendMessage", status, retry_after=retry_after, times=times)

    def sent(self, chat: str) -> int:
        return len(self.fake.sent(chat))

    def queue(self, env: Env, chat: str, occurrence: str) -> int:
        if self.name == "telegram":  # vp.chanh's own chat, or an explicit one
            return queue(env, "vp.chanh", "telegram", occurrence=occurrence, address=chat)
        return queue(env, "vp.chanh", "zalo", occurrence=occurrence, address=chat)


@pytest_asyncio.fixture(params=["telegram", "zalo"])
async def platform(request: pytest.FixtureRequest) -> AsyncIterator[Platform]:
    if request.param == "telegram":
        async with FakeBotApi() as fake:
            channel = TelegramChannel("123:abc", base_url=telegram_base_url(fake.url))
            yield Platform("telegram", channel, fake, "710000001", "710000002")
            await channel.aclose()
    else:
        async with FakeZaloBotApi() as zfake:
            zchannel = ZaloBotChannel(zfake.token, base_url=zfake.url)
            yield Platform("zalo", zchannel, zfake, "zalo-chat-a", "zalo-chat-b")
            await zchannel.aclose()


def _dispatcher(env: Env, p: Platform, **lane: Any) -> Dispatcher:
    lanes = {p.name: LaneSpec(**lane)} if lane else None
    return Dispatcher(env.runtime, env.channels(**{p.name: p.channel}), "w1", lanes=lanes)


async def test_429_retry_after_holds_back_the_whole_chat(env: Env, platform: Platform) -> None:
    p = platform
    same = [p.queue(env, p.chat_a, f"a{i}") for i in range(3)]
    other = p.queue(env, p.chat_b, "b")
    p.fail(429, retry_after=30)
    dispatcher = _dispatcher(env, p)
    report = await dispatcher.dispatch_all()
    assert (report.retried, report.claimed, report.sent) == (1, 2, 1)  # chat a's others wait
    assert env.row(other).status == "sent" and p.sent(p.chat_b) == 1  # another chat goes on
    assert env.row(same[0]).next_attempt_at == T0 + timedelta(seconds=30)
    assert report.wake_at is None  # 30 s is beyond one dispatch interval: the tick's job
    assert p.sent(p.chat_a) == 0
    env.clock.advance(timedelta(seconds=29))
    assert (await dispatcher.dispatch_all()).claimed == 0  # held, for every worker
    env.clock.advance(timedelta(seconds=1))
    await dispatcher.dispatch_all()
    assert {env.row(i).status for i in same} == {"sent"} and p.sent(p.chat_a) == 3


async def test_403_marks_the_chat_dead_and_tells_the_admins(env: Env, platform: Platform) -> None:
    p = platform
    row_id = p.queue(env, p.chat_a, "a")
    p.fail(403)
    report = await _dispatcher(env, p).dispatch_all()
    assert env.row(row_id).status == "failed" and report.retried == 0
    (alert,) = [a for a in env.rows(kind="admin_alert") if a.occurrence == f"alert:{row_id}"]
    assert "không dùng được" in alert.context["note"]


async def test_a_run_of_5xx_opens_the_breaker_with_one_alert(env: Env, platform: Platform) -> None:
    p = platform
    ids = [p.queue(env, p.chat_a if i % 2 else p.chat_b, f"m{i}") for i in range(12)]
    p.fail(502, times=100)
    dispatcher = _dispatcher(env, p)
    report = await dispatcher.dispatch_all()
    tried = [(r.id, r.attempts, r.last_error[:80]) for r in env.rows(channel=p.name) if r.attempts]
    # then it stops knocking (the console lane, side by side, may already send the alert)
    assert report.retried == 5 and len(tried) == 5, (report, tried)
    assert report.claimed - report.sent == 5, report
    outages = [a for a in env.rows(kind="admin_alert") if a.occurrence.startswith("outage:")]
    assert len(outages) == 1 and outages[0].channel == "console"
    p.fake._failures.clear()  # the server is back
    env.clock.advance(timedelta(minutes=2))
    again = await dispatcher.dispatch_all()
    left = [(r.id, r.status, r.last_error[:80]) for r in map(env.row, ids) if r.status != "sent"]
    assert left == [], (again, left)


async def test_a_hanging_zalo_call_is_cut_off_by_the_lane_timeout(env: Env) -> None:
    async with FakeZaloBotApi() as fake:
        channel = ZaloBotChannel(fake.token, base_url=fake.url)
        p = Platform("zalo", channel, fake, "zalo-chat-a", "zalo-chat-b")
        row_id = p.queue(env, p.chat_a, "a")
        other = p.queue(env, p.chat_b, "b")
        fake.hang_next("sendMessage")  # the first call never answers
        report = await _dispatcher(env, p, timeout=0.3).dispatch_all()
        fake.release_hung()
        await channel.aclose()
    assert (report.retried, report.sent) == (1, 1)
    assert env.row(other).status == "sent"
    row = env.row(row_id)
    assert row.status == "pending" and "did not answer within 0.3 s" in row.last_error
