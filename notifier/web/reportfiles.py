"""The compiled report of a plan as a download: one response for the plan page's links
and for the signed links of the compiled-report message.

The plan page's files are behind the board's login (:class:`Permission.REPORT`). A signed
link (``/f/<token>``, :func:`notifier.signing.report_link`) needs no login: like an answer
link, the token is the credential; it names the plan, the period, the report's instant
and the format, and expires after 30 days. A forged, altered or expired link gets a 403
page and no file. Both build the report with :func:`notifier.reports.build_report` at the
moment of the request, as of the instant they name, so the file of a message shows the
figures of that message.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiohttp import web
from sqlmodel import Session

from notifier.errors import NotFound, Refused
from notifier.reports import CompiledReport, ReportingPeriod, build_report
from notifier.reports.files import MIME_TYPES, ReportFormat, default_name, report_bytes
from notifier.reports.periods import period_of_label
from notifier.runtime import Runtime
from notifier.signing import read_report_token
from notifier.store.models import Plan
from notifier.web.guard import RUNTIME, error_page

SECRET = web.AppKey("report_link_secret", bytes)


def load_report(
    runtime: Runtime, plan_id: int, period: ReportingPeriod | None, at: datetime
) -> CompiledReport:
    """The plan's report as of ``at``; NotFound for an unknown plan."""
    with Session(runtime.engine) as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("Không có kế hoạch này.")
        return build_report(
            session, plan_key=plan.key, at=at, calendar=runtime.calendar,
            policy=runtime.policy, period=period,
        )  # fmt: skip


def file_response(report: CompiledReport, fmt: ReportFormat) -> web.Response:
    """The file, with its content type and its name (ASCII: :func:`default_name`)."""
    name = default_name(report, fmt)
    mime = MIME_TYPES[fmt]
    return web.Response(
        body=report_bytes(report, fmt),
        content_type=mime,
        charset="utf-8" if mime.startswith("text/") else None,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


def refused(request: web.Request, reason: str) -> web.Response:
    return error_page(request, 403, "Không tải được báo cáo", reason)


async def signed_file(request: web.Request) -> web.StreamResponse:
    """GET /f/<token>: the file the token names, without login."""
    runtime = request.app[RUNTIME]
    try:
        link = read_report_token(request.app[SECRET], request.match_info["token"],
                                 runtime.clock.now())  # fmt: skip
        fmt = ReportFormat(link.fmt)
    except Refused as exc:
        return refused(request, str(exc))
    except ValueError:
        return refused(request, "Liên kết tải báo cáo không hợp lệ.")
    period = period_of_label(link.period) if link.period else None
    try:
        report = await asyncio.to_thread(load_report, runtime, link.plan_id, period, link.at)
    except NotFound as exc:
        return error_page(request, 404, "Không tìm thấy", str(exc))
    return file_response(report, fmt)


def add_report_link_route(app: web.Application, secret_key: bytes) -> None:
    """The signed download links on the board's application (no session, no CSRF: GET)."""
    app[SECRET] = secret_key
    app.router.add_get("/f/{token}", signed_file, name="report_file")
