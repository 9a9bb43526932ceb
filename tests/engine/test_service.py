"""The service loop: stops cleanly on request and on SIGTERM, runs extra tasks; CLI
`run --once` and `send-test`."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import pytest

from notifier.channels.base import OutgoingMessage
from notifier.engine.service import Service
from tests.engine.test_dispatch import SECRET, T0, Env, FakeChannel, env, queue

__all__ = ["env"]  # the fixture


def point_files_to(config_dir: Path, tmp: Path) -> Path:
    """Console transcript and key file inside ``tmp``; returns the transcript path."""
    outbox = tmp / "outbox.log"
    yaml = config_dir / "notifier.yaml"
    text = yaml.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^console_path: \S+", f"console_path: {outbox}", text)
    text = re.sub(r"(?m)^secret_key_file: \S+", f"secret_key_file: {tmp / 'key'}", text)
    yaml.write_text(text, encoding="utf-8")
    return outbox


def _service(env: Env, on_send: object) -> tuple[Service, list[str]]:
    events: list[str] = []

    def fail(message: OutgoingMessage) -> None:
        events.append(f"send {message.key}")
        on_send(service)  # type: ignore[operator]
        return None

    service = Service(
        env.runtime, env.channels(email=FakeChannel("email", fail=fail)), worker_id="w"
    )

    async def extra() -> None:
        events.append("extra started")
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            events.append("extra cancelled")
            raise

    service.extra_tasks.append(extra)
    return service, events


async def test_stop_finishes_the_message_in_flight_releases_the_rest_and_cancels_extras(
    env: Env,
) -> None:
    ids = [queue(env, "vp.pho-chanh", "email", occurrence=f"o{i}") for i in range(4)]
    service, events = _service(env, lambda s: s.request_stop())
    await asyncio.wait_for(service.run(install_signals=False), 10)
    assert [env.row(i).status for i in ids] == ["sent", "pending", "pending", "pending"]
    assert all(env.row(i).claimed_by is None for i in ids)
    assert events == ["extra started", f"send n{ids[0]}", "extra cancelled"]
    assert service.channels.closed


async def test_sigterm_stops_the_service_cleanly(env: Env) -> None:
    """The signal arrives during the first send; the loop sees it within a message or two."""
    ids = [queue(env, "vp.pho-chanh", "email", occurrence=f"o{i}") for i in range(10)]
    service, _ = _service(env, lambda s: os.kill(os.getpid(), signal.SIGTERM))
    await asyncio.wait_for(service.run(), 10)
    statuses = [env.row(i).status for i in ids]
    sent = statuses.count("sent")
    assert 1 <= sent < len(ids) and statuses == ["sent"] * sent + ["pending"] * (len(ids) - sent)
    assert all(env.row(i).claimed_by is None for i in ids)


def test_run_installs_web_app_and_bot_only_with_a_token(env: Env) -> None:
    from dataclasses import replace

    from notifier.cli.engine import install_interfaces

    service = Service(env.runtime, env.channels())
    install_interfaces(service)
    assert len(service.extra_tasks) == 1  # web app for email answer links
    with_token = replace(env.runtime, settings=replace(env.runtime.settings, telegram_token="1:x"))
    service = Service(with_token, env.channels())
    install_interfaces(service)
    assert len(service.extra_tasks) == 2  # plus the Telegram bot


@pytest.fixture
def cli_env(
    config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str, Path]:
    monkeypatch.setenv("NOTIFIER_SECRET_KEY", SECRET)
    outbox = point_files_to(config_dir, tmp_path)
    return config_dir, f"sqlite:///{tmp_path / 'n.db'}", outbox


def test_run_once_sweeps_and_dispatches_then_exits(cli, cli_env) -> None:  # type: ignore[no-untyped-def]
    config, db, outbox = cli_env
    base = ("--config", config, "--db", db)
    assert cli(*base, "init").code == 0
    from notifier.store.db import make_engine
    from tests.engine.test_dispatch import make_env

    env = make_env(config, db, outbox.parent)
    row_id = queue(env, "vp.pho-chanh", "email")
    result = cli(*base, "run", "--once", "--at", T0.isoformat(), "--speed", "0")
    assert result.code == 0, result.err
    assert "Gửi: 1/1 tin đã gửi" in result.out and f"n{row_id}" in outbox.read_text(
        encoding="utf-8"
    )
    assert env.row(row_id).status == "sent"
    make_engine(db).dispose()


def test_send_test_reports_the_outcome(cli, cli_env) -> None:  # type: ignore[no-untyped-def]
    config, db, outbox = cli_env
    base = ("--config", config, "--db", db)
    assert cli(*base, "init").code == 0
    ok = cli(*base, "send-test", "vp.chanh")
    assert ok.code == 0, ok.err
    assert "Đã gửi tin thử" in ok.out and "qua Màn hình" in ok.out
    assert "[Thử nghiệm] Kiểm tra kênh nhận thông báo" in outbox.read_text(encoding="utf-8")
    unknown = cli(*base, "send-test", "nobody")
    assert unknown.code == 1 and "nobody" in unknown.err
