"""Email answer links end to end: a reminder goes through a real SMTP server (aiosmtpd),
the link is parsed out of the received message and used against the running web app."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlmodel import Session, select

from notifier.clock import VN_TZ, VirtualClock
from notifier.engine.channels import build_channels
from notifier.engine.dispatch import dispatch_all
from notifier.engine.sweep import sweep
from notifier.runtime import Runtime
from notifier.store.models import Acknowledgement, Deadline, Notification, Person
from notifier.web.server import make_web_app, serve_web
from tests.fakes.smtp import smtp_server
from tests.interact.test_services import rows, seed

REMINDER_DAY = datetime(2024, 4, 22, 8, 0, tzinfo=VN_TZ)
PUBLIC = "https://notifier.example.vn"
LINK = re.compile(r"https://notifier\.example\.vn(/a/[A-Za-z0-9_\-\.]+)")


async def _send_reminders(runtime: Runtime, clock: VirtualClock, person_key: str) -> str:
    """Sweep and dispatch on 22/4/2024; returns ``person_key``'s email address."""
    host, port = runtime.settings.file.email.host, runtime.settings.file.email.port
    assert host and port
    clock.set(REMINDER_DAY)
    await asyncio.to_thread(sweep, runtime, clock.now())
    channels = build_channels(runtime.settings, clock, echo=False)
    try:
        await dispatch_all(runtime, channels, "web-test")
    finally:
        await channels.aclose()
    with Session(runtime.engine) as session:
        person = session.exec(select(Person).where(Person.key == person_key)).one()
        address = person.email
    return address or ""


@pytest.fixture
async def mailed(
    config_dir: Path, tmp_path: Path
) -> AsyncIterator[tuple[Runtime, VirtualClock, list[str]]]:
    """The seed plan, the first reminder mailed to vp.chanh; yields its four link paths."""
    clock = VirtualClock(REMINDER_DAY - timedelta(days=7))
    with smtp_server() as (handler, port):
        env = {
            "NOTIFIER_SMTP_HOST": "127.0.0.1",
            "NOTIFIER_SMTP_PORT": str(port),
            "NOTIFIER_PUBLIC_URL": PUBLIC,
        }
        runtime = seed(config_dir, f"sqlite:///{tmp_path / 'n.db'}", clock, env)
        address = await _send_reminders(runtime, clock, "vp.chanh")
        mails = [r.parsed() for r in handler.received if address in r.rcpt_tos]
    texts = [m.get_body(("plain",)).get_content() for m in mails]  # type: ignore[union-attr]
    with_links = [LINK.findall(t) for t in texts if LINK.search(t)]
    assert len(with_links) == 1, texts
    paths = with_links[0]
    assert len(paths) == 4
    yield runtime, clock, paths
    runtime.engine.dispose()


async def _client(runtime: Runtime) -> tuple[TestServer, aiohttp.ClientSession]:
    server = TestServer(make_web_app(runtime), host="127.0.0.1")
    await server.start_server()
    return server, aiohttp.ClientSession(base_url=str(server.make_url("")))


def _action(paths: list[str], action: str) -> str:
    """Links come in the order received, done, blocked, extension (as the templates print them)."""
    return paths[["received", "done", "blocked"].index(action)]


async def test_get_shows_confirmation_and_changes_nothing(mailed) -> None:  # type: ignore[no-untyped-def]
    runtime, _clock, paths = mailed
    server, http = await _client(runtime)
    try:
        before = rows(runtime.engine)
        for action in ("received", "done", "blocked"):
            async with http.get(_action(paths, action)) as response:
                page = await response.text()
                assert response.status == 200
                assert response.headers["Referrer-Policy"] == "no-referrer"
                assert "Tham quan, học tập kinh nghiệm" in page
                assert "Thứ Năm, 02/5/2024" in page
                assert '<form method="post"' in page
        async with http.get(_action(paths, "blocked")) as response:
            assert 'name="reason" required' in await response.text()
        assert rows(runtime.engine) == before
    finally:
        await http.close()
        await server.close()


