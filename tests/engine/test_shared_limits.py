"""Four dispatchers of one bot, each with its own engine and limiter as separate processes
would have, side by side on one database and one virtual clock: together they never pass
Telegram's 30 messages per second nor one message per second to a chat, and a chat's next
message goes out when its slot reopens (the ``wake_at`` the service sleeps until)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from notifier.engine.channels import ChannelSet
from notifier.engine.dispatch import Dispatcher, DispatchReport
from notifier.engine.ratelimit import RateLimiter, chat_keys, spacing, telegram_limits
from notifier.runtime import build_runtime
from notifier.store.db import make_engine
from notifier.store.models import RateSlot
from tests.engine.test_dispatch import Env, FakeChannel, queue
from tests.engine.test_dispatch import env as env  # noqa: F401,F811  (the fixture)

CHATS, PER_CHAT, WORKERS = 60, 4, 4


class _Stamped(FakeChannel):
    """Records the instant (virtual) and chat of every message it accepts."""

    def __init__(self, env: Env) -> None:
        super().__init__("telegram")
        self.env = env
        self.stamps: list[tuple[datetime, str]] = []

    async def send(self, message):  # type: ignore[no-untyped-def]
        result = await super().send(message)
        self.stamps.append((self.env.clock.now(), message.address))
        return result


def _busiest(stamps: list[datetime], window: timedelta) -> int:
    return max(sum(1 for t in stamps if start <= t < start + window) for start in stamps)


async def test_four_workers_together_keep_the_bots_and_each_chats_limit(
    env: Env, tmp_path: Path
) -> None:
    for i in range(CHATS * PER_CHAT):
        queue(env, "vp.chanh", "telegram", occurrence=f"o{i}", address=str(7000 + i % CHATS))
    telegram = _Stamped(env)
    url = env.engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(WORKERS)]
    workers = [
        Dispatcher(
            build_runtime(env.runtime.settings, engine, env.clock),
            ChannelSet(
                channels={"console": env.channels().channels["console"], "telegram": telegram},
                limiter=RateLimiter(env.clock, telegram_limits()),  # one per worker
            ),
            f"w{n}",
        )
        for n, engine in enumerate(engines)
    ]
    sent_by: Counter[str] = Counter()
    try:
        for _ in range(2000):  # ticks: all four at once, then the clock to the next wake
            # in turn: side by side, four workers jumping one stopped clock would lose slots
            # to each other's jumps (the race for one slot is test_ratelimit's, in threads)
            reports: list[DispatchReport] = [await w.dispatch(batch=5) for w in workers]
            for worker, report in zip(workers, reports, strict=True):
                sent_by[worker.worker_id] += report.sent
            if len(telegram.stamps) == CHATS * PER_CHAT:
                break
            if any(r.claimed for r in reports):
                continue  # their batches ran out: tick again at once
            wakes = [r.wake_at for r in reports if r.wake_at is not None]
            env.clock.set(min(wakes) if wakes else env.clock.now() + timedelta(seconds=1))
    finally:
        for engine in engines:
            engine.dispose()

    stamps = [at for at, _ in telegram.stamps]
    assert len(stamps) == CHATS * PER_CHAT  # everything went, nothing twice
    assert len({m.key for m in telegram.sent}) == CHATS * PER_CHAT
    assert _busiest(stamps, timedelta(seconds=1)) <= 30
    for chat in {chat for _, chat in telegram.stamps}:
        mine = [at for at, to in telegram.stamps if to == chat]
        assert _busiest(mine, timedelta(seconds=1)) == 1
    assert len([n for n in sent_by.values() if n]) >= 2, sent_by  # they really shared it
    # virtual time: 240 messages one bot slot apart take 8.8 s at best; waiting for a
    # 5-second tick per round of chats, as before, would take at least 15 s
    elapsed = (max(stamps) - min(stamps)).total_seconds()
    assert elapsed < CHATS * PER_CHAT * spacing(30, 1.0) * 1.1, elapsed


async def test_each_sweep_tick_drops_the_slots_idle_for_a_day(env: Env) -> None:
    from notifier.engine.service import Service
    from notifier.store.db import session_scope

    limiter = RateLimiter(env.clock, telegram_limits())
    with session_scope(env.engine) as session:
        limiter.take(session, chat_keys("telegram", "7001"))
    env.clock.advance(timedelta(days=1, minutes=1))
    service = Service(env.runtime, ChannelSet(channels=env.channels().channels, limiter=limiter))
    await service.sweep_tick()
    with Session(env.engine) as session:
        assert session.exec(select(RateSlot)).all() == []
