"""The monitor's digest against the plain way of doing its work, same run, as the table grows.

Usage: python benchmarks/bench_digest.py [--pg URL] [--rows N ...] [--open N] [--runs R]

``bench_sweep``'s plan (1,000 tasks, the plan row carrying a real 1,000-task document) with
one monitor agency; N deadline rows of which ``--open`` are open (overdue or due soon, what
the digest lists) and the rest done in earlier years. Each run clears the outbox; the
digest runs on the next working day each time (it runs once a day), alternating with:

- (the project) ``run_digests`` at 08:00, one digest row per monitor person;
- (plain) one transaction reading the open rows of the plan with their task, counting the
  rows by status with one GROUP BY, and inserting one outbox row per monitor person.

The digest's cost should follow the open items it lists (``--open``), not N.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_sweep import COLUMNS, TASKS, _pg_fresh, _setup  # noqa: E402

from notifier.clock import VN_TZ, VirtualClock  # noqa: E402
from notifier.engine.digest import run_digests  # noqa: E402
from notifier.runtime import build_runtime  # noqa: E402
from notifier.settings import load_settings  # noqa: E402
from notifier.store.db import make_engine, upgrade  # noqa: E402

NOW = datetime(2024, 3, 5, 8, 0, tzinfo=VN_TZ)  # a Tuesday, after digest_at
# one working day per run: the digest runs once a day (its marker is an append-only event)
DAYS = [NOW + timedelta(days=d) for d in (0, 1, 2, 3, 6, 7, 8, 9, 10, 13, 14, 15)]


def _rows(total: int, open_rows: int) -> list[tuple[object, ...]]:
    rows = []
    for i in range(total):
        task, seq = i % TASKS + 1, i // TASKS
        if i < open_rows:  # half overdue, half due within the week
            nominal = date(2024, 2, 20) if i % 2 else date(2024, 3, 7)
            rows.append((task, "deadline", seq, "", nominal, nominal, "open", "", "", None, None))
        else:
            nominal = date(2020 + i % 4, 6, 1)
            done = datetime(nominal.year, 5, 30, 3, 0, tzinfo=UTC).replace(tzinfo=None)
            rows.append((task, "deadline", seq, "", nominal, nominal, "done", "", "", None, done))
    return rows


def _fill(engine: Engine, total: int, open_rows: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO plan_role (plan_id, role, written, agency_id) "
                 "VALUES (1, 'monitor', 'Cơ quan A', 1)")
        )  # fmt: skip
    rows = _rows(total, open_rows)
    cols = f"{COLUMNS}, completed_at"
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            cur.execute("BEGIN")
            cur.executemany(f"INSERT INTO deadline ({cols}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        else:
            rows = [r[:-1] + (r[-1].replace(tzinfo=UTC) if r[-1] else None,) for r in rows]
            with cur.copy(f"COPY deadline ({cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _reset(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM notification"))


def plain(engine: Engine, now: datetime) -> int:
    with engine.begin() as conn:
        items = conn.execute(
            text("SELECT d.id, d.effective_date, t.ref, t.title FROM deadline d "
                 "JOIN task t ON t.id = d.task_id WHERE t.plan_id = 1 AND d.status = 'open' "
                 "ORDER BY d.effective_date")
        ).all()  # fmt: skip
        counts = conn.execute(
            text("SELECT d.status, d.completed_at IS NULL, count(*) FROM deadline d "
                 "JOIN task t ON t.id = d.task_id WHERE t.plan_id = 1 GROUP BY 1, 2")
        ).all()  # fmt: skip
        people = conn.execute(text("SELECT id FROM person WHERE agency_id = 1")).all()
        conn.execute(
            text("INSERT INTO notification (occurrence, step, person_id, channel, kind, level,"
                 " role, copy_only, late, due_at, status, attempts, address, subject,"
                 " body_text, body_html, last_error, context, created_at) VALUES"
                 " ('digest:x', 'digest', :p, 'email', 'digest', 0, 'monitor', false, false,"
                 " :now, 'pending', 0, '', '', '', '', '', :ctx, :now)"),
            [{"p": p.id, "now": now, "ctx": f'{{"n": {len(items)}, "c": {len(counts)}}}'}
             for p in people],
        )  # fmt: skip
    return len(items)


def bench(url: str, total: int, open_rows: int, runs: int) -> tuple[float, float]:
    engine = make_engine(url)
    upgrade(engine)
    _setup(engine)
    _fill(engine, total, open_rows)
    runtime = build_runtime(load_settings(ROOT / "config", url, env={}), engine, VirtualClock(NOW))
    _reset(engine)
    run_digests(runtime, DAYS[0])  # the calendar's tables are built once per process
    ours, base = [], []
    for day in DAYS[1 : runs + 1]:
        _reset(engine)
        began = time.perf_counter()
        created = run_digests(runtime, day)
        ours.append(time.perf_counter() - began)
        assert created == 2, created  # a.head and a.focal
        _reset(engine)
        began = time.perf_counter()
        assert plain(engine, day) == open_rows
        base.append(time.perf_counter() - began)
    engine.dispose()
    return statistics.median(ours), statistics.median(base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("NOTIFIER_TEST_POSTGRES_URL"))
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--open", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"digest, {args.open:,} open items listed; {args.runs} runs, alternating; medians")
    print(f"{'database':<22}{'rows':>10}{'digest ms':>11}{'plain ms':>10}{'ratio':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        targets = [(f"sqlite {n:,}", f"sqlite:///{tmp}/d{n}.db", n) for n in args.rows]
        if args.pg:
            targets += [(f"postgresql {n:,}", _pg_fresh(args.pg, f"bench_digest_{n}"), n)
                        for n in args.rows]  # fmt: skip
        for label, url, total in targets:
            ours, base = bench(url, total, args.open, args.runs)
            print(
                f"{label:<22}{total:>10,}{ours * 1000:>11.0f}{base * 1000:>10.0f}"
                f"{ours / base:>7.1f}"
            )


if __name__ == "__main__":
    main()
