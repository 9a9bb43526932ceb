"""The board (``/``) and its live part (``/board/live``, polled by htmx).

Read-only for now: the four official buckets with counts, then the open items with
the filters of :mod:`notifier.web.boardquery`. The live part is the same template
block rendered alone, so a new answer shows within ``board_refresh_seconds``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from sqlmodel import Session, col, select

from notifier.accounts.access import Permission, Principal, agency_scope, can, sees
from notifier.accounts.roles import AccountRole
from notifier.runtime import Runtime
from notifier.status import Board, status_board
from notifier.store.models import Agency, Plan
from notifier.story import Request, pending_requests
from notifier.web.boardquery import BoardQuery, BoardView, apply
from notifier.web.guard import RUNTIME, page_context, principal
from notifier.web.templating import render


@dataclass(frozen=True)
class Choices:
    """What the filter lists offer: only plans and agencies the account sees."""

    plans: list[tuple[int, str]]
    agencies: list[tuple[str, str]]
    plan_names: dict[int, str]  # short names for the rows: the number, or "chưa có số"
    requests: tuple[Request, ...] = ()  # extension requests awaiting the office
    refs: dict[int, str] = field(default_factory=dict)  # deadline id -> task reference


def plan_name(plan: Plan, long: bool = False) -> str:
    number = plan.number.strip()
    name = number if number and not number.startswith("/") else "Kế hoạch chưa có số"
    title = " ".join(plan.title.split())
    if long and title:
        name += " – " + (title if len(title) <= 70 else title[:69] + "…")
    return name


def load_board(runtime: Runtime, who: Principal, now: datetime) -> tuple[Board, Choices]:
    with Session(runtime.engine) as session:
        board = status_board(session, runtime, now, where=lambda occ: sees(who, occ.roles))
        names = {a.code: a.name for a in session.exec(select(Agency))}
        ids = {i.plan_id for i in board.items}
        plans = [p for p in session.exec(select(Plan).where(col(Plan.id).in_(ids)))]
        requests = pending_requests(session) if can(who, Permission.ACT) else ()
    refs = {i.deadline_id: i.task for i in board.items}
    requests = tuple(
        r for r in requests if r.deadline_id in refs and who.role != AccountRole.AGENCY
    )
    codes = {c for i in board.items for c in (*i.lead_codes, *i.coordinating_codes)}
    scope = agency_scope(who)
    agencies = sorted(
        ((c, names.get(c, c)) for c in codes if scope is None or c == scope),
        key=lambda pair: pair[1],
    )
    choices = sorted(((p.id or 0, plan_name(p, long=True)) for p in plans), key=lambda c: c[1])
    names_ = {p.id or 0: plan_name(p) for p in plans}
    return board, Choices(choices, agencies, names_, requests, refs)


def _html(body: str) -> web.Response:
    return web.Response(text=body, content_type="text/html", charset="utf-8")


async def _view(request: web.Request) -> tuple[Board, BoardView, BoardQuery, Choices]:
    runtime = request.app[RUNTIME]
    query = BoardQuery.parse(request.query)
    board, choices = await asyncio.to_thread(
        load_board, runtime, principal(request), runtime.clock.now()
    )
    return board, apply(board, query), query, choices


def _context(request: web.Request) -> dict[str, object]:
    runtime = request.app[RUNTIME]
    return {
        "refresh": runtime.settings.file.web.board_refresh_seconds,
        **page_context(request),
    }


async def board_page(request: web.Request) -> web.StreamResponse:
    board, view, query, choices = await _view(request)
    return _html(
        render(
            "board.html",
            title="Bảng theo dõi nhiệm vụ",
            board=board,
            view=view,
            q=query,
            choices=choices,
            plan_names=choices.plan_names,
            **_context(request),
        )  # fmt: skip
    )


async def board_live(request: web.Request) -> web.StreamResponse:
    board, view, query, choices = await _view(request)
    page = render(
        "_board_live.html",
        board=board,
        view=view,
        q=query,
        plan_names=choices.plan_names,
        **_context(request),
    )
    return _html(page)
