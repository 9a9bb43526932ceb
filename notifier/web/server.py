"""One aiohttp application for the web board and the answer links, and how it is served.

``notifier run`` serves it (see :func:`install`). In Telegram or Zalo webhook mode the
same server also receives the webhook, with its secret checked on every request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from notifier.accounts.access import Permission
from notifier.interact.web import MAX_FORM_BYTES, add_answer_routes
from notifier.runtime import Runtime
from notifier.signing import load_secret_key
from notifier.web import (
    actions,
    auth,
    board,
    calendar,
    directory,
    log,
    people,
    plans,
    preview,
    task,
    upload,
)
from notifier.web.botinfo import USERNAME
from notifier.web.guard import CODEC, RUNTIME, Route, add_routes, guard
from notifier.web.reportfiles import add_report_link_route
from notifier.web.security import security_headers
from notifier.web.sessions import Lifetimes, SessionCodec
from notifier.web.templating import STATIC

log_ = logging.getLogger(__name__)
Setup = Callable[[web.Application], None]


def directory_routes() -> list[Route]:
    """The directory pages: office reads, admin edits (``new`` comes before ``{code}``)."""
    read, edit = Permission.READ_DIRECTORY, Permission.EDIT_DIRECTORY
    d, p = directory, people
    return [
        Route("GET", "/directory", d.directory_page, "directory", read),
        Route("GET", "/directory/agency/new", d.agency_page, "agency_new", edit),
        Route("POST", "/directory/agency/new", d.agency_submit, "agency_create", edit),
        Route("GET", "/directory/agency/{code}", d.agency_page, "agency", read),
        Route("POST", "/directory/agency/{code}", d.agency_submit, "agency_save", edit),
        Route("GET", "/directory/group/new", d.group_page, "group_new", edit),
        Route("POST", "/directory/group/new", d.group_submit, "group_create", edit),
        Route("GET", "/directory/group/{code}", d.group_page, "group", read),
        Route("POST", "/directory/group/{code}", d.group_submit, "group_save", edit),
        Route("GET", "/directory/person/new", p.person_page, "person_new", edit),
        Route("POST", "/directory/person/new", p.person_submit, "person_create", edit),
        Route("GET", "/directory/person/{key}", p.person_page, "person", read),
        Route("POST", "/directory/person/{key}", p.person_submit, "person_save", edit),
        Route("POST", "/directory/person/{key}/invite", p.invite_submit, "invite", edit),
        Route("POST", "/directory/person/{key}/test", p.test_submit, "send_test", edit),
        Route("GET", "/directory/test/{row_id}", p.test_result_fragment, "test_result", edit),
        Route("POST", "/directory/{kind}/{code}/handback", d.handback_submit, "handback", edit),
    ]


ROUTES = [
    Route("GET", "/login", auth.login_form, "login", None),
    Route("POST", "/login", auth.login_submit, "login_submit", None),
    Route("POST", "/logout", auth.logout, "logout", Permission.READ),
    Route("GET", "/", board.board_page, "board", Permission.READ),
    Route("GET", "/board/live", board.board_live, "board_live", Permission.READ),
    Route("GET", "/task/{deadline_id}", task.task_page, "task", Permission.READ),
    Route(
        "POST", "/task/{deadline_id}/{action}", actions.task_action, "task_action", Permission.ACT
    ),  # fmt: skip
    Route("GET", "/log", log.log_page, "log", Permission.READ),
    Route("GET", "/preview", preview.preview_page, "preview", Permission.READ),
    Route("GET", "/log.csv", log.log_csv, "log_csv", Permission.READ),
    Route("GET", "/plans/upload", upload.upload_form, "upload", Permission.IMPORT_PLANS),
    Route("POST", "/plans/upload", upload.upload_submit, "upload_submit", Permission.IMPORT_PLANS),
    Route("GET", "/plans/upload/{upload_id}", upload.check_page, "upload_check",
          Permission.IMPORT_PLANS),
    Route("POST", "/plans/upload/{upload_id}/resolve", upload.resolve_submit, "upload_resolve",
          Permission.IMPORT_PLANS),
    Route("POST", "/plans/upload/{upload_id}/import", upload.import_submit, "upload_import",
          Permission.IMPORT_PLANS),
    Route("GET", "/calendar", calendar.calendar_page, "calendar", Permission.READ),
    Route("POST", "/calendar/add", calendar.calendar_add, "calendar_add",
          Permission.EDIT_CALENDAR),
    Route("POST", "/calendar/remove", calendar.calendar_remove, "calendar_remove",
          Permission.EDIT_CALENDAR),
    Route("GET", "/plans", plans.plans_page, "plans", Permission.REPORT),
    Route("GET", "/plan/{plan_id}", plans.plan_page, "plan", Permission.REPORT),
    Route("GET", "/plan/{plan_id}/report.{fmt}", plans.plan_file, "plan_file", Permission.REPORT),
    *directory_routes(),
]  # fmt: skip


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n", headers={"Cache-Control": "no-store"})


def session_codec(runtime: Runtime, key: bytes) -> SessionCodec:
    file = runtime.settings.file
    lifetimes = Lifetimes(
        idle=timedelta(minutes=file.web.session_idle_minutes),
        absolute=timedelta(hours=file.web.session_max_hours),
    )
    return SessionCodec(key, lifetimes, secure=file.public_url.lower().startswith("https://"))


def make_web_app(
    runtime: Runtime, secret_key: bytes | None = None, *, setup: Sequence[Setup] = ()
) -> web.Application:
    """The application; the key defaults to the installation's signing key.

    ``setup`` callables may add routes (e.g. the Telegram webhook) before it starts.
    """
    if secret_key is None:
        settings = runtime.settings
        secret_key = load_secret_key(settings.secret_key, Path(settings.file.secret_key_file))
    app = web.Application(client_max_size=MAX_FORM_BYTES, middlewares=[security_headers, guard])
    app[RUNTIME] = runtime
    app[CODEC] = session_codec(runtime, secret_key)
    app[USERNAME] = {}
    app.router.add_get("/healthz", healthz, name="healthz")
    app.router.add_static("/static", STATIC, name="static")
    add_answer_routes(app, runtime, secret_key)
    add_report_link_route(app, secret_key)
    add_routes(app, ROUTES)
    for add in setup:
        add(app)
    return app


async def serve_web(
    runtime: Runtime,
    stop_event: asyncio.Event,
    *,
    host: str | None = None,
    port: int | None = None,
    setup: Sequence[Setup] = (),
    started: Callable[[int], None] | None = None,
) -> None:
    """Serve the app on settings.file.http (or host/port) until ``stop_event`` is set
    (or the task is cancelled). ``started`` gets the bound port (port 0 in tests)."""
    http = runtime.settings.file.http
    bot = _webhook_bot(runtime)
    extra = list(setup)
    if bot is not None:
        from notifier.interact.telegram_io import add_webhook_route

        await bot.initialize()
        extra.append(lambda app: add_webhook_route(app, runtime, bot))
    zalo = _zalo_webhook(runtime)
    if zalo is not None:
        extra.append(zalo)
    runner = web.AppRunner(make_web_app(runtime, setup=extra), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host or http.host, http.port if port is None else port)
    try:
        await site.start()
        bound = _bound_port(runner)
        log_.info("web app listening on %s:%s", host or http.host, bound)
        if started is not None:
            started(bound)
        await stop_event.wait()
    finally:
        await runner.cleanup()
        if bot is not None:
            await bot.shutdown()


def _webhook_bot(runtime: Runtime) -> Any:
    settings = runtime.settings
    if not (settings.telegram_token and settings.file.telegram.webhook_url):
        return None
    from notifier.interact.telegram_io import make_bot

    return make_bot(runtime)


def _zalo_webhook(runtime: Runtime) -> Any:
    """The Zalo webhook route (secret checked on every request), in webhook mode."""
    from notifier.interact.zalo_io import webhook_setup

    return webhook_setup(runtime)


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return 0


def install(service: Any) -> None:
    """A ``notifier.engine.service`` extra task: serve the web app with `run`.

    A port already in use is logged, not fatal: sweep and dispatch go on.
    """

    async def web_task() -> None:
        try:
            await serve_web(service.runtime, asyncio.Event())
        except OSError as exc:
            log_.error("web app not started: %s", exc)

    service.extra_tasks.append(web_task)
