"""The login and logout pages.

A successful sign-in opens a new session (new CSRF secret, so a token seen before
sign-in is worthless after it) and goes to ``next`` when it is a path of this site.
Failures all get the same sentence; a limited login or address gets a page saying
when to try again. Logout raises the account's session version: every cookie of
that account stops working, on every device.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiohttp import web

from notifier.accounts.login import LoginResult, authenticate
from notifier.runtime import Runtime
from notifier.store.db import session_scope
from notifier.store.models import Account
from notifier.textfmt import vn_datetime
from notifier.vocab import LoginOutcome
from notifier.web.guard import (
    PRINCIPAL,
    RUNTIME,
    error_page,
    page_context,
    redirect,
    start_session,
)
from notifier.web.guard import (
    principal as current,
)
from notifier.web.sessions import new_session
from notifier.web.templating import render

MAX_FIELD = 256


def _next(value: str | None) -> str:
    """Only a local path: never a redirect to another site."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


def _login_page(
    request: web.Request, status: int = 200, error: str = "", login: str = ""
) -> web.Response:
    body = render(
        "login.html", title="Đăng nhập", error=error, login=login,
        next=_next(request.query.get("next")), **page_context(request),
    )  # fmt: skip
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


async def login_form(request: web.Request) -> web.StreamResponse:
    if request.get(PRINCIPAL) is not None:
        return redirect("/")
    return _login_page(request)


def _client_address(request: web.Request) -> str:
    """The peer address (a proxy in front must be trusted explicitly: not done here)."""
    return request.remote or "unknown"


def _authenticate(
    runtime: Runtime, login: str, password: str, address: str, now: datetime
) -> LoginResult:
    with session_scope(runtime.engine) as session:
        result = authenticate(session, login, password, address, now)
        if result.account is not None:
            session.flush()
            session.expunge(result.account)
        return result


async def login_submit(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    form = await request.post()
    login = str(form.get("login", ""))[:MAX_FIELD]
    password = str(form.get("password", ""))[:MAX_FIELD]
    now = runtime.clock.now()
    result = await asyncio.to_thread(
        _authenticate, runtime, login, password, _client_address(request), now
    )
    if result.outcome == LoginOutcome.LIMITED:
        when = vn_datetime(result.retry_at) if result.retry_at else "15 phút nữa"
        return error_page(
            request, 429, "Tạm khóa đăng nhập",
            "Đăng nhập sai quá nhiều lần trong 15 phút. Vì an toàn, việc đăng nhập tạm thời bị "
            f"khóa; vui lòng thử lại sau {when}. Nếu quên mật khẩu, đề nghị liên hệ quản trị viên.",
        )  # fmt: skip
    if not result.ok or result.account is None or result.account.id is None:
        return _login_page(request, 401, "Tên đăng nhập hoặc mật khẩu không đúng.", login)
    account = result.account
    start_session(request, new_session(now, account.id, account.session_version))
    return redirect(_next(str(form.get("next", "")) or None))


def _end_sessions(runtime: Runtime, account_id: int, now: datetime) -> None:
    with session_scope(runtime.engine) as session:
        account = session.get(Account, account_id)
        if account is not None:
            account.session_version += 1
            account.updated_at = now
            session.add(account)


async def logout(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    now = runtime.clock.now()
    await asyncio.to_thread(_end_sessions, runtime, current(request).account_id, now)
    start_session(request, new_session(now))
    return redirect("/login")
