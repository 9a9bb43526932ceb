"""The answer-link web app: ``GET /a/{token}`` confirms, ``POST /a/{token}`` records.

Safety without CSRF cookies: the signed token in the path *is* the credential
(message, person, action, expiry; see :mod:`notifier.signing`), so a forged
cross-site POST would need the token itself. GET never changes anything, because
mail scanners and link previews open every link; only the POST calls a service
function. Forged, altered or expired tokens, and people who may no longer act on
the message, get a 403 page and change nothing. Pages are sent with
``Referrer-Policy: no-referrer`` (the token must not leak to other sites),
``Cache-Control: no-store`` and a CSP that allows no script at all.

Database work is synchronous (SQLModel), so handlers run it in a worker thread.
The routes live on the web board's application (:mod:`notifier.web.server`), which
leaves these pages their own headers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlmodel import Session

from notifier import services
from notifier.errors import NotFound, NotifierError, Refused
from notifier.interact.pages import TaskView, confirm_page, refused_page, result_page
from notifier.runtime import Runtime
from notifier.services import ByPerson, Target
from notifier.services.common import open_scope
from notifier.signing import AnswerToken, read_token
from notifier.store.models import Agency, Plan, Task
from notifier.textfmt import parse_vn_date
from notifier.vocab import AckAction, DeadlineStatus, Via

log = logging.getLogger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)
SECRET = web.AppKey("secret", bytes)
MAX_FORM_BYTES = 16 * 1024
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def _page(body: str, status: int = 200) -> web.Response:
    return web.Response(
        text=body, status=status, content_type="text/html", charset="utf-8", headers=HEADERS
    )


def _token(request: web.Request) -> AnswerToken:
    runtime = request.app[RUNTIME]
    return read_token(request.app[SECRET], request.match_info["token"], runtime.clock.now())


def _task_view(session: Session, runtime: Runtime, token: AnswerToken) -> tuple[TaskView, str]:
    """What the page shows, after the same authorization the POST will apply.

    Returns the view and, when the task is already done, the sentence saying so.
    """
    target, actor = Target(token.notification_id), ByPerson(token.person_id)
    scope = open_scope(session, runtime, runtime.clock.now(), target, actor, Via.EMAIL)
    deadline, person = scope.deadline, scope.person
    if person is None:
        raise Refused("Không tìm thấy nhiệm vụ của thông báo này.")
    task = session.get(Task, deadline.task_id)
    plan = session.get(Plan, task.plan_id) if task else None
    agency = session.get(Agency, person.agency_id)
    if task is None or plan is None:
        raise Refused("Không tìm thấy nhiệm vụ của thông báo này.")
    where = ", ".join(p for p in (person.position, agency.name if agency else "") if p)
    view = TaskView(
        addressee=f"Đồng chí {person.name}" + (f" – {where}" if where else ""),
        plan_number=plan.number,
        plan_date=plan.plan_date,
        plan_title=plan.title,
        task_ref=task.ref,
        task_title=task.title,
        deadline=deadline.effective_date,
        period=deadline.period,
    )
    closed = ""
    if deadline.status == DeadlineStatus.DONE:
        closed = "Nhiệm vụ này đã được báo cáo hoàn thành; không cần phản hồi thêm."
    return view, closed


async def _in_thread(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(func, *args, **kwargs)


def _read_view(runtime: Runtime, token: AnswerToken) -> tuple[TaskView, str]:
    with Session(runtime.engine) as session:
        return _task_view(session, runtime, token)


async def show(request: web.Request) -> web.Response:
    """GET: a confirmation page; reads only."""
    runtime = request.app[RUNTIME]
    try:
        token = _token(request)
        view, closed = await _in_thread(_read_view, runtime, token)
    except Refused as exc:
        return _page(refused_page(str(exc)), 403)
    return _page(confirm_page(view, token.action, closed=closed))


def _record(runtime: Runtime, token: AnswerToken, form: dict[str, str]) -> services.AnswerResult:
    target, actor = Target(token.notification_id), ByPerson(token.person_id)
    with services.answering(runtime) as answers:
        if token.action == AckAction.RECEIVED:
            return answers.acknowledge(target, actor, Via.EMAIL)
        if token.action == AckAction.DONE:
            note = form.get("note", "").strip()[:2000]
            return answers.complete(target, actor, Via.EMAIL, note)
        if token.action == AckAction.EXTENSION_REQUESTED:
            raw = form.get("proposed", "").strip()[:32]
            try:
                proposed = parse_vn_date(raw)
            except ValueError:
                raise services.ReasonRequired(
                    f"Ngày «{raw}» không hợp lệ; vui lòng ghi ngày/tháng/năm, ví dụ 15/5/2024."
                ) from None
            reason = form.get("reason", "")[:2000]
            return answers.request_extension(target, actor, Via.EMAIL, proposed, reason)
        reason = form.get("reason", "")[:2000]
        return answers.report_obstacle(target, actor, Via.EMAIL, reason)


async def answer(request: web.Request) -> web.Response:
    """POST: record the answer through the service functions, show the result."""
    runtime = request.app[RUNTIME]
    try:
        token = _token(request)
    except Refused as exc:
        return _page(refused_page(str(exc)), 403)
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return _page(refused_page("Nội dung gửi lên quá dài."), 413)
    form = {k: str(v) for k, v in (await request.post()).items()}
    try:
        outcome = await _in_thread(_record, runtime, token, form)
    except services.ReasonRequired as exc:
        view, closed = await _in_thread(_read_view, runtime, token)
        page = confirm_page(
            view, token.action, closed=closed, error=str(exc), reason=form.get("reason", ""),
            proposed=form.get("proposed", ""),
        )  # fmt: skip
        return _page(page, 400)
    except Refused as exc:
        return _page(refused_page(str(exc)), 403)
    except NotFound as exc:
        return _page(refused_page(str(exc)), 404)
    except (NotifierError, ValueError) as exc:
        return _page(refused_page(str(exc)), 400)
    return _page(result_page(outcome.message))


def add_answer_routes(app: web.Application, runtime: Runtime, secret_key: bytes) -> None:
    """The answer links on ``app`` (the web board's application, see notifier.web.server)."""
    app[RUNTIME] = runtime
    app[SECRET] = secret_key
    app.router.add_get("/a/{token}", show, name="answer_show")
    app.router.add_post("/a/{token}", answer, name="answer_record")
