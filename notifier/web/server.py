"""One aiohttp application for the web board and the answer links, and how it is served.

``notifier run`` serves it (see :func:`install`). In Telegram webhook mode the same
server also receives the webhook, with its secret checked on every request.
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
from notifier.web import auth, board, log, plans, task
from notifier.web.guard import CODEC, RUNTIME, Route, add_routes, guard
from notifier.web.reportfiles import add_report_link_route
from notifier.web.security import security_headers
from notifier.web.sessions import Lifetimes, SessionCodec
from notifier.web.templating import STATIC

log_ = logging.getLogger(__name__)
Setup = Callable[[web.Application], None]

ROUTES = [
    Route("GET", "/login", auth.login_form, "login", None),
    Route("POST", "/login", auth.login_submit, "login_submit", None),
    Route("POST", "/logout", auth.logout, "logout", Permission.READ),
    Route("GET", "/", board.board_page, "board", Permission.READ),
    Route("GET", "/board/live", board.board_live, "board_live", Permission.READ),
    Route("GET", "/task/{deadline_id}", task.task_page, "task", Permission.READ),
    Route("GET", "/log", log.log_page, "log", Permission.READ),
    Route("GET", "/log.csv", log.log_csv, "log_csv", Permission.READ),
    Route("GET", "/plans", plans.plans_page, "plans", Permission.REPORT),
    Route("GET", "/plan/{plan_id}", plans.plan_page, "plan", Permission.REPORT),
    Route("GET", "/plan/{plan_id}/report.{fmt}", plans.plan_file, "plan_file", Permission.REPORT),
]


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
