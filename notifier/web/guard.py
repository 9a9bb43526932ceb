"""Who is asking, and may they: the session middleware and the per-route check.

Board routes are registered through :func:`route` with the :class:`Permission` they
need (``None``: the login page, open to anyone). The middleware reads the session
cookie for those routes only, refuses an unsafe request without the right CSRF token
(403, handler not run), loads the account, and re-issues the cookie when it changed.
A visitor who is not signed in is sent to the login page (htmx requests get
``HX-Redirect``); a signed-in account without the permission gets a 403 page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from aiohttp import web
from sqlmodel import Session

from notifier.accounts.access import Permission, Principal, can
from notifier.accounts.roles import AccountRole
from notifier.runtime import Runtime
from notifier.store.models import Account, Agency
from notifier.web.security import SAFE_METHODS, csrf_ok
from notifier.web.sessions import COOKIE, SessionCodec, WebSession, new_session
from notifier.web.templating import render

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PREFIX = "web:"  # the names of board routes (the ones this middleware guards)

RUNTIME = web.AppKey("board_runtime", Runtime)
CODEC = web.AppKey("session_codec", SessionCodec)
PERMISSIONS = web.AppKey("route_permissions", dict)
SESSION = web.RequestKey("session", WebSession)
PRINCIPAL = web.RequestKey("principal", Principal)
NEW_COOKIE = web.RequestKey("new_session", WebSession)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    name: str
    permission: Permission | None  # None: open (login)


def add_routes(app: web.Application, routes: list[Route]) -> None:
    table: dict[str, Permission | None] = {}
    for r in routes:
        app.router.add_route(r.method, r.path, r.handler, name=PREFIX + r.name)
        table[PREFIX + r.name] = r.permission
    app[PERMISSIONS] = table


def load_principal(runtime: Runtime, session: WebSession) -> Principal | None:
    """The account behind a signed-in session, if it is still active and current."""
    if session.account_id is None:
        return None
    with Session(runtime.engine) as db:
        account = db.get(Account, session.account_id)
        if account is None or not account.active or account.session_version != session.version:
            return None
        agency = db.get(Agency, account.agency_id) if account.agency_id is not None else None
        return Principal(
            account_id=session.account_id,
            login=account.login,
            role=AccountRole(account.role),
            agency_code=agency.code if agency is not None and agency.active else None,
            agency_name=agency.name if agency is not None else "",
        )


def error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    body = render("error.html", title=title, message=message, **page_context(request))
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def page_context(request: web.Request) -> dict[str, object]:
    """What the layout needs: the account, the CSRF token, the current path."""
    session = request.get(NEW_COOKIE) or request.get(SESSION)
    who = request.get(PRINCIPAL)
    return {
        "who": who,
        "sees_directory": who is not None and can(who, Permission.READ_DIRECTORY),
        "can_report": who is not None and can(who, Permission.REPORT),
        "csrf": session.csrf if session else "",
        "path": request.path,
        "can_act": False,
    }


def _to_login(request: web.Request) -> web.StreamResponse:
    target = "/login?next=" + quote(request.path_qs, safe="")
    if request.headers.get("HX-Request"):
        return web.Response(status=401, headers={"HX-Redirect": target})
    return redirect(target)


def redirect(location: str) -> web.Response:
    """303 See Other: after a POST, and to the login page (a response, so cookies go out)."""
    return web.Response(status=303, headers={"Location": location})


async def _session_of(request: web.Request, now: datetime) -> WebSession:
    codec = request.app[CODEC]
    session = codec.loads(request.cookies.get(COOKIE), now)
    if session is None:
        session = new_session(now)
        request[NEW_COOKIE] = session
    request[SESSION] = session
    if session.signed_in:
        principal = await asyncio.to_thread(load_principal, request.app[RUNTIME], session)
        if principal is None:
            session = new_session(now)
            request[SESSION] = request[NEW_COOKIE] = session
        else:
            request[PRINCIPAL] = principal
            touched = None if request.headers.get("HX-Request") else codec.touched(session, now)
            if touched is not None:
                request[NEW_COOKIE] = touched
    return session


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    name = request.match_info.route.name or ""
    if not name.startswith(PREFIX):
        return await handler(request)
    now = request.app[RUNTIME].clock.now()
    session = await _session_of(request, now)
    if request.method not in SAFE_METHODS and not await csrf_ok(request, session):
        response: web.StreamResponse = error_page(
            request, 403, "Yêu cầu không hợp lệ",
            "Biểu mẫu thiếu mã xác thực hoặc mã đã hết hiệu lực. Không có thay đổi nào được "
            "ghi nhận. Vui lòng tải lại trang rồi thực hiện lại.",
        )  # fmt: skip
    else:
        response = await _checked(request, handler, request.app[PERMISSIONS][name])
    new = request.get(NEW_COOKIE)
    if new is not None:
        codec = request.app[CODEC]
        response.set_cookie(COOKIE, codec.dumps(new), **codec.cookie_options())
    return response


async def _checked(
    request: web.Request, handler: Handler, permission: Permission | None
) -> web.StreamResponse:
    if permission is None:
        return await handler(request)
    who = request.get(PRINCIPAL)
    if who is None:
        return _to_login(request)
    if not can(who, permission):
        return forbidden(request)
    return await handler(request)


def forbidden(request: web.Request) -> web.Response:
    return error_page(
        request, 403, "Không có quyền truy cập",
        "Tài khoản của đồng chí không được phép xem hoặc thực hiện nội dung này.",
    )  # fmt: skip


def principal(request: web.Request) -> Principal:
    """The signed-in account (routes with a permission always have one)."""
    return request[PRINCIPAL]


def start_session(request: web.Request, session: WebSession) -> None:
    """Replace the visitor's session (sign-in, sign-out): a new cookie goes out."""
    request[NEW_COOKIE] = session
    request[SESSION] = session
