"""The task page (``/task/<deadline id>``): what the task is, every deadline, the timeline.

The access check comes first, on the task's roles: an agency account asking for a
task its agency neither leads nor coordinates gets a 403 and nothing of the task.
The page is read-only for now; its ``actions`` block is where the forms of the
office's actions (done, escalate, received, extend) go.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiohttp import web
from sqlmodel import Session

from notifier.accounts.access import Permission, Principal, can, sees
from notifier.errors import NotFound
from notifier.runtime import Runtime
from notifier.story import TaskStory, task_roles_of, task_story
from notifier.web.guard import RUNTIME, error_page, forbidden, page_context, principal
from notifier.web.templating import render


def load_story(
    runtime: Runtime, who: Principal, deadline_id: int, now: datetime
) -> TaskStory | None:
    """The story, or None when the account may not see this task."""
    with Session(runtime.engine) as session:
        if not sees(who, task_roles_of(session, runtime, deadline_id)):
            return None
        return task_story(session, runtime, deadline_id, now)


async def task_page(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    raw = request.match_info["deadline_id"]
    if not raw.isdigit() or len(raw) > 12:
        return error_page(request, 404, "Không tìm thấy", "Không có nhiệm vụ này.")
    who = principal(request)
    try:
        story = await asyncio.to_thread(load_story, runtime, who, int(raw), runtime.clock.now())
    except NotFound as exc:
        return error_page(request, 404, "Không tìm thấy", str(exc))
    if story is None:
        return forbidden(request)
    body = render(
        "task.html", title=f"Nhiệm vụ {story.task_ref}", story=story,
        now=runtime.clock.now(), **{**page_context(request), "can_act": can(who, Permission.ACT)},
    )  # fmt: skip
    return web.Response(text=body, content_type="text/html", charset="utf-8")
