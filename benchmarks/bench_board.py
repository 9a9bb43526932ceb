"""Board response time with 10,000 open deadlines (median of 20 requests), and page weight.

Usage: python benchmarks/bench_board.py [--pg URL] [--deadlines N] [--requests N]
(PostgreSQL also from NOTIFIER_TEST_POSTGRES_URL). One agency, one plan, N tasks with one
open deadline each, bulk-inserted; an office account signs in through the login form, then
``GET /`` is timed through the real aiohttp application (session check, status_board,
filters, template) over a local socket. The page weight is the bytes of the board's HTML
plus the CSS and JS it links (as sent, uncompressed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_sweep import _pg_fresh  # noqa: E402
from notifier.accounts.manage import add_account  # noqa: E402
from notifier.accounts.roles import AccountRole  # noqa: E402
from notifier.clock import VN_TZ, VirtualClock  # noqa: E402
from notifier.runtime import build_runtime  # noqa: E402
from notifier.settings import load_settings  # noqa: E402
from notifier.store.db import make_engine, session_scope, upgrade  # noqa: E402
from notifier.web.server import make_web_app  # noqa: E402

NOW = datetime(2024, 3, 5, 9, 0, tzinfo=VN_TZ)
PASSWORD = "Bench-mark-password-1"
ASSETS = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js)\?v=[0-9a-f]+)"')


def _fill(engine: Engine, n: int) -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agency (code, name, aliases, locality, active) "
                          "VALUES ('a', 'Cơ quan A', '[]', '', true)"))  # fmt: skip
        conn.execute(
            text("INSERT INTO plan (key, issuer, number, place, plan_date, title, source_name,"
                 " content_hash, status, policy, parsed, imported_at, updated_at) VALUES"
                 " ('p', '', '1/KH', '', '', 'Bench', '', 'h', 'open', '{}', '{}', :t, :t)"),
            {"t": t0},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO task (plan_id, ref, title, output, timeframe_text, timeframe_kind,"
                 " line, active, policy) VALUES (1, :r, :t, '', '', 'deadline', 0, true, '{}')"),
            [{"r": f"T{i}", "t": f"Nhiệm vụ thử số {i}"} for i in range(n)],
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO task_role (task_id, role, written, agency_id) "
                 "VALUES (:t, 'lead', 'Cơ quan A', 1)"),
            [{"t": i + 1} for i in range(n)],
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO deadline (task_id, kind, seq, period, nominal_date, effective_date,"
                 " status, completion_note, completed_by) VALUES"
                 " (:t, 'deadline', 0, '', :d, :d, 'open', '', '')"),
            [{"t": i + 1, "d": date(2024, 1 + i % 12, 1 + i % 28)} for i in range(n)],
        )  # fmt: skip


async def _measure(runtime, requests: int) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    client = TestClient(TestServer(make_web_app(runtime, b"bench-key")))
    await client.start_server()
    try:
        async with client.get("/login") as response:
            token = re.search(r'name="csrf" value="([^"]+)"', await response.text())
        assert token is not None
        form = {"csrf": token.group(1), "login": "office", "password": PASSWORD}
        async with client.post("/login", data=form, allow_redirects=False) as response:
            assert response.status == 303
        times, html = [], b""
        for _ in range(requests):
            start = time.perf_counter()
            async with client.get("/") as response:
                html = await response.read()
                assert response.status == 200
            times.append(time.perf_counter() - start)
        assets = 0
        for path in ASSETS.findall(html.decode("utf-8")):
            async with client.get(path) as response:
                assets += len(await response.read())
        return statistics.median(times), len(html), assets
    finally:
        await client.close()


def bench(url: str, n: int, requests: int) -> tuple[float, int, int]:
    engine = make_engine(url)
    upgrade(engine)
    _fill(engine, n)
    settings = load_settings(ROOT / "config", url, env={})
    runtime = build_runtime(settings, engine, VirtualClock(NOW))
    with session_scope(engine) as session:
        add_account(session, "office", AccountRole.OFFICE, None, PASSWORD, NOW)
    try:
        return asyncio.run(_measure(runtime, requests))
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("NOTIFIER_TEST_POSTGRES_URL"))
    parser.add_argument("--deadlines", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{tmp}/board.db")]
        if args.pg:
            targets.append(("postgresql", _pg_fresh(args.pg, "bench_board")))
        print(f"{'database':<12}{'open':>8}{'median ms':>11}{'HTML B':>10}{'CSS+JS B':>10}")
        for label, url in targets:
            median, html, assets = bench(url, args.deadlines, args.requests)
            print(f"{label:<12}{args.deadlines:>8,}{median * 1000:>11.0f}{html:>10,}{assets:>10,}")


if __name__ == "__main__":
    main()
