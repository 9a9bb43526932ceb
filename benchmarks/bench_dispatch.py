"""Dispatch throughput through the real dispatch() path (not run by CI).

    .venv/bin/python -m benchmarks.bench_dispatch [COUNT] [email,telegram,zalo]

Queues COUNT (default 10,000) test messages for each channel named (default all three)
in a file SQLite database, then runs dispatch_all(): claim, render, record the attempt,
send, record the outcome, for every message. Email goes to an aiosmtpd server on
127.0.0.1 over one reused connection; Telegram through python-telegram-bot to the fake
Bot API; Zalo through ZaloBotChannel to the fake Zalo Bot API (the Zalo short form
rendered too); rate limits off. Prints messages per second and the process's peak memory (both
servers run in this process, so their cost is included).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlmodel import select

from benchmarks.bench_channels import CountingHandler, peak_mib
from notifier.channels.email import EmailChannel
from notifier.channels.telegram import TelegramChannel
from notifier.channels.zalo import ZaloBotChannel
from notifier.engine.channels import smtp_settings
from notifier.engine.dispatch import dispatch_all
from notifier.engine.ratelimit import RateLimiter
from notifier.store.db import session_scope
from notifier.store.models import Person
from tests.engine.test_dispatch import Env, make_env, queue_many
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.smtp import free_port
from tests.fakes.zalo_bot_api import FakeZaloBotApi

ROOT = Path(__file__).resolve().parent.parent


async def run(env: Env, channel: Any, name: str, count: int) -> None:
    channels = env.channels({}, **{name: channel})
    channels.limiter = RateLimiter(env.clock, {})  # rate limits off
    started = time.perf_counter()
    report = await dispatch_all(env.runtime, channels, "bench", batch=200)
    elapsed = time.perf_counter() - started
    await channels.aclose()
    assert report.sent == count, report
    print(
        f"{name:9} {count:>6} messages in {elapsed:6.1f} s = {count / elapsed:7.1f} msg/s; "
        f"peak memory so far {peak_mib():.0f} MiB"
    )


def link_zalo(env: Env, person_key: str, chat_id: str) -> None:
    with session_scope(env.engine) as session:
        person = session.exec(select(Person).where(Person.key == person_key)).one()
        person.zalo_chat_id = chat_id
        session.add(person)


async def main(count: int, which: set[str]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
    shutil.copytree(ROOT / "config", tmp / "config")
    port = free_port()
    env = make_env(
        tmp / "config",
        f"sqlite:///{tmp / 'bench.db'}",
        tmp,
        env={"NOTIFIER_SMTP_HOST": "127.0.0.1", "NOTIFIER_SMTP_PORT": str(port)},
    )
    if "email" in which:
        queue_many(env, "vp.pho-chanh", "email", count)
        handler = CountingHandler()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            smtp = smtp_settings(env.runtime.settings)
            assert smtp is not None
            await run(env, EmailChannel(smtp, clock=env.clock), "email", count)
            assert handler.count == count
        finally:
            controller.stop()
    if "telegram" in which:
        queue_many(env, "vp.chanh", "telegram", count)
        async with FakeBotApi() as fake:
            telegram = TelegramChannel("123456:BENCH", base_url=f"{fake.url}/bot")
            await run(env, telegram, "telegram", count)
            assert len(fake.calls("sendMessage")) == count
    if "zalo" in which:
        link_zalo(env, "vp.theo-doi", "zl-bench-0001")
        queue_many(env, "vp.theo-doi", "zalo", count)
        async with FakeZaloBotApi() as zalo_fake:
            zalo = ZaloBotChannel(zalo_fake.token, base_url=zalo_fake.url)
            await run(env, zalo, "zalo", count)
            assert len(zalo_fake.sent("zl-bench-0001")) == count
    shutil.rmtree(tmp)


if __name__ == "__main__":
    chosen = set(sys.argv[2].split(",")) if len(sys.argv) > 2 else {"email", "telegram", "zalo"}
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, chosen))
