"""The sweep against the plain way of doing its work, same run, 1,000 due rows among N.

Usage: python benchmarks/bench_sweep.py [--pg URL] [--big N] [--small N] [--due N] [--runs N]
(PostgreSQL also from NOTIFIER_TEST_POSTGRES_URL). One plan of 1,000 tasks whose plan row
carries the parsed document of a real 1,000-task plan (``bench_import``'s, ~0.8 MB of
JSON: what a real sweep reads if it reads it). Deadline rows are bulk-inserted
(executemany on SQLite, COPY on PostgreSQL): ~70 % done (next_action_at NULL), the rest
open but due later, plus the due ones whose reminder step is due now. Each run resets the
due rows and clears the outbox, then times, alternating:

- ``sweep``: 1,000 claimed rows, ~2,000 outbox rows inserted;
- plain: one transaction with the indexed select of the due rows (FOR UPDATE SKIP LOCKED
  on PostgreSQL), an executemany INSERT of the same number of outbox rows and an
  executemany UPDATE of the rows' next_action_at.
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

from notifier.clock import VN_TZ, VirtualClock  # noqa: E402
from notifier.engine.sweep import sweep  # noqa: E402
from notifier.heap import settle_after_startup  # noqa: E402
from notifier.runtime import build_runtime  # noqa: E402
from notifier.settings import load_settings  # noqa: E402
from notifier.store.db import make_engine, upgrade  # noqa: E402
from notifier.store.models import Deadline, Notification  # noqa: E402

NOW = datetime(2024, 3, 5, 7, 0, tzinfo=VN_TZ)  # before 07:30: no digest in the timing
DUE_NOMINAL = date(2024, 3, 8)  # reminder-5 at 01/3 08:00 is due, nothing else
LATER = NOW + timedelta(days=60)
TASKS = 1000


def _document() -> str:
    """The parsed document of a 1,000-task plan, as the plan row stores it."""
    import json

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_import import big_plan

    return json.dumps(big_plan(TASKS * 10, 10).to_json(), ensure_ascii=False)


def _setup(engine: Engine) -> None:
    """One agency, two addressable people, one plan, TASKS tasks leading by that agency."""
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agency (code, name, aliases, locality, active) "
                          "VALUES ('a', 'Cơ quan A', '[]', '', true)"))  # fmt: skip
        for key, role in (("a.head", "head"), ("a.focal", "focal_point")):
            conn.execute(
                text("INSERT INTO person (key, agency_id, name, position, role, email, channels,"
                     " active, source) VALUES"
                     " (:k, 1, :k, '', :r, :e, '[\"email\"]', true, 'config')"),
                {"k": key, "r": role, "e": f"{key}@example.vn"},
            )  # fmt: skip
        conn.execute(
            text("INSERT INTO plan (key, issuer, number, place, plan_date, title, source_name,"
                 " content_hash, status, policy, parsed, imported_at, updated_at) VALUES"
                 " ('p', '', '1/KH', '', '', 'Bench', '', 'h', 'open', '{}', :doc, :t, :t)"),
            {"t": t0, "doc": _document()},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO task (plan_id, ref, title, output, timeframe_text, timeframe_kind,"
                 " line, active, policy) VALUES (1, :r, :r, '', '', 'deadline', 0, true, '{}')"),
            [{"r": f"T{i}"} for i in range(TASKS)],
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO task_role (task_id, role, written, agency_id) "
                 "VALUES (:t, 'lead', 'Cơ quan A', 1)"),
            [{"t": i + 1} for i in range(TASKS)],
        )  # fmt: skip


def _deadline_rows(total: int, due: int) -> list[tuple[object, ...]]:
    rows = []
    for i in range(total):
        task, seq = i % TASKS + 1, i // TASKS
        if i < due:
            status, nominal, at = "open", DUE_NOMINAL, NOW - timedelta(days=4)
        elif i % 10 < 7:
            status, nominal, at = "done", date(2023, 6, 1), None
        else:
            status, nominal, at = "open", date(2024, 6, 14), LATER
        rows.append((task, "deadline", seq, "", nominal, nominal, status, "", "", at))
    return rows


COLUMNS = (
    "task_id, kind, seq, period, nominal_date, effective_date, status, completion_note, "
    "completed_by, next_action_at"
)


def _fill(engine: Engine, total: int, due: int) -> None:
    rows = _deadline_rows(total, due)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            rows = [r[:-1] + (r[-1].astimezone(UTC).replace(tzinfo=None) if r[-1] else None,)
                    for r in rows]  # fmt: skip
            cur.execute("BEGIN")
            cur.executemany(f"INSERT INTO deadline ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        else:
            with cur.copy(f"COPY deadline ({COLUMNS}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _reset(engine: Engine, due: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM notification"))
        conn.execute(
            text("UPDATE deadline SET next_action_at = :at, processed_until = NULL WHERE id <= :n"),
            {"at": NOW - timedelta(days=4), "n": due},
        )


def plain(engine: Engine, now: datetime, due: int) -> int:
    """The sweep's database work done the plain way: select, insert, update, one commit."""
    from sqlalchemy import bindparam, insert, select, update

    table = Deadline.__table__  # type: ignore[attr-defined]
    outbox = Notification.__table__  # type: ignore[attr-defined]
    query = (
        select(table.c.id, table.c.task_id, table.c.effective_date)
        .where(table.c.status.in_(["open", "done"]), table.c.next_action_at <= now)
        .order_by(table.c.next_action_at)
        .limit(due)
    )
    if engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    with engine.begin() as conn:
        rows = conn.execute(query).all()
        out = [
            {
                "occurrence": f"d{r.id}@{r.effective_date.isoformat()}", "step": "reminder-5",
                "person_id": person, "channel": "email", "deadline_id": r.id,
                "kind": "reminder", "level": 0, "role": "lead", "copy_only": False,
                "late": True, "due_at": now, "status": "pending", "attempts": 0,
                "next_attempt_at": now, "address": "", "subject": "", "body_text": "",
                "body_html": "", "last_error": "", "context": {}, "created_at": now,
            }
            for r in rows
            for person in (1, 2)
        ]  # fmt: skip
        conn.execute(insert(outbox), out)
        later = [{"b_id": r.id, "b_at": LATER, "b_done": now} for r in rows]
        conn.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(next_action_at=bindparam("b_at"), processed_until=bindparam("b_done")),
            later,
        )
    return len(rows)


