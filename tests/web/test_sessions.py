"""HTTP level: CSRF, failed-login limits, the session cookie (tampering, logout, disable,
lifetimes, flags), security headers, and that every board route is guarded."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlmodel import Session, col, select

from notifier.accounts.login import PER_ADDRESS, PER_LOGIN
from notifier.accounts.manage import set_active
from notifier.store.db import session_scope
from notifier.store.models import Account, LoginAttempt
from notifier.web.guard import PREFIX
from notifier.web.sessions import COOKIE
from tests.interact.test_services import rows
from tests.web.conftest import PASSWORD, World, csrf_of, later, sign_in


def attempts(world: World) -> list[tuple[str, str]]:
    with Session(world.runtime.engine) as session:
        found = session.exec(select(LoginAttempt).order_by(col(LoginAttempt.id))).all()
        return [(a.login, a.outcome) for a in found]


def accounts(world: World) -> list[dict[str, Any]]:
    with Session(world.runtime.engine) as session:
        return [a.model_dump() for a in session.exec(select(Account).order_by(col(Account.id)))]


def set_cookie(client: Any, value: str) -> None:
    """Replace the client's session cookie (what a person editing it would send)."""
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({COOKIE: value}, response_url=client.make_url("/"))


def cookie_of(client: Any) -> str:
    return str(client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE].value)


async def status_of(client: Any, path: str = "/", **headers: str) -> int:
    async with client.get(path, allow_redirects=False, headers=headers) as response:
        return int(response.status)


async def test_post_without_or_with_wrong_csrf_is_refused_and_changes_nothing(
    world: World,
) -> None:
    client = await world.signed_in("vanphong")
    before = (rows(world.runtime.engine), accounts(world), attempts(world))
    for data in ({}, {"csrf": "not-the-token"}, {"csrf": ""}):
        async with client.post("/logout", data=data, allow_redirects=False) as response:
            assert response.status == 403
            assert "mã xác thực" in await response.text()
        form = {"login": "vanphong", "password": PASSWORD, **data}
        async with client.post("/login", data=form, allow_redirects=False) as response:
            assert response.status == 403
    assert (rows(world.runtime.engine), accounts(world), attempts(world)) == before
    assert await status_of(client) == 200  # still signed in: logout did not happen
    # another visitor's token does not work either
    stranger = await world.client()
    token = await csrf_of(stranger)
    async with client.post("/logout", data={"csrf": token}, allow_redirects=False) as response:
        assert response.status == 403
    assert accounts(world) == before[1]


async def test_five_failures_lock_the_login_for_fifteen_minutes(world: World) -> None:
    client = await world.client()
    for _ in range(PER_LOGIN):
        response = await sign_in(client, "vanphong", "sai-mat-khau-roi")
        assert response.status == 401
        assert "không đúng" in await response.text()
    response = await sign_in(client, "vanphong", PASSWORD)  # right password, still refused
    assert response.status == 429
    page = await response.text()
    assert "thử lại sau" in page and "Thứ Hai, 22/4/2024" in page
    assert attempts(world)[-1] == ("vanphong", "limited")
    assert (await sign_in(client, "lanhdao", PASSWORD)).status == 303  # other logins unaffected
    later(world, minutes=14)
    assert (await sign_in(await world.client(), "vanphong", PASSWORD)).status == 429
    later(world, minutes=1, seconds=1)
    assert (await sign_in(await world.client(), "vanphong", PASSWORD)).status == 303
    outcomes = [o for login, o in attempts(world) if login == "vanphong"]
    assert outcomes == ["bad_password"] * 5 + ["limited", "limited", "ok"]


async def test_failures_from_one_address_lock_every_login(world: World) -> None:
    client = await world.client()
    for i in range(PER_ADDRESS):
        response = await sign_in(client, f"khong-co-{i}", "sai-mat-khau-roi")
        assert response.status == 401
    assert (await sign_in(client, "quantri", PASSWORD)).status == 429
    assert attempts(world)[-1] == ("quantri", "limited")
    assert {o for _, o in attempts(world)[:-1]} == {"unknown_login"}


