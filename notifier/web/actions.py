"""The office's actions on the task page: done, escalate now, received (told by phone),
extend. Each is a POST form with the CSRF token (checked by the guard before any of
this runs) and goes through the same service function as the bot and the CLI, with
the account's login recorded on the answer.

Who may: :func:`notifier.accounts.access.may_act` (an agency account only "received"
for its own people and "done" for a task it leads; a viewer nothing). A refusal is a
403 and nothing is written. Bad input (no reason, a date in the past) shows the task
page again with the sentence saying what would be valid, status 400, nothing written.
Success redirects (303) to the task page, which shows what was recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from aiohttp import web
from multidict import MultiDictProxy
from sqlmodel import Session

from notifier import services
from notifier.accounts.access import Principal, may_act
from notifier.accounts.roles import AccountRole
from notifier.clock import VN_TZ, as_utc
from notifier.errors import NotFound, Refused
from notifier.runtime import Runtime
from notifier.services import AnswerResult
from notifier.store.models import Agency, ExtensionRequest, Notification, Person
from notifier.story import task_roles_of
from notifier.textfmt import parse_vn_date
from notifier.vocab import AckAction, Via
from notifier.web.guard import RUNTIME, error_page, forbidden, principal, redirect
from notifier.web.task import show_task

MAX_NOTE = 2000
DONE_HOUR = time(17, 0)  # a task reported done on an earlier day: at the end of office hours
Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
Run = Callable[[Runtime, Principal, int, Form], AnswerResult]


class BadInput(ValueError):
    """A form value that is not valid; the sentence says what would be."""


@dataclass(frozen=True)
class Action:
    action: AckAction
    run: Run


def actor_name(who: Principal) -> str:
    """How messages and the timeline name the account acting."""
    if who.role == AccountRole.AGENCY and who.agency_name:
        return f"{who.agency_name} (tài khoản {who.login})"
    return f"Văn phòng (tài khoản {who.login})"


def _text(form: Form, name: str) -> str:
    value = form.get(name, "")
    return " ".join(value.split())[:MAX_NOTE] if isinstance(value, str) else ""


def _day(form: Form, name: str, required: bool) -> date | None:
    raw = _text(form, name)
    if not raw:
        if required:
            raise BadInput("Vui lòng nhập ngày (ngày/tháng/năm, ví dụ 15/5/2024).")
        return None
    try:
        return parse_vn_date(raw)
    except ValueError:
        raise BadInput(
            f"Ngày «{raw}» không hợp lệ; vui lòng nhập ngày/tháng/năm, ví dụ 15/5/2024."
        ) from None


def _done(runtime: Runtime, who: Principal, deadline_id: int, form: Form) -> AnswerResult:
    now = runtime.clock.now()
    today = as_utc(now).astimezone(VN_TZ).date()
    day = _day(form, "day", required=False)
    if day is not None and day > today:
        raise BadInput("Ngày hoàn thành không thể sau ngày hôm nay.")
    at = None if day is None or day == today else datetime.combine(day, DONE_HOUR, VN_TZ)
    return services.complete(
        runtime, deadline_id=deadline_id, via=Via.BOARD, note=_text(form, "note"), at=at,
        by=actor_name(who), account=who.login,
    )  # fmt: skip


def _escalate(runtime: Runtime, who: Principal, deadline_id: int, form: Form) -> AnswerResult:
    return services.escalate_now(
        runtime, deadline_id=deadline_id, note=_text(form, "note"), by=actor_name(who),
        via=Via.BOARD, account=who.login,
    )  # fmt: skip


def _extend(runtime: Runtime, who: Principal, deadline_id: int, form: Form) -> AnswerResult:
    new_date = _day(form, "new_date", required=True)
    assert new_date is not None
    return services.extend(
        runtime, deadline_id=deadline_id, new_date=new_date, reason=_text(form, "reason"),
        by=actor_name(who), via=Via.BOARD, account=who.login,
    )  # fmt: skip


def _received(runtime: Runtime, who: Principal, deadline_id: int, form: Form) -> AnswerResult:
    raw = _text(form, "message")
    if not raw.isdigit() or len(raw) > 12:
        raise BadInput("Vui lòng chọn thông báo mà người nhận đã báo là đã nhận.")
    with Session(runtime.engine) as session:
        row = session.get(Notification, int(raw))
        if row is None or row.deadline_id != deadline_id:
            raise BadInput("Thông báo đã chọn không thuộc thời hạn này.")
        recipient = row.person_id
    return services.acknowledge(
        runtime, notification_id=int(raw), person_id=recipient, via=Via.BOARD,
        account=who.login,
    )  # fmt: skip


def _request_id(form: Form) -> int:
    raw = _text(form, "request")
    if not raw.isdigit() or len(raw) > 12:
        raise BadInput("Không rõ đề nghị gia hạn nào được xem xét.")
    return int(raw)


def _decide(approve: bool) -> Run:
    def run(runtime: Runtime, who: Principal, deadline_id: int, form: Form) -> AnswerResult:
        request_id = _request_id(form)
        with services.answering(runtime, account=who.login) as answers:
            found = answers.session.get(ExtensionRequest, request_id)
            if found is None or found.deadline_id != deadline_id:
                raise BadInput("Đề nghị gia hạn đã chọn không thuộc thời hạn này.")
            actor = services.ByOperator(actor_name(who))
            return answers.decide_extension(
                request_id, approve, actor, Via.BOARD, _text(form, "note")
            )

    return run


ACTIONS = {
    "approve": Action(AckAction.EXTENDED, _decide(True)),
    "refuse": Action(AckAction.EXTENSION_REFUSED, _decide(False)),
    "done": Action(AckAction.DONE, _done),
    "escalate": Action(AckAction.ESCALATED, _escalate),
    "received": Action(AckAction.RECEIVED, _received),
    "extend": Action(AckAction.EXTENDED, _extend),
}


def _recipient_agency(runtime: Runtime, form: Form) -> str | None:
    raw = form.get("message", "")
    if not isinstance(raw, str) or not raw.isdigit() or len(raw) > 12:
        return None
    with Session(runtime.engine) as session:
        row = session.get(Notification, int(raw))
        person = session.get(Person, row.person_id) if row is not None else None
        agency = session.get(Agency, person.agency_id) if person is not None else None
        return agency.code if agency is not None else None


def _allowed(runtime: Runtime, who: Principal, deadline_id: int, act: Action, form: Form) -> bool:
    with Session(runtime.engine) as session:
        roles = task_roles_of(session, runtime, deadline_id)
    recipient = _recipient_agency(runtime, form) if act.action == AckAction.RECEIVED else None
    return may_act(who, roles, act.action, recipient)


async def task_action(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    raw = request.match_info["deadline_id"]
    act = ACTIONS.get(request.match_info["action"])
    if act is None or not raw.isdigit() or len(raw) > 12:
        return error_page(request, 404, "Không tìm thấy", "Không có chức năng này.")
    deadline_id, who = int(raw), principal(request)
    form = await request.post()
    try:
        allowed = await asyncio.to_thread(_allowed, runtime, who, deadline_id, act, form)
    except NotFound as exc:
        return error_page(request, 404, "Không tìm thấy", str(exc))
    if not allowed:
        return forbidden(request)
    try:
        result = await asyncio.to_thread(act.run, runtime, who, deadline_id, form)
    except (BadInput, Refused, NotFound, ValueError) as exc:
        return await show_task(request, deadline_id, error=str(exc), status=400)
    return redirect(f"/task/{result.deadline_id}?ok={act.action.value}#ket-qua")
