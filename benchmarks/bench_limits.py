"""Telegram with rate limits on: 1 and 4 dispatchers of one bot against the platform's ceiling.

Usage: python -m benchmarks.bench_limits [--messages N] [--chats C ...] [--workers W ...]
       [--pg URL] [--runs R]

The fake Bot API (tests/fakes/bot_api.py) enforces Telegram's limits the strict way: at
most 30 messages in any sliding one-second window per bot and 1 per chat, a 429 with
retry_after for each send over. Each worker is a thread with its own event loop, engine,
Telegram channel and rate limiter (as separate ``notifier run`` processes would have) and
ticks like the service: ``dispatch_all`` (which waits for slots reopening within one
interval), then 0.1 s, until the outbox is sent. The real clock. Prints, per case, the
median of the runs: messages per second, the ceiling (min(30, chats) per second), the
ratio, 429s, the busiest second, duplicates and how many workers sent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier.channels.telegram import TelegramChannel  # noqa: E402
from notifier.clock import SystemClock  # noqa: E402
from notifier.engine.channels import ChannelSet, rate_limits  # noqa: E402
from notifier.engine.dispatch import Dispatcher  # noqa: E402
from notifier.engine.ratelimit import RateLimiter  # noqa: E402
from notifier.runtime import build_runtime  # noqa: E402
from notifier.store.db import make_engine, session_scope  # noqa: E402
from notifier.store.models import Notification, Person  # noqa: E402
from notifier.store.outbox import insert_rows, new_row  # noqa: E402
from notifier.vocab import DeliveryStatus  # noqa: E402
from tests.engine.test_dispatch import T0, Env, make_env  # noqa: E402
from tests.fakes.bot_api import FakeBotApi  # noqa: E402


@dataclass
class Result:
    seconds: float
    refused: int
    busiest: int
    twice: int
    senders: int


def fill(env: Env, messages: int, chats: int) -> None:
    with session_scope(env.engine) as session:
        person = session.exec(select(Person).where(Person.key == "vp.chanh")).one()
        rows = [
            new_row(occurrence=f"o{i}", step="test", person=person, channel="telegram",
                    kind="test", due_at=T0, now=T0, address=str(9_000_000 + i % chats))
            for i in range(messages)
        ]  # fmt: skip
        insert_rows(session, rows)


def pending(env: Env) -> int:
    with Session(env.engine) as session:
        query = select(func.count()).where(Notification.status != DeliveryStatus.SENT)
        return int(session.exec(query).one())


def worker(env: Env, url: str, fake_url: str, name: str, sent: Counter[str]) -> None:
    engine = make_engine(url)
    clock = SystemClock()
    runtime = build_runtime(env.runtime.settings, engine, clock)
    telegram = TelegramChannel("123456:BENCH", base_url=f"{fake_url}/bot")
    channels = ChannelSet(
        channels={"console": env.channels().channels["console"], "telegram": telegram},
        limiter=RateLimiter(clock, rate_limits(env.runtime.settings)),
    )
    dispatcher = Dispatcher(runtime, channels, name)

    async def go() -> None:
        try:
            while pending(env):
                sent[name] += (await dispatcher.dispatch_all()).sent
                await asyncio.sleep(0.1)  # the dispatch interval, shortened
        finally:
            await channels.aclose()

    try:
        asyncio.run(go())
    finally:
        engine.dispose()


async def one_run(url: str, tmp: Path, messages: int, chats: int, workers: int) -> Result:
    env = make_env(tmp / "config", url, tmp)
    fill(env, messages, chats)
    async with FakeBotApi() as fake:
        fake.limits = (30, 1)
        sent: Counter[str] = Counter()
        threads = [
            threading.Thread(target=worker, args=(env, url, fake.url, f"w{n}", sent))
            for n in range(workers)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        await asyncio.to_thread(lambda: [thread.join() for thread in threads])
        seconds = time.perf_counter() - started
        stamps = [at for at, _ in fake.accepted]
        busiest = max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps)
        keys = Counter(call.params.get("text", "") for call in fake.calls("sendMessage"))
        result = Result(
            seconds=seconds,
            refused=fake.refused,
            busiest=busiest,
            twice=len(fake.accepted) - messages,
            senders=sum(1 for n in sent.values() if n),
        )
        assert len(fake.accepted) >= messages and keys, "everything sent"
    env.engine.dispose()
    return result


def database(pg: str | None, tmp: Path) -> tuple[str, object]:
    """A fresh database: a schema of ``pg`` (dropped afterwards) or a SQLite file."""
    if not pg:
        return f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}", None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in pg else "?"
    return f"{pg}{sep}options=-csearch_path%3D{schema}", (admin, schema)


def drop(handle: object) -> None:
    if handle is None:
        return
    admin, schema = handle  # type: ignore[misc]
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--chats", type=int, nargs="+", default=[600, 5])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--pg", default=os.environ.get("NOTIFIER_TEST_POSTGRES_URL"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    shutil.copytree(ROOT / "config", tmp / "config")
    store = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"{store}; {args.messages} Telegram messages per run; limits 30/s per bot, 1/s per "
        f"chat (the fake refuses anything over, sliding window); {args.runs} runs, medians"
    )
    for chats in args.chats:
        for workers in args.workers:
            results = []
            for _ in range(args.runs):
                url, handle = database(args.pg, tmp)
                try:
                    results.append(asyncio.run(one_run(url, tmp, args.messages, chats, workers)))
                finally:
                    drop(handle)
            seconds = statistics.median(r.seconds for r in results)
            rate, ceiling = args.messages / seconds, min(30.0, float(chats))
            refused = max(r.refused for r in results)
            busiest = max(r.busiest for r in results)
            twice = max(r.twice for r in results)
            senders = sorted({r.senders for r in results})
            print(
                f"{chats:>4} chats, {workers} worker(s): {rate:5.1f} msg/s (ceiling "
                f"{ceiling:.0f}, ratio {rate / ceiling:.2f}); 429s {refused}; busiest second "
                f"{busiest}; sent twice {twice}; workers that sent {senders}"
            )
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
