"""The forward preview page (``/preview``): what will be sent in the next N working days,
to whom, on which channel, assuming nobody answers. Read-only.

The data path is the ``preview`` command's (:func:`notifier.forward.forward_items`); an
agency account sees only the messages of the tasks it sees (no digests: they cover every
task). The window starts now and ends with the N-th working day after today.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from aiohttp import web
from sqlmodel import Session, col, select

from notifier.accounts.access import Principal, sees
from notifier.clock import VN_TZ, as_utc
from notifier.domain.preview import PreviewItem
from notifier.forward import day_window, forward_items
from notifier.runtime import Runtime
from notifier.store.facts import load_occurrences
from notifier.store.models import Agency, Person, Plan
from notifier.web.board import plan_name
from notifier.web.guard import RUNTIME, page_context, principal
from notifier.web.templating import render

DEFAULT_DAYS = 5
MAX_DAYS = 30
PAGE_ROWS = 1000


@dataclass(frozen=True)
class PreviewQuery:
    days: int = DEFAULT_DAYS
    plan: str = ""  # plan key

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> PreviewQuery:
        raw = query.get("days", "")
        days = int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_DAYS else DEFAULT_DAYS
        return cls(days, query.get("plan", "").strip()[:200])


@dataclass(frozen=True)
class Forward:
    items: list[PreviewItem]
    last_day: date
    plans: list[tuple[str, str]]  # (key, name) of the plans the account sees
    people: dict[str, str]  # person key -> name
    agencies: dict[str, str]  # agency code -> name


def load_forward(runtime: Runtime, who: Principal, query: PreviewQuery, now: datetime) -> Forward:
    today = as_utc(now).astimezone(VN_TZ).date()
    last = runtime.calendar.add_working_days(today, query.days)
    _, end = day_window(today, last)
    with Session(runtime.engine) as session:
        seen = {o.plan_id for o in load_occurrences(session, runtime.policy) if sees(who, o.roles)}
        rows = session.exec(select(Plan).where(col(Plan.id).in_(seen))).all()
        plans = sorted(((p.key, plan_name(p, long=True)) for p in rows), key=lambda p: p[1])
        items = forward_items(
            session, runtime, now, end, plan_key=query.plan or None,
            where=lambda occ: sees(who, occ.roles),
        )  # fmt: skip
        people = {p.key: p.name for p in session.exec(select(Person))}
        agencies = {a.code: a.name for a in session.exec(select(Agency))}
    return Forward(items, last, plans, people, agencies)


async def preview_page(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    query = PreviewQuery.parse(request.query)
    now = runtime.clock.now()
    forward = await asyncio.to_thread(load_forward, runtime, principal(request), query, now)
    shown = forward.items[:PAGE_ROWS]
    body = render(
        "preview.html", title="Dự kiến gửi thông báo", forward=forward, items=shown,
        total=len(forward.items), q=query, now=now, max_days=MAX_DAYS, **page_context(request),
    )  # fmt: skip
    return web.Response(text=body, content_type="text/html", charset="utf-8")
