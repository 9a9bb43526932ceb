"""The delivery and answer log (``/log``) with filters, and the same rows as CSV (``/log.csv``).

Filters: plan, task reference, kind of entry (delivery / answer), channel, from and to
(days, Vietnam time). An agency account sees only entries of the tasks it sees; entries
without a task (digests, test messages, alerts) only reach accounts that see everything.
The CSV is UTF-8 with a byte-order mark, so that spreadsheet programs show the
Vietnamese text as written.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from aiohttp import web
from sqlmodel import Session

from notifier.accounts.access import Principal, agency_scope, sees
from notifier.clock import VN_TZ, as_utc
from notifier.runtime import Runtime
from notifier.status import LogEntry, answer_log
from notifier.store.facts import load_occurrences
from notifier.textfmt import parse_vn_date, vn_datetime
from notifier.web import labels
from notifier.web.guard import RUNTIME, page_context, principal
from notifier.web.templating import render

PAGE_ROWS = 500
EVENTS = ("delivery", "answer")
CHANNELS = ("email", "zalo", "telegram", "console", "web", "board", "cli")


def _day(value: str | None) -> date | None:
    """20/6/2024 as people type it, or ISO (the CSV link); anything else: no bound."""
    try:
        return parse_vn_date(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class LogQuery:
    plan: int | None = None
    task: str = ""
    event: str = ""
    channel: str = ""
    start: date | None = None
    end: date | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> LogQuery:
        plan = query.get("plan", "")
        event, channel = query.get("event", ""), query.get("channel", "")
        return cls(
            plan=int(plan) if plan.isdigit() and len(plan) < 10 else None,
            task=query.get("task", "").strip()[:32],
            event=event if event in EVENTS else "",
            channel=channel if channel in CHANNELS else "",
            start=_day(query.get("from")),
            end=_day(query.get("to")),
        )

    def params(self) -> dict[str, str]:
        values = {
            "plan": self.plan, "task": self.task, "event": self.event, "channel": self.channel,
            "from": self.start, "to": self.end,
        }  # fmt: skip
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def keeps(self, entry: LogEntry) -> bool:
        local = as_utc(entry.at).astimezone(VN_TZ).date()
        return (
            (not self.event or entry.event == self.event)
            and (not self.channel or entry.channel == self.channel)
            and (self.end is None or local <= self.end)
        )


def _since(day: date | None) -> datetime | None:
    return as_utc(datetime.combine(day, time(0), tzinfo=VN_TZ)) if day else None


def load_log(
    runtime: Runtime, who: Principal, query: LogQuery
) -> tuple[list[LogEntry], list[tuple[int, str]]]:
    """Entries (oldest first) and the plans the account may filter by."""
    with Session(runtime.engine) as session:
        occurrences = [o for o in load_occurrences(session, runtime.policy) if sees(who, o.roles)]
        plans = sorted({(o.plan_id, o.plan_number or "(chưa có số)") for o in occurrences})
        ids = None
        if agency_scope(who) is not None or query.plan is not None or query.task:
            ids = [
                o.deadline_id
                for o in occurrences
                if (query.plan is None or o.plan_id == query.plan)
                and (not query.task or o.task_ref == query.task)
            ]
        entries = answer_log(session, since=_since(query.start), deadline_ids=ids)
    return [e for e in entries if query.keeps(e)], plans


async def log_page(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    query = LogQuery.parse(request.query)
    entries, plans = await asyncio.to_thread(load_log, runtime, principal(request), query)
    newest = list(reversed(entries))[:PAGE_ROWS]
    body = render(
        "log.html", title="Nhật ký gửi tin và phản hồi", entries=newest, total=len(entries),
        shown=len(newest), q=query, plans=plans, events=EVENTS, channels=CHANNELS,
        **page_context(request),
    )  # fmt: skip
    return web.Response(text=body, content_type="text/html", charset="utf-8")


COLUMNS = ("Thời gian", "Loại", "Người", "Cơ quan", "Kênh", "Nội dung", "Kết quả", "Ghi chú",
           "Tin số", "Nhiệm vụ")  # fmt: skip


def to_csv(entries: list[LogEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in entries:
        what = labels.label(labels.KIND if e.event == "delivery" else labels.ANSWER, e.action)
        writer.writerow([
            vn_datetime(e.at), labels.label(labels.EVENT, e.event), e.person, e.agency,
            labels.label(labels.CHANNEL, e.channel), what, labels.label(labels.STATUS, e.outcome),
            e.note, e.message_id or "", e.task,
        ])  # fmt: skip
    return "\ufeff" + out.getvalue()


async def log_csv(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    query = LogQuery.parse(request.query)
    entries, _plans = await asyncio.to_thread(load_log, runtime, principal(request), query)
    stamp = runtime.clock.now().astimezone(VN_TZ).strftime("%Y%m%d-%H%M")
    return web.Response(
        body=to_csv(entries).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="nhat-ky-{stamp}.csv"'},
    )
