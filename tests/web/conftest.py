"""A world for the web board: the sample plan plus a one-task plan led by another agency,
the first reminders sent (console channel), and one account per role.

``World.client(...)`` gives an aiohttp test client (own cookie jar) on the real app.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from notifier.accounts.manage import add_account
from notifier.accounts.roles import AccountRole
from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VN_TZ, VirtualClock
from notifier.engine.channels import build_channels
from notifier.engine.dispatch import dispatch_all
from notifier.engine.sweep import sweep
from notifier.runtime import Runtime
from notifier.store.db import session_scope
from notifier.web.server import make_web_app
from tests.interact.test_services import seed

HERE = Path(__file__).parent
SECOND_PLAN = HERE / "ke-hoach-gddt-2024.md"
IMPORT_DAY = datetime(2024, 4, 15, 8, 0, tzinfo=VN_TZ)
REMINDER_DAY = datetime(2024, 4, 22, 8, 0, tzinfo=VN_TZ)
PASSWORD = "Mat-khau-thu-nghiem-2024"
ACCOUNTS = {
    "quantri": (AccountRole.ADMIN, None),
    "vanphong": (AccountRole.OFFICE, None),
    "lanhdao": (AccountRole.VIEWER, None),
    "vp": (AccountRole.AGENCY, "vp-hdnd-ubnd"),  # leads both tasks of the sample plan
    "vhtt": (AccountRole.AGENCY, "phong-vhtt"),  # coordinates them (member of the group)
    "gddt": (AccountRole.AGENCY, "phong-gddt"),  # leads the second plan's task
    "noivu": (AccountRole.AGENCY, "phong-noi-vu"),  # coordinates it
    "dantoc": (AccountRole.AGENCY, "phong-dan-toc"),  # in neither plan
}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class World:
    runtime: Runtime
    clock: VirtualClock
    clients: list[TestClient] = field(default_factory=list)

    async def client(self) -> TestClient:
        client = TestClient(TestServer(make_web_app(self.runtime)))
        await client.start_server()
        self.clients.append(client)
        return client

    async def signed_in(self, login: str, password: str = PASSWORD) -> TestClient:
        client = await self.client()
        response = await sign_in(client, login, password)
        assert response.status == 303, await response.text()
        return client


async def csrf_of(client: TestClient, path: str = "/login") -> str:
    async with client.get(path) as response:
        found = CSRF.search(await response.text())
    assert found, path
    return found.group(1)


async def sign_in(client: TestClient, login: str, password: str):  # type: ignore[no-untyped-def]
    token = await csrf_of(client)
    return await client.post(
        "/login",
        data={"csrf": token, "login": login, "password": password, "next": "/"},
        allow_redirects=False,
    )


def make_world(config_dir: Path, db_url: str, env: dict[str, str] | None = None) -> World:
    clock = VirtualClock(IMPORT_DAY)
    runtime = seed(config_dir, db_url, clock, env)
    code = run_cli(
        ["--config", str(config_dir), "--db", db_url, "plan", "import", str(SECOND_PLAN)],
        state=AppState(clock=clock),
    )
    assert code == 0
    with session_scope(runtime.engine) as session:
        for login, (role, agency) in ACCOUNTS.items():
            add_account(session, login, role, agency, PASSWORD, clock.now())
    clock.set(REMINDER_DAY)
    asyncio.run(_send(runtime, clock))
    return World(runtime, clock)


async def send_due(world: World, at: datetime) -> None:
    """Move the clock to ``at`` and run one sweep and dispatch there."""
    world.clock.set(at)
    await _send(world.runtime, world.clock)


async def _send(runtime: Runtime, clock: VirtualClock) -> None:
    await asyncio.to_thread(sweep, runtime, clock.now())
    channels = build_channels(runtime.settings, clock, echo=False)
    try:
        await dispatch_all(runtime, channels, "web-test")
    finally:
        await channels.aclose()


@pytest.fixture
def world_factory(config_dir: Path, tmp_path: Path) -> Iterator[object]:
    made: list[World] = []

    def build(env: dict[str, str] | None = None) -> World:
        world = make_world(config_dir, f"sqlite:///{tmp_path / 'web.db'}", env)
        made.append(world)
        return world

    yield build
    for world in made:
        world.runtime.engine.dispose()


@pytest.fixture
async def world(world_factory) -> AsyncIterator[World]:  # type: ignore[no-untyped-def]
    built: World = await asyncio.to_thread(world_factory)
    yield built
    for client in built.clients:
        await client.close()


def later(world: World, **delta: float) -> None:
    world.clock.advance(timedelta(**delta))
