"""The task page (``/task/<deadline id>``): what the task is, every deadline, the timeline,
and the forms of the actions the account may take (:mod:`notifier.web.actions`).

The access check comes first, on the task's roles: an agency account asking for a
task its agency neither leads nor coordinates gets a 403 and nothing of the task.
Only the forms the account may use are shown (``may_act``); the POST checks again.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiohttp import web
from sqlmodel import Session

from notifier.accounts.access import Principal, may_act, sees
from notifier.clock import VN_TZ, as_utc
from notifier.errors import NotFound
from notifier.runtime import Runtime
from notifier.story import TaskStory, task_roles_of, task_story
from notifier.vocab import AckAction, DeadlineStatus
from notifier.web.guard import RUNTIME, error_page, forbidden, page_context, principal
from notifier.web.templating import render

# The sentence shown after an action succeeded (``?ok=<action>``, after the redirect).
DONE_NOTICES = {
    AckAction.DONE: "Đã ghi nhận hoàn thành nhiệm vụ; các thông báo nhắc hạn còn lại đã dừng.",
    AckAction.ESCALATED: "Đã chuyển cấp đôn đốc; thông báo được gửi ngay.",
    AckAction.RECEIVED: "Đã ghi nhận người nhận đã nhận thông báo.",
    AckAction.EXTENDED: "Đã gia hạn; các lần nhắc hạn được lập lại theo hạn mới.",
    AckAction.EXTENSION_REFUSED: "Đã ghi nhận không chấp thuận đề nghị gia hạn; người đề nghị "
    "được thông báo.",
}


def load_story(
    runtime: Runtime, who: Principal, deadline_id: int, now: datetime
) -> TaskStory | None:
    """The story, or None when the account may not see this task."""
    with Session(runtime.engine) as session:
        if not sees(who, task_roles_of(session, runtime, deadline_id)):
            return None
        return task_story(session, runtime, deadline_id, now)


def _forms(who: Principal, story: TaskStory) -> dict[str, object]:
    """Which action forms the page shows this account (none once the deadline is done)."""
    is_open = story.current.status == DeadlineStatus.OPEN
    allowed = {
        a.value: is_open and may_act(who, story.access, a)
        for a in (AckAction.DONE, AckAction.ESCALATED, AckAction.EXTENDED)
    }
    receivable = [
        r
        for r in story.receivable
        if is_open and may_act(who, story.access, AckAction.RECEIVED, r.agency_code)
    ]
    requests = list(story.requests) if is_open and allowed[AckAction.EXTENDED.value] else []
    return {"allowed": allowed, "receivable": receivable, "requests": requests,
            "any_form": any(allowed.values()) or bool(receivable)}  # fmt: skip


async def show_task(
    request: web.Request, deadline_id: int, *, error: str = "", status: int = 200
) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    who = principal(request)
    now = runtime.clock.now()
    try:
        story = await asyncio.to_thread(load_story, runtime, who, deadline_id, now)
    except NotFound as exc:
        return error_page(request, 404, "Không tìm thấy", str(exc))
    if story is None:
        return forbidden(request)
    ok = request.query.get("ok", "") if not error else ""
    notice = DONE_NOTICES.get(AckAction(ok)) if ok in AckAction._value2member_map_ else None
    body = render(
        "task.html", title=f"Nhiệm vụ {story.task_ref}", story=story, now=now,
        today=as_utc(now).astimezone(VN_TZ).date(), error=error,
        notice=notice or "", **_forms(who, story), **page_context(request),
    )  # fmt: skip
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


async def task_page(request: web.Request) -> web.StreamResponse:
    raw = request.match_info["deadline_id"]
    if not raw.isdigit() or len(raw) > 12:
        return error_page(request, 404, "Không tìm thấy", "Không có nhiệm vụ này.")
    return await show_task(request, int(raw))
