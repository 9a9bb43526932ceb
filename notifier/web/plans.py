"""The plans (``/plans``) and a plan's page (``/plan/<id>``) with its compiled report as
Word, Excel and CSV downloads (``/plan/<id>/report.<format>``).

The same files as ``notifier report``: the same builder, the same names. A period
(``?period=2024-H1``) and a day (``?at=2024-06-20``, status at the end of it) may be
chosen; without them the report is as of now. A bad value is a 400 page naming what
would be valid. Only accounts with :class:`Permission.REPORT` reach these routes (the
report lists every agency's tasks: office, viewer, admin; not agency accounts).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import func
from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, as_utc
from notifier.errors import NotFound
from notifier.reports import CompiledReport, PeriodError, ReportingPeriod, parse_period
from notifier.reports.files import FILE_LABELS, ReportFormat, default_at, period_code
from notifier.reports.periods import PeriodKind
from notifier.runtime import Runtime
from notifier.store.models import Plan, Task
from notifier.textfmt import vn_date
from notifier.web.board import plan_name
from notifier.web.guard import RUNTIME, error_page, page_context
from notifier.web.reportfiles import file_response, load_report
from notifier.web.templating import render

# The periods offered per year, in the order a report calendar runs.
PERIOD_KINDS = (
    (PeriodKind.QUARTER, 1), (PeriodKind.QUARTER, 2), (PeriodKind.FIRST_HALF, 0),
    (PeriodKind.QUARTER, 3), (PeriodKind.NINE_MONTHS, 0), (PeriodKind.QUARTER, 4),
    (PeriodKind.SECOND_HALF, 0), (PeriodKind.YEAR, 0),
)  # fmt: skip
YEARS_OFFERED = 5


@dataclass(frozen=True)
class PlanRow:
    id: int
    name: str
    date: str
    title: str
    issuer: str
    tasks: int


@dataclass(frozen=True)
class ReportQuery:
    """The plan page's choice: a period and a day, both optional."""

    period: ReportingPeriod | None = None
    day: date | None = None

    def params(self) -> dict[str, str]:
        values = {
            "period": period_code(self.period) if self.period else "",
            "at": self.day.isoformat() if self.day else "",
        }
        return {k: v for k, v in values.items() if v}

    def suffix(self) -> str:
        params = self.params()
        return "?" + urlencode(params) if params else ""

    def at(self, now: datetime) -> datetime:
        if self.day is not None:
            return as_utc(datetime.combine(self.day, time(23, 59, 59), tzinfo=VN_TZ))
        return default_at(now, self.period)


class BadQuery(ValueError):
    """A period or a day the page cannot read; the message says what would be valid."""


def parse_query(query: Mapping[str, str]) -> ReportQuery:
    raw_period, raw_day = query.get("period", "").strip(), query.get("at", "").strip()
    period, day = None, None
    if raw_period:
        try:
            period = parse_period(raw_period[:40])
        except PeriodError as exc:
            raise BadQuery(str(exc)) from None
    if raw_day:
        day = _day(raw_day[:40])
    return ReportQuery(period, day)


def _day(text: str) -> date:
    """2024-06-20 (what a date field sends) or 20/6/2024 (as people write it)."""
    try:
        if "/" in text:
            d, m, y = (int(part) for part in text.split("/"))
            return date(y, m, d)
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuery(
            f"Ngày '{text}' không hợp lệ. Ghi ngày/tháng/năm (ví dụ 20/6/2024) hoặc "
            "năm-tháng-ngày (2024-06-20); tình hình được tính đến hết ngày đó."
        ) from None


def load_plans(runtime: Runtime) -> list[PlanRow]:
    with Session(runtime.engine) as session:
        plans = session.exec(select(Plan).order_by(col(Plan.id))).all()
        counts = dict(
            session.exec(
                select(Task.plan_id, func.count()).where(Task.active).group_by(col(Task.plan_id))
            ).all()
        )
    return [
        PlanRow(
            id=p.id or 0,
            name=plan_name(p),
            date=p.plan_date,
            title=" ".join(p.title.split()),
            issuer=p.issuer,
            tasks=counts.get(p.id or 0, 0),
        )  # fmt: skip
        for p in plans
    ]


def period_choices(report: CompiledReport, today: date) -> list[tuple[str, str]]:
    """(code, label) of the periods of the plan's years up to this one, latest year first."""
    years = {i.deadline.year for i in report.items if i.deadline.year <= today.year}
    years.add(today.year)
    first = max(min(years), today.year - YEARS_OFFERED + 1)
    choices = []
    for year in range(today.year, first - 1, -1):
        for kind, index in PERIOD_KINDS:
            period = ReportingPeriod(year, kind, index)
            if period.span[0] <= today:
                choices.append((period_code(period), period.label))
    return choices


def _plan_id(request: web.Request) -> int | None:
    raw = request.match_info["plan_id"]
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def _html(body: str) -> web.Response:
    return web.Response(text=body, content_type="text/html", charset="utf-8")


async def plans_page(request: web.Request) -> web.StreamResponse:
    plans = await asyncio.to_thread(load_plans, request.app[RUNTIME])
    body = render("plans.html", title="Các kế hoạch", plans=plans, **page_context(request))
    return _html(body)


async def _report(request: web.Request) -> tuple[CompiledReport, ReportQuery] | web.Response:
    """The report the request asks for, or the error page to answer with."""
    runtime = request.app[RUNTIME]
    plan_id = _plan_id(request)
    if plan_id is None:
        return error_page(request, 404, "Không tìm thấy", "Không có kế hoạch này.")
    try:
        query = parse_query(request.query)
    except BadQuery as exc:
        return error_page(request, 400, "Yêu cầu không hợp lệ", str(exc))
    at = query.at(runtime.clock.now())
    try:
        report = await asyncio.to_thread(load_report, runtime, plan_id, query.period, at)
    except NotFound as exc:
        return error_page(request, 404, "Không tìm thấy", str(exc))
    return report, query


async def plan_page(request: web.Request) -> web.StreamResponse:
    found = await _report(request)
    if isinstance(found, web.Response):
        return found
    report, query = found
    today = as_utc(request.app[RUNTIME].clock.now()).astimezone(VN_TZ).date()
    base = f"/plan/{report.plan.id}/report"
    downloads = [(FILE_LABELS[f], f"{base}.{f.value}{query.suffix()}") for f in ReportFormat]
    body = render(
        "plan.html", title=plan_name_of(report), report=report, q=query,
        period_value=period_code(query.period) if query.period else "",
        day_value=vn_date(query.day) if query.day else "",
        periods=period_choices(report, today), downloads=downloads,
        rows=list(zip(report.tasks.rows(), report.reports.rows(), strict=True)),
        **page_context(request),
    )  # fmt: skip
    return _html(body)


def plan_name_of(report: CompiledReport) -> str:
    number = report.plan.number.strip()
    return f"Kế hoạch số {number}" if number and not number.startswith("/") else "Kế hoạch"


async def plan_file(request: web.Request) -> web.StreamResponse:
    try:
        fmt = ReportFormat(request.match_info["fmt"])
    except ValueError:
        return error_page(request, 404, "Không tìm thấy", "Không có tệp này.")
    found = await _report(request)
    if isinstance(found, web.Response):
        return found
    return file_response(found[0], fmt)
