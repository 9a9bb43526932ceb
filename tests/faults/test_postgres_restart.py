"""PostgreSQL restarted under a running service: ticks fail with one log line each, the
service keeps running, and once the server is back it resumes by itself; nothing lost,
repeated at most the messages whose outcome could not be recorded.

The test starts its own throwaway cluster (initdb under /tmp, its own port) and restarts
that one, never the shared server on 5432; without initdb, root and a ``postgres`` user it
skips, saying why.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from glob import glob
from pathlib import Path

import pytest

from notifier.channels.base import OutgoingMessage, SendResult
from notifier.clock import SystemClock
from notifier.engine.channels import ChannelSet
from notifier.engine.ratelimit import RateLimiter
from notifier.engine.service import Service
from notifier.runtime import build_runtime
from tests.engine.test_dispatch import make_env, queue_many
from tests.fakes.smtp import free_port

pytestmark = pytest.mark.faults

MESSAGES = 120


class Cluster:
    """A PostgreSQL cluster of our own, run as the ``postgres`` user."""

    def __init__(self, bindir: str, root: Path, port: int) -> None:
        self.bindir, self.data, self.port = bindir, root / "data", port

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                       capture_output=True, timeout=120)  # fmt: skip

    def init(self) -> None:
        self._as_postgres(f"{self.bindir}/initdb", "-D", str(self.data), "-A", "trust",
                          "-U", "root", "--no-sync", "-E", "UTF8")  # fmt: skip

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")  # fmt: skip
        self._as_postgres(f"{self.bindir}/pg_ctl", "-D", str(self.data), "-o", options,
                          "-l", str(self.data / "log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._as_postgres(f"{self.bindir}/pg_ctl", "-D", str(self.data), "-m", "fast",
                          "-w", "stop")  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://root@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bins = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins or os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("a throwaway PostgreSQL cluster needs initdb, root and runuser")
    try:
        subprocess.run(["id", "postgres"], check=True, capture_output=True)
    except subprocess.CalledProcessError:
        pytest.skip("a throwaway PostgreSQL cluster needs a 'postgres' user")
    root = Path(tempfile.mkdtemp(prefix="notifier-pg-", dir="/tmp"))
    shutil.chown(root, "postgres")
    made = Cluster(str(Path(bins[-1]).parent), root, free_port())
    try:
        made.init()
        made.start()
        yield made
    finally:
        try:
            made.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(root, ignore_errors=True)


class SlowConsole:
    """Stands in for the console: counts sends, 20 ms each, so a restart lands mid-run."""

    name = "console"

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    async def send(self, message: OutgoingMessage) -> SendResult:
        await asyncio.sleep(0.02)
        self.sent[message.key] += 1
        return SendResult(provider_id=message.key)

    async def aclose(self) -> None:
        return None


async def _until(condition, timeout: float = 60, what: object = "") -> None:  # type: ignore[no-untyped-def]
    """Wait for an effect of the service (bounded, so a regression fails, not hangs)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, (
            f"the service did not get there: {what() if callable(what) else what}"
        )
        await asyncio.sleep(0.02)


async def test_postgres_restarted_under_a_running_service(
    cluster: Cluster, config_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = make_env(
        config_dir, cluster.url, tmp_path,
        sweep_interval_seconds=0.2, dispatch_interval_seconds=0.1,
    )  # fmt: skip
    ids = queue_many(env, "vp.pho-chanh", "console", MESSAGES)
    wanted = {f"n{i}" for i in ids}
    clock = SystemClock()
    runtime = build_runtime(env.runtime.settings, env.engine, clock)
    console = SlowConsole()
    channels = ChannelSet(channels={"console": console}, limiter=RateLimiter(clock, {}))
    service = Service(runtime, channels, worker_id="w")
    service.dispatcher.lease = timedelta(seconds=3)  # a row lost in flight is free soon
    service.dispatcher.renew_every = 0.5
    with caplog.at_level(logging.ERROR, logger="notifier.engine.service"):
        run = asyncio.ensure_future(service.run(install_signals=False))
        await _until(lambda: len(console.sent) >= 20)
        await asyncio.to_thread(cluster.stop)
        await _until(lambda: "database unavailable" in caplog.text)
        down_at = len(wanted & set(console.sent))
        assert not run.done()  # the service is still running
        await asyncio.to_thread(cluster.start)
        # only the queued rows count: on the real clock the service may send notices of
        # its own to the admins (in December: next year's Tết is still an estimate)
        await _until(lambda: len(wanted & set(console.sent)) == MESSAGES, what="all sent")
        await _until(
            lambda: {env.row(i).status for i in ids} == {"sent"},
            what=lambda: [(r.id, r.status, r.claimed_at, r.last_error[:90])
                          for r in map(env.row, ids) if r.status != "sent"],
        )  # fmt: skip
        service.request_stop()
        await run
    assert wanted <= set(console.sent)  # nothing lost
    repeats = sum(n - 1 for key, n in console.sent.items() if key in wanted)
    assert repeats <= 2  # at most what was in flight when the server went away
    assert down_at < MESSAGES  # the restart really happened mid-run
    line = next(r.getMessage() for r in caplog.records if "database unavailable" in r.getMessage())
    print(f"\nPostgreSQL restart: {down_at} sent before, {repeats} repeats; log: {line[:160]}")
    env.engine.dispose()
