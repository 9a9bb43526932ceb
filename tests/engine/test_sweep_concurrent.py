"""Two sweeps at once on PostgreSQL (FOR UPDATE SKIP LOCKED) and SQLite (BEGIN IMMEDIATE)."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine

from notifier.engine.sweep import SweepReport, sweep
from notifier.runtime import Runtime
from notifier.store.db import make_engine
from tests.engine.test_sweep_world import make_world, vn


def test_two_concurrent_sweeps_create_each_message_once(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-05-10", "09:00"))
    world.import_plan()
    engines = [make_engine(db_url) for _ in range(2)]
    runtimes = [
        Runtime(
            world.runtime.settings,
            e,
            world.clock,
            world.runtime.calendar,
            world.runtime.policy,
            world.runtime.renderer,
        )  # fmt: skip
        for e in engines
    ]
    reports: list[SweepReport] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(runtime: Runtime) -> None:
        try:
            barrier.wait()
            reports.append(sweep(runtime, vn("2024-05-10", "09:00"), limit=1))
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in runtimes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    assert errors == []
    rows = world.rows()
    keys = Counter((r.occurrence, r.step, r.person_id) for r in rows)
    assert rows and max(keys.values()) == 1
    # every row was created by exactly one of the two (skipped rows count as created)
    assert sum(r.created + r.digests for r in reports) == len(rows)
    assert sweep(world.runtime, vn("2024-05-10", "09:30")).created == 0
