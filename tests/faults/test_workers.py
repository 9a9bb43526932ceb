"""Several dispatchers on one PostgreSQL database, a slow SMTP server (0.4 s per message),
the real clock and a lease (2 s) far shorter than what a batch takes to send: no email
is sent twice. Before leases were re-checked and renewed, a batch claimed at once
outlived its lease and another worker sent its tail again (10 of 110 in the issue)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from notifier.channels.email import EmailChannel, SmtpSettings
from notifier.clock import SystemClock
from notifier.engine.channels import ChannelSet
from notifier.engine.dispatch import Dispatcher, DispatchReport
from notifier.engine.ratelimit import RateLimiter
from notifier.runtime import build_runtime
from notifier.store.db import make_engine
from notifier.store.models import DeliveryAttempt
from notifier.vocab import DeliveryStatus
from tests.engine.test_dispatch import Env, make_env, queue_many
from tests.fakes.smtp import RecordingHandler, smtp_server

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

LEASE = timedelta(seconds=2)
DATA_DELAY = 0.4  # seconds the server takes to accept each message


@dataclass
class SlowHandler(RecordingHandler):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(DATA_DELAY)  # the fault under test: a slow mail server
        return await super().handle_DATA(server, session, envelope)


def _all_sent(env: Env) -> bool:
    return {row.status for row in env.rows()} == {DeliveryStatus.SENT}


@pytest.mark.parametrize(("workers", "messages"), [(2, 30), (4, 40)])
def test_workers_sharing_postgres_with_a_slow_smtp_server_send_no_email_twice(
    config_dir: Path, pg_url: str, tmp_path: Path, workers: int, messages: int
) -> None:
    env = make_env(config_dir, pg_url, tmp_path)
    queue_many(env, "vp.pho-chanh", "email", messages)
    handler = SlowHandler()
    reports: dict[str, DispatchReport] = {}
    with smtp_server(handler=handler) as (_, port):
        smtp = SmtpSettings(host="127.0.0.1", port=port, sender="Văn phòng <vp@batu.example>")

        def worker(name: str) -> None:
            engine = make_engine(pg_url)
            clock = SystemClock()  # the real clock: leases really expire
            runtime = build_runtime(env.runtime.settings, engine, clock)
            channels = ChannelSet(
                channels={"console": env.channels().channels["console"],
                          "email": EmailChannel(smtp, clock=clock)},
                limiter=RateLimiter(clock, {}),
            )  # fmt: skip
            dispatcher = Dispatcher(runtime, channels, name, lease=LEASE)

            async def go() -> None:
                total = DispatchReport()
                try:
                    while not _all_sent(env):  # tick like a service until the outbox is done
                        total.add(await dispatcher.dispatch_all(batch=100))
                        await asyncio.sleep(0.1)  # the dispatch interval
                finally:
                    reports[name] = total
                    await channels.aclose()

            try:
                asyncio.run(go())
            finally:
                engine.dispose()

        threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    ids = Counter(str(r.parsed()["Message-ID"]) for r in handler.received)
    twice = {key: n for key, n in ids.items() if n > 1}
    assert twice == {}  # no email sent twice
    assert len(ids) == messages  # and none lost
    assert sum(r.sent for r in reports.values()) == messages
    assert sum(1 for r in reports.values() if r.sent) >= 2, reports  # they really shared it
    with Session(env.engine) as session:
        attempts = session.exec(select(DeliveryAttempt)).all()
    assert len(attempts) == messages  # one attempt per message, none abandoned
    assert {row.status for row in env.rows()} == {"sent"}
    print(f"\n{workers} workers, {messages} emails: {len(ids)} delivered, 0 twice; {reports}")
    env.engine.dispose()