async def test_post_records_received_blocked_and_done(mailed) -> None:  # type: ignore[no-untyped-def]
    runtime, _clock, paths = mailed
    server, http = await _client(runtime)
    try:
        async with http.post(_action(paths, "received")) as response:
            assert response.status == 200
            assert "đã nhận" in await response.text()
        before = rows(runtime.engine)
        async with http.post(_action(paths, "blocked"), data={"reason": "  "}) as response:
            assert response.status == 400
            assert "nêu rõ" in await response.text()
        assert rows(runtime.engine) == before
        reason = "Chưa bố trí được kinh phí <đi lại>"
        async with http.post(_action(paths, "blocked"), data={"reason": reason}) as response:
            assert response.status == 200
        async with http.post(_action(paths, "done"), data={"note": "Xong"}) as response:
            assert response.status == 200
            assert "hoàn thành" in await response.text()
        async with http.post(_action(paths, "done")) as response:
            assert "không ghi nhận thêm" in await response.text()
        with Session(runtime.engine) as session:
            acks = session.exec(select(Acknowledgement).order_by(Acknowledgement.id)).all()
            assert [(a.action, a.via, a.note) for a in acks] == [
                ("received", "email", ""),
                ("blocked", "email", reason),
                ("done", "email", "Xong"),
            ]
            deadline = session.get(Deadline, acks[0].deadline_id)
            assert deadline is not None and deadline.status == "done"
            obstacle = session.exec(
                select(Notification).where(Notification.kind == "obstacle")
            ).all()
            assert obstacle
    finally:
        await http.close()
        await server.close()


def _tamper(path: str) -> str:
    """Change one character of the signature."""
    last = path[-1]
    return path[:-1] + ("A" if last != "A" else "B")


async def test_tampered_and_forged_tokens_get_403_and_change_nothing(mailed) -> None:  # type: ignore[no-untyped-def]
    runtime, _clock, paths = mailed
    server, http = await _client(runtime)
    try:
        before = rows(runtime.engine)
        done = _action(paths, "done")
        payload, _, sig = done.removeprefix("/a/").partition(".")
        received_payload = _action(paths, "received").removeprefix("/a/").partition(".")[0]
        forged = [
            _tamper(done),
            f"/a/{received_payload}.{sig}",  # another payload with done's signature
            "/a/nonsense",
        ]
        for path in forged:
            async with http.get(path) as response:
                assert response.status == 403
                assert "không hợp lệ" in await response.text()
            async with http.post(path, data={"note": "x"}) as response:
                assert response.status == 403
        assert rows(runtime.engine) == before
    finally:
        await http.close()
        await server.close()


async def test_expired_token_gets_403_and_changes_nothing(mailed) -> None:  # type: ignore[no-untyped-def]
    runtime, clock, paths = mailed
    server, http = await _client(runtime)
    try:
        clock.advance(timedelta(days=31))
        before = rows(runtime.engine)
        for method in ("GET", "POST"):
            async with http.request(method, _action(paths, "done")) as response:
                assert response.status == 403
                assert "hết hạn" in await response.text()
        assert rows(runtime.engine) == before
    finally:
        await http.close()
        await server.close()


async def test_serve_web_answers_healthz_and_stops_on_event(
    config_dir: Path, tmp_path: Path
) -> None:
    clock = VirtualClock(REMINDER_DAY)
    runtime = seed(config_dir, f"sqlite:///{tmp_path / 'n.db'}", clock)
    stop = asyncio.Event()
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        serve_web(runtime, stop, host="127.0.0.1", port=0, started=bound.set_result)
    )
    port = await asyncio.wait_for(bound, 10)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200 and (await response.text()).strip() == "ok"
    stop.set()
    await asyncio.wait_for(task, 10)
    runtime.engine.dispose()
