"""The calendar page (``/calendar``): the year's days off and make-up working days with
their source; admins add or remove a local day, which moves the stored deadlines it
touches (through :mod:`notifier.services.calendar`, as ``notifier calendar`` does) and
the page then says what moved. Everyone signed in reads it; only admins change it.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from notifier.accounts.access import Permission, can
from notifier.domain.calendar import SOURCE_LABELS, Source
from notifier.services.calendar import (
    CalendarInputError,
    add_local_day,
    parse_day,
    remove_local_day,
)
from notifier.store.calendar_notice import estimate_notice
from notifier.store.deadlines import CalendarChange
from notifier.textfmt import vn_date
from notifier.web.guard import RUNTIME, page_context, principal
from notifier.web.templating import render


def _year(request: web.Request, default: int) -> int:
    raw = request.query.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default


def _page(
    request: web.Request,
    *,
    year: int | None = None,
    error: str = "",
    change: CalendarChange | None = None,
    done: str = "",
    status: int = 200,
) -> web.Response:
    runtime = request.app[RUNTIME]
    today = runtime.clock.now().astimezone(runtime.settings.tz).date()
    year = year or _year(request, today.year)
    calendar = runtime.calendar
    body = render(
        "calendar.html", title=f"Lịch làm việc năm {year}", year=year,
        days=calendar.year_days(year), sources=SOURCE_LABELS, local=Source.LOCAL,
        confirmed=calendar.confirmation(year), notice=estimate_notice(calendar, today),
        editable=can(principal(request), Permission.EDIT_CALENDAR), error=error,
        change=change, done=done, **page_context(request),
    )  # fmt: skip
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


async def calendar_page(request: web.Request) -> web.StreamResponse:
    return _page(request)


async def calendar_add(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    runtime, who = request.app[RUNTIME], principal(request)
    kind = str(form.get("kind", ""))
    try:
        day = parse_day(str(form.get("day", "")))
        if kind not in ("off", "working"):
            raise CalendarInputError("Chọn loại ngày: ngày nghỉ hoặc ngày làm việc bù.")
        change = await asyncio.to_thread(
            add_local_day, runtime, day, kind == "working", str(form.get("reason", "")),
            who.login, runtime.clock.now(),
        )  # fmt: skip
    except CalendarInputError as exc:
        return _page(request, error=str(exc), status=422)
    what = "ngày làm việc bù" if kind == "working" else "ngày nghỉ"
    return _page(request, year=day.year, change=change, done=f"Đã thêm {what} {vn_date(day)}")


async def calendar_remove(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    runtime, who = request.app[RUNTIME], principal(request)
    try:
        day = parse_day(str(form.get("day", "")))
        change = await asyncio.to_thread(
            remove_local_day, runtime, day, who.login, runtime.clock.now()
        )
    except CalendarInputError as exc:
        return _page(request, error=str(exc), status=422)
    return _page(request, year=day.year, change=change, done=f"Đã bỏ ngày {vn_date(day)}")
