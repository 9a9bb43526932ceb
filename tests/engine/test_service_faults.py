"""The service does not exit when the database fails, not even in its first tick: the
failure is one log line, the next tick tries again, and delivery resumes by itself."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from notifier.engine import service as service_module
from notifier.engine.dispatch import Dispatcher
from notifier.engine.service import Service
from tests.engine.test_dispatch import FakeChannel, make_env, queue


async def test_database_failures_in_the_first_ticks_are_logged_and_the_service_recovers(
    config_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = make_env(
        config_dir, f"sqlite:///{tmp_path / 'n.db'}", tmp_path,
        sweep_interval_seconds=0.05, dispatch_interval_seconds=0.05,
    )  # fmt: skip
    row_id = queue(env, "vp.pho-chanh", "email")
    locked = OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    sweeps: list[object] = []
    real_sweep, real_claim = service_module.sweep, Dispatcher._next
    claims: list[object] = []

    def sweep(runtime, now):  # type: ignore[no-untyped-def]
        sweeps.append(now)
        if len(sweeps) == 1:
            raise locked
        return real_sweep(runtime, now)

    def claim(self, *args):  # type: ignore[no-untyped-def]
        claims.append(args)
        if len(claims) <= 2:
            raise locked
        return real_claim(self, *args)

    monkeypatch.setattr(service_module, "sweep", sweep)
    monkeypatch.setattr(Dispatcher, "_next", claim)
    email = FakeChannel("email")
    service = Service(env.runtime, env.channels(email=email), worker_id="w")
    with caplog.at_level(logging.ERROR, logger="notifier.engine.service"):
        run = asyncio.ensure_future(service.run(install_signals=False))
        while not email.sent:  # the effect we wait for; pytest's timeout bounds it
            assert not run.done(), run.exception() if run.done() else None
            await asyncio.sleep(0.01)
        service.request_stop()
        await run
    assert env.row(row_id).status == "sent" and len(sweeps) >= 2
    assert (
        "sweep failed: database unavailable (OperationalError: database is locked)" in caplog.text
    )
    assert "dispatch (email) failed: database unavailable" in caplog.text
    env.engine.dispose()
