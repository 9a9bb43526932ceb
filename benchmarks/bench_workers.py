"""Throughput with 1, 2 and 4 dispatcher processes on one PostgreSQL, the channel not the limit.

Usage: python -m benchmarks.bench_workers [--messages N] [--workers W ...] [--delay S]
       [--runs R] [--pg URL]   (PostgreSQL also from NOTIFIER_TEST_POSTGRES_URL)

Each run: a fresh schema holds N emails (test messages) to one person; an aiosmtpd server
on loopback takes ``--delay`` seconds to accept each message (a real server's round trip;
it serves every connection at once, so it is not the limit); W worker processes, each with
its own engine, channels, limiter and worker id (as ``notifier run`` would), are started,
import everything, then all begin on one signal and tick like the service
(``dispatch_all``, then 0.1 s) until nothing is pending. Timed from the signal to the last
message sent. Runs alternate between the worker counts; prints medians, the ratio to one
worker, and the duplicates (Message-IDs the server saw twice).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlmodel import Session, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier.clock import SystemClock  # noqa: E402
from notifier.engine.channels import build_channels  # noqa: E402
from notifier.engine.dispatch import Dispatcher  # noqa: E402
from notifier.runtime import build_runtime  # noqa: E402
from notifier.settings import load_settings  # noqa: E402
from notifier.store.db import make_engine  # noqa: E402
from notifier.store.models import Notification  # noqa: E402
from notifier.vocab import DeliveryStatus  # noqa: E402
from tests.engine.test_dispatch import SECRET, make_env, queue_many  # noqa: E402
from tests.fakes.smtp import free_port  # noqa: E402


class SlowHandler:
    """Accepts every message after ``delay`` seconds; remembers each Message-ID."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.ids: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(self.delay)
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if line.lower().startswith("message-id:"):
                self.ids[line.split(":", 1)[1].strip()] += 1
                break
        return "250 OK"


def smtp_env(port: int) -> dict[str, str]:
    return {
        "NOTIFIER_SECRET_KEY": SECRET,
        "NOTIFIER_SMTP_HOST": "127.0.0.1",
        "NOTIFIER_SMTP_PORT": str(port),
        "NOTIFIER_SMTP_FROM": "Văn phòng <vp@batu.example>",
    }


def pending(engine: Any) -> int:
    with Session(engine) as session:
        query = select(func.count()).where(Notification.status != DeliveryStatus.SENT)
        return int(session.exec(query).one())


def child(config: str, url: str, port: int, name: str) -> None:
    """One worker process: build everything, wait for the signal, dispatch until done."""
    settings = load_settings(Path(config), url, env=smtp_env(port))
    engine = make_engine(settings.database_url)
    clock = SystemClock()
    runtime = build_runtime(settings, engine, clock)
    channels = build_channels(settings, clock, echo=False)
    dispatcher = Dispatcher(runtime, channels, name)
    print("ready", flush=True)
    sys.stdin.readline()  # the signal: every worker begins at once

    async def go() -> int:
        sent = 0
        try:
            while pending(engine):
                sent += (await dispatcher.dispatch_all()).sent
                await asyncio.sleep(0.1)
        finally:
            await channels.aclose()
        return sent

    print(f"sent {asyncio.run(go())}", flush=True)


def one_run(pg: str, tmp: Path, messages: int, workers: int, delay: float) -> tuple[float, int]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{pg}{'&' if '?' in pg else '?'}options=-csearch_path%3D{schema}"
    port = free_port()
    handler = SlowHandler(delay)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = make_env(tmp / "config", url, tmp, env=smtp_env(port))
        queue_many(env, "vp.pho-chanh", "email", messages)
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.bench_workers",
                    "--child",
                    str(tmp / "config"),
                    url,
                    str(port),
                    f"w{n}",
                ],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in range(workers)
        ]
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate()[0] for proc in procs]
        seconds = time.perf_counter() - started
        assert all(proc.returncode == 0 for proc in procs), outputs
        assert pending(env.engine) == 0
        assert len(handler.ids) == messages, (len(handler.ids), messages)
        env.engine.dispose()
        return seconds, sum(n - 1 for n in handler.ids.values() if n > 1)
    finally:
        controller.stop()
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        config, url, port, name = sys.argv[2:6]
        child(config, url, int(port), name)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("NOTIFIER_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    if not args.pg:
        sys.exit("PostgreSQL needed: --pg URL or NOTIFIER_TEST_POSTGRES_URL")
    tmp = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    shutil.copytree(ROOT / "config", tmp / "config")
    print(
        f"PostgreSQL; {args.messages} emails per run; SMTP accepts each after {args.delay} s, "
        f"every connection at once; {args.runs} runs per worker count, alternating; medians"
    )
    times: dict[int, list[float]] = {n: [] for n in args.workers}
    twice: dict[int, int] = dict.fromkeys(args.workers, 0)
    for _ in range(args.runs):
        for workers in args.workers:
            seconds, repeated = one_run(args.pg, tmp, args.messages, workers, args.delay)
            times[workers].append(seconds)
            twice[workers] += repeated
    base = statistics.median(times[args.workers[0]])
    for workers in args.workers:
        median = statistics.median(times[workers])
        print(
            f"{workers} worker(s): {median:6.1f} s = {args.messages / median:6.1f} msg/s, "
            f"×{base / median:.2f} of {args.workers[0]} worker(s); sent twice {twice[workers]}"
        )
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