def bench(url: str, total: int, due: int, runs: int) -> tuple[float, float, float]:
    """(fill seconds, median seconds per sweep, median seconds the plain way)."""
    engine = make_engine(url)
    upgrade(engine)
    _setup(engine)
    start = time.perf_counter()
    _fill(engine, total, due)
    filled = time.perf_counter() - start
    settings = load_settings(ROOT / "config", url, env={})
    runtime = build_runtime(settings, engine, VirtualClock(NOW))
    settle_after_startup()  # as `notifier run` does; the plain way runs in this process too
    times, plains = [], []
    for _ in range(runs):
        _reset(engine, due)
        start = time.perf_counter()
        report = sweep(runtime, NOW)
        times.append(time.perf_counter() - start)
        # the reminder is more than a working day old: one catch-up per person lists the rest
        assert report.deadlines == due and report.created == 2 * due + report.catch_ups, report
        _reset(engine, due)
        start = time.perf_counter()
        assert plain(engine, NOW, due) == due
        plains.append(time.perf_counter() - start)
    engine.dispose()
    return filled, statistics.median(times), statistics.median(plains)


def _pg_fresh(url: str, name: str) -> str:
    from sqlalchemy import create_engine

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {name}"))
    admin.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("NOTIFIER_TEST_POSTGRES_URL"))
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [(f"sqlite {n:,}", f"sqlite:///{tmp}/b{n}.db", n) for n in (args.small, args.big)]
        if args.pg:
            targets += [
                (f"postgresql {n:,}", _pg_fresh(args.pg, f"bench_sweep_{n}"), n)
                for n in (args.small, args.big)
            ]
        print(f"{args.runs} runs per row, sweep and plain alternating; medians")
        print(
            f"{'database':<22}{'rows':>12}{'due':>7}{'fill s':>9}{'sweep ms':>10}"
            f"{'plain ms':>10}{'ratio':>7}"
        )
        for label, url, total in targets:
            filled, per, base = bench(url, total, args.due, args.runs)
            print(
                f"{label:<22}{total:>12,}{args.due:>7,}{filled:>9.1f}{per * 1000:>10.0f}"
                f"{base * 1000:>10.0f}{per / base:>7.1f}"
            )


if __name__ == "__main__":
    main()