async def test_cookie_altered_by_one_byte_is_refused(world: World) -> None:
    client = await world.signed_in("vanphong")
    assert await status_of(client) == 200
    value = cookie_of(client)
    for i in (0, len(value) // 2, len(value) - 1):
        forged = value[:i] + ("A" if value[i] != "A" else "B") + value[i + 1 :]
        set_cookie(client, forged)
        assert await status_of(client) == 303
        assert await status_of(client, "/board/live", **{"HX-Request": "true"}) == 401
    set_cookie(client, value)
    assert await status_of(client) == 200


async def test_logout_and_disable_invalidate_sessions(world: World) -> None:
    client = await world.signed_in("vanphong")
    other = await world.signed_in("vanphong")  # a second device
    value = cookie_of(client)
    token = await csrf_of(client, "/")
    async with client.post("/logout", data={"csrf": token}, allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"] == "/login"
    assert await status_of(client) == 303
    set_cookie(client, value)  # the old cookie, replayed
    assert await status_of(client) == 303
    assert await status_of(other) == 303  # every session of the account ended
    viewer = await world.signed_in("lanhdao")
    assert await status_of(viewer) == 200
    with session_scope(world.runtime.engine) as session:
        set_active(session, "lanhdao", False, world.clock.now())
    assert await status_of(viewer) == 303
    response = await sign_in(await world.client(), "lanhdao", PASSWORD)
    assert response.status == 401


async def test_idle_and_absolute_lifetimes(world: World) -> None:
    client = await world.signed_in("vanphong")
    later(world, minutes=119)
    assert await status_of(client) == 200  # use renews the idle time
    later(world, minutes=119)
    assert await status_of(client, "/board/live", **{"HX-Request": "true"}) == 200
    later(world, minutes=2)  # polling did not count as use: idle since 121 minutes
    assert await status_of(client) == 303
    client = await world.signed_in("vanphong")
    for _ in range(11):
        later(world, hours=1)
        assert await status_of(client) == 200
    later(world, hours=1, minutes=1)
    assert await status_of(client) == 303  # 12 hours after sign-in, however active


async def test_cookie_flags_and_secure_under_https(world_factory) -> None:  # type: ignore[no-untyped-def]
    env = {"NOTIFIER_PUBLIC_URL": "https://notifier.example.vn"}
    world: World = await asyncio.to_thread(world_factory, env)
    client = await world.client()
    try:
        async with client.get("/login") as response:
            cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    finally:
        await client.close()


async def test_security_headers(world: World) -> None:
    client = await world.signed_in("vanphong")
    for path in ("/", "/login", "/log", "/task/1"):
        async with client.get(path) as response:
            csp = response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in csp and "style-src 'self'" in csp
            assert "unsafe-inline" not in csp and "default-src 'none'" in csp
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["Cache-Control"] == "no-store"
            assert "<script>" not in await response.text()  # no inline script
    async with client.get("/a/nonsense") as response:  # answer pages keep their own policy
        assert response.status == 403
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "script-src" not in response.headers["Content-Security-Policy"]


async def test_every_board_route_is_guarded(world: World) -> None:
    client = await world.client()
    # signed links carry their own credential: answers and the compiled report's files
    open_routes = {"healthz", "static", "answer_show", "answer_record", "report_file"}
    for route in client.app.router.routes():
        name = route.name or ""
        assert name in open_routes or name.startswith(PREFIX), route
        if name.startswith(PREFIX) and name not in (PREFIX + "login", PREFIX + "login_submit"):
            path = re.sub(r"\{[a-z_]+\}", "1", route.resource.canonical)  # type: ignore[union-attr]
            async with client.request(route.method, path, allow_redirects=False) as response:
                assert response.status in (303, 403), (route.method, path)
                if route.method == "GET":
                    assert response.headers["Location"].startswith("/login?next=")


async def test_next_only_goes_to_this_site(world: World) -> None:
    client = await world.client()
    token = await csrf_of(client)
    form = {"csrf": token, "login": "vanphong", "password": PASSWORD, "next": "//evil.example"}
    async with client.post("/login", data=form, allow_redirects=False) as response:
        assert response.headers["Location"] == "/"
