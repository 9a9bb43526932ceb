"""Two dispatchers sharing one PostgreSQL database never send a message twice."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path

from notifier.engine.dispatch import dispatch_all
from notifier.runtime import build_runtime
from notifier.store.db import make_engine
from tests.engine.test_dispatch import FakeChannel, make_env, queue_many

MESSAGES = 600


def test_two_dispatchers_on_postgres_send_each_message_exactly_once(
    config_dir: Path, pg_url: str, tmp_path: Path
) -> None:
    env = make_env(config_dir, pg_url, tmp_path)
    queue_many(env, "vp.pho-chanh", "email", MESSAGES)
    email = FakeChannel("email")  # shared: list.append is atomic
    reports = {}

    def worker(name: str) -> None:
        engine = make_engine(pg_url)
        runtime = build_runtime(env.runtime.settings, engine, env.clock)
        try:
            reports[name] = asyncio.run(
                dispatch_all(runtime, env.channels(email=email), name, batch=25)
            )
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    keys = Counter(m.key for m in email.sent)
    assert len(keys) == MESSAGES and max(keys.values()) == 1
    assert sum(r.sent for r in reports.values()) == MESSAGES
    assert all(r.sent > 0 for r in reports.values()), reports  # both really took part
    assert {row.status for row in env.rows()} == {"sent"}
    env.engine.dispose()
