"""Lanes: a hanging channel delays only itself; retry_after holds back the whole chat;
a send raising something other than ChannelError stays with that message."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from notifier.channels.base import ChannelError, OutgoingMessage, SendResult
from notifier.engine.dispatch import Dispatcher, dispatch
from notifier.engine.lanes import LaneSpec
from tests.engine.test_dispatch import T0, Env, FakeChannel, queue
from tests.engine.test_dispatch import env as env  # noqa: F401,F811  (the fixture)


class _Hanging:
    """A channel whose sends never finish until the test lets them go."""

    name = "email"

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = 0

    async def send(self, message: OutgoingMessage) -> SendResult:
        self.started += 1
        await self.release.wait()
        raise ChannelError("connection closed", permanent=False)

    async def aclose(self) -> None:
        return None


async def test_a_hanging_email_server_does_not_hold_back_telegram(env: Env) -> None:
    for i in range(3):
        queue(env, "vp.pho-chanh", "email", occurrence=f"e{i}")
    chats = [queue(env, "vp.chanh", "telegram", occurrence=f"t{i}") for i in range(5)]
    email, telegram = _Hanging(), FakeChannel("telegram")
    channels = env.channels(email=email, telegram=telegram)
    task = asyncio.ensure_future(dispatch(env.runtime, channels, "w1"))
    for _ in range(2000):  # every Telegram message leaves while the first email hangs
        if len(telegram.sent) == len(chats) and email.started:
            break
        await asyncio.sleep(0.01)
    # Which lane starts first is up to the event loop (CI once had Telegram done before the
    # email lane began): what matters is that Telegram finished and email is still stuck.
    assert len(telegram.sent) == len(chats)
    assert email.started == 1 and not task.done()
    email.release.set()
    report = await task
    assert report.sent == len(chats)
    assert {env.row(i).status for i in chats} == {"sent"}


async def test_a_send_cut_off_by_the_lane_timeout_is_retried_later(env: Env) -> None:
    row_id = queue(env, "vp.pho-chanh", "email")
    email = _Hanging()
    dispatcher = Dispatcher(
        env.runtime, env.channels(email=email), "w1", lanes={"email": LaneSpec(timeout=0.05)}
    )
    report = await dispatcher.dispatch()
    row = env.row(row_id)
    assert report.retried == 1 and row.status == "pending"
    assert "did not answer within 0.05 s" in row.last_error


async def test_retry_after_holds_back_the_whole_chat_not_only_the_refused_message(
    env: Env,
) -> None:
    refused: list[str] = []

    def flood(message: OutgoingMessage) -> ChannelError | None:
        if message.address == str(env.person("vp.chanh").telegram_chat_id) and not refused:
            refused.append(message.key)
            return ChannelError("flood", permanent=False, retry_after=30)
        return None

    telegram = FakeChannel("telegram", fail=flood)
    same = [queue(env, "vp.chanh", "telegram", occurrence=f"o{i}") for i in range(3)]
    dispatcher = Dispatcher(
        env.runtime,
        env.channels(telegram=telegram),
        "w1",
        lanes={"telegram": LaneSpec(concurrency=1)},
    )
    report = await dispatcher.dispatch()
    assert (report.retried, report.claimed, report.sent) == (1, 1, 0)  # the others wait
    assert env.row(same[0]).next_attempt_at == T0 + timedelta(seconds=30)
    env.clock.advance(timedelta(seconds=29))
    assert (await dispatcher.dispatch()).claimed == 0  # the chat is held, for any worker
    env.clock.advance(timedelta(seconds=1))
    assert (await dispatcher.dispatch()).sent == 3


async def test_an_unexpected_error_in_one_send_does_not_stop_the_others(env: Env) -> None:
    ids = [queue(env, "vp.pho-chanh", "email", occurrence=f"o{i}") for i in range(4)]

    class _Broken(FakeChannel):
        async def send(self, message: OutgoingMessage) -> SendResult:
            if message.key == f"n{ids[1]}":
                raise UnicodeEncodeError("ascii", "Văn phòng", 1, 2, "not ascii")
            return await super().send(message)

    email = _Broken("email")
    report = await dispatch(env.runtime, env.channels(email=email), "w1")
    assert (report.sent, report.retried) == (3, 1)
    broken = env.row(ids[1])
    assert broken.status == "pending" and broken.next_attempt_at == T0 + timedelta(minutes=1)
    assert broken.last_error.startswith("unexpected error: UnicodeEncodeError")
