"""The directory pages: agencies, groups and people; the agency and group forms.

Office accounts read them, admins edit (routes in :mod:`notifier.web.server`). Every
record shows where it comes from (``directory.yaml``, the CLI or these pages); a
record saved here is kept by ``notifier sync`` until an admin hands it back to the
file. A form with a wrong field is shown again with the message beside that field,
and nothing is written (:class:`~notifier.services.directory.FormErrors`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from aiohttp import web
from multidict import MultiDictProxy
from sqlmodel import Session, col, select

from notifier.accounts.access import Permission, can
from notifier.directory import DirectoryConfig, read_directory
from notifier.errors import ConfigError, NotFound
from notifier.runtime import Runtime
from notifier.services.directory import (
    LISTED,
    AgencyForm,
    FormErrors,
    GroupForm,
    declared_in_file,
    hand_back,
    lines,
    save_agency,
    save_group,
)
from notifier.store.db import session_scope
from notifier.store.models import Agency, AgencyGroup, GroupMember, Person
from notifier.vocab import PersonRole, Source
from notifier.web.guard import RUNTIME, error_page, page_context, principal, redirect
from notifier.web.templating import render

T = TypeVar("T")
KINDS = {"agency": "cơ quan", "group": "nhóm", "person": "người nhận"}


def html(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


NOTICES = {
    "saved": "Đã lưu. Lệnh notifier sync sẽ giữ nguyên nội dung này.",
    "handed_back": "Đã trả bản ghi về theo tệp directory.yaml; lần chạy notifier sync tiếp "
    "theo sẽ áp dụng nội dung của tệp.",
}


def page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    who = principal(request)
    notice = next((text for key, text in NOTICES.items() if key in request.query), "")
    return html(
        render(
            template,
            can_edit=can(who, Permission.EDIT_DIRECTORY),
            roles=list(PersonRole),
            listed=LISTED,
            Source=Source,
            notice=notice,
            **page_context(request),
            **context,
        ),  # fmt: skip
        status,
    )


def file_directory(runtime: Runtime) -> tuple[DirectoryConfig | None, str]:
    """The directory file as it is now, or its problem (the pages still work)."""
    try:
        return read_directory(runtime.settings.directory_path)[0], ""
    except ConfigError as exc:
        return None, "; ".join(exc.problems)[:600]


def field_text(form: MultiDictProxy[Any], name: str) -> str:
    value = form.get(name, "")
    return " ".join(value.split()) if isinstance(value, str) else ""


def by(request: web.Request) -> str:
    return principal(request).login


async def in_thread(runtime: Runtime, work: Callable[[Session], T]) -> T:
    """``work`` in one transaction (committed if it returns), off the event loop."""

    def run() -> T:
        with session_scope(runtime.engine) as session:
            return work(session)

    return await asyncio.to_thread(run)


# -- the overview ------------------------------------------------------------------------


@dataclass
class Overview:
    agencies: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)


def load_overview(runtime: Runtime, directory: DirectoryConfig | None) -> Overview:
    with Session(runtime.engine) as session:
        agencies = list(session.exec(select(Agency).order_by(col(Agency.name))))
        names = {a.id: a for a in agencies}
        by_code = {a.code: a for a in agencies}
        people = list(session.exec(select(Person).order_by(col(Person.name))))
        groups = list(session.exec(select(AgencyGroup).order_by(col(AgencyGroup.name))))
        members: dict[int, list[str]] = {}
        for m in session.exec(select(GroupMember)):
            members.setdefault(m.group_id, []).append(names[m.agency_id].name)
    count: dict[int, int] = {}
    for p in people:
        if p.active:
            count[p.agency_id] = count.get(p.agency_id, 0) + 1
    view = Overview()
    for a in agencies:
        parent = by_code.get(a.parent_code or "")
        view.agencies.append(
            {"row": a, "people": count.get(a.id or 0, 0), "parent": parent.name if parent else "",
             "in_file": declared_in_file(directory, "agency", a.code)}
        )  # fmt: skip
    for g in groups:
        view.groups.append(
            {"row": g, "members": sorted(members.get(g.id or 0, [])),
             "in_file": declared_in_file(directory, "group", g.code)}
        )  # fmt: skip
    for p in people:
        agency = names.get(p.agency_id)
        view.people.append(
            {"row": p, "agency": agency.name if agency else "",
             "in_file": declared_in_file(directory, "person", p.key)}
        )  # fmt: skip
    return view


async def directory_page(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    directory, problem = await asyncio.to_thread(file_directory, runtime)
    view = await asyncio.to_thread(load_overview, runtime, directory)
    return page(request, "directory.html", title="Danh bạ", view=view, file_problem=problem)


# -- agencies ----------------------------------------------------------------------------


def agency_choices(runtime: Runtime) -> list[tuple[str, str]]:
    with Session(runtime.engine) as session:
        rows = session.exec(select(Agency).where(Agency.active == True))  # noqa: E712
        return sorted(((a.code, a.name) for a in rows), key=lambda pair: pair[1])


def agency_form_of(form: MultiDictProxy[Any]) -> AgencyForm:
    aliases = form.get("aliases", "")
    return AgencyForm(
        code=field_text(form, "code"),
        name=field_text(form, "name"),
        aliases=lines(aliases if isinstance(aliases, str) else ""),
        parent=field_text(form, "parent"),
        locality=field_text(form, "locality"),
        active=form.get("active") == "on",
    )


def _agency_state(runtime: Runtime, code: str) -> dict[str, Any] | None:
    with Session(runtime.engine) as session:
        row = session.exec(select(Agency).where(Agency.code == code)).first()
        if row is None:
            return None
        people = list(
            session.exec(select(Person).where(Person.agency_id == row.id).order_by(Person.name))
        )
        return {"row": row, "people": people}


async def agency_page(request: web.Request) -> web.StreamResponse:
    code = request.match_info.get("code")
    return await _agency_view(request, code, None, {})


async def _agency_view(
    request: web.Request, code: str | None, form: AgencyForm | None, errors: dict[str, str]
) -> web.Response:
    runtime = request.app[RUNTIME]
    state: dict[str, Any] | None = None
    if code is not None:
        state = await asyncio.to_thread(_agency_state, runtime, code)
        if state is None:
            return error_page(request, 404, "Không tìm thấy", f"Không có cơ quan mã “{code}”.")
    directory, problem = await asyncio.to_thread(file_directory, runtime)
    row = state["row"] if state else None
    if form is None:
        form = (
            AgencyForm(
                row.code,
                row.name,
                list(row.aliases),
                row.parent_code or "",
                row.locality,
                row.active,
            )  # fmt: skip
            if row is not None
            else AgencyForm("", "")
        )
    return page(
        request, "agency.html", status=400 if errors else 200,
        title=f"Cơ quan: {row.name}" if row else "Thêm cơ quan", row=row, form=form,
        errors=errors, people=state["people"] if state else [],
        agencies=[c for c in await asyncio.to_thread(agency_choices, runtime)
                  if c[0] != form.code],
        in_file=row is not None and declared_in_file(directory, "agency", row.code),
        file_problem=problem,
    )  # fmt: skip


async def save_and_show(
    request: web.Request,
    key_param: str,
    form: Any,
    save: Callable[..., Any],
    view: Callable[..., Any],
    location: Callable[[Any], str],
) -> web.StreamResponse:
    """The one shape of a directory form's POST: saved in a worker thread; a wrong field
    shows the form again with its message (nothing written), an unknown record is a 404,
    a saved one redirects to its page."""
    runtime = request.app[RUNTIME]
    existing = request.match_info.get(key_param)
    now = runtime.clock.now()
    try:
        row = await in_thread(
            runtime, lambda s: save(s, form, existing=existing, now=now, by=by(request))
        )
    except FormErrors as exc:
        return cast(web.StreamResponse, await view(request, existing, form, exc.errors))
    except NotFound as exc:
        return error_page(request, 404, "Không tìm thấy", str(exc))
    return redirect(f"{location(row)}?saved=1")


async def agency_submit(request: web.Request) -> web.StreamResponse:
    form = agency_form_of(await request.post())
    return await save_and_show(
        request,
        "code",
        form,
        save_agency,
        _agency_view,
        lambda row: f"/directory/agency/{row.code}",
    )


# -- groups ------------------------------------------------------------------------------


def group_form_of(form: MultiDictProxy[Any]) -> GroupForm:
    phrases = form.get("phrases", "")
    members = [m for m in form.getall("members", []) if isinstance(m, str) and m]
    return GroupForm(
        code=field_text(form, "code"),
        name=field_text(form, "name"),
        phrases=lines(phrases if isinstance(phrases, str) else ""),
        members=list(dict.fromkeys(members)),
        active=form.get("active") == "on",
    )


def _group_state(runtime: Runtime, code: str) -> tuple[AgencyGroup, list[str]] | None:
    with Session(runtime.engine) as session:
        row = session.exec(select(AgencyGroup).where(AgencyGroup.code == code)).first()
        if row is None:
            return None
        codes = session.exec(
            select(Agency.code).where(
                GroupMember.group_id == row.id, GroupMember.agency_id == Agency.id
            )
        ).all()
        return row, sorted(codes)


async def group_page(request: web.Request) -> web.StreamResponse:
    return await _group_view(request, request.match_info.get("code"), None, {})


async def _group_view(
    request: web.Request, code: str | None, form: GroupForm | None, errors: dict[str, str]
) -> web.Response:
    runtime = request.app[RUNTIME]
    row: AgencyGroup | None = None
    if code is not None:
        found = await asyncio.to_thread(_group_state, runtime, code)
        if found is None:
            return error_page(request, 404, "Không tìm thấy", f"Không có nhóm mã “{code}”.")
        row, members = found
        if form is None:
            form = GroupForm(row.code, row.name, list(row.phrases), members, row.active)
    form = form or GroupForm("", "")
    directory, problem = await asyncio.to_thread(file_directory, runtime)
    return page(
        request, "group.html", status=400 if errors else 200,
        title=f"Nhóm: {row.name}" if row else "Thêm nhóm cơ quan", row=row, form=form,
        errors=errors, agencies=await asyncio.to_thread(agency_choices, runtime),
        in_file=row is not None and declared_in_file(directory, "group", row.code),
        file_problem=problem,
    )  # fmt: skip


async def group_submit(request: web.Request) -> web.StreamResponse:
    form = group_form_of(await request.post())
    return await save_and_show(
        request, "code", form, save_group, _group_view, lambda row: f"/directory/group/{row.code}"
    )


# -- handing back to the file ------------------------------------------------------------


async def handback_submit(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    kind, code = request.match_info["kind"], request.match_info["code"]
    if kind not in KINDS:
        return error_page(request, 404, "Không tìm thấy", "Không có loại bản ghi này.")
    directory, problem = await asyncio.to_thread(file_directory, runtime)
    if directory is None:
        return error_page(
            request, 409, "Chưa trả về được",
            f"Tệp directory.yaml đang có lỗi nên chưa thể giao lại bản ghi cho tệp: {problem}",
        )  # fmt: skip
    now = runtime.clock.now()
    try:
        await in_thread(
            runtime, lambda s: hand_back(s, directory, kind, code, now=now, by=by(request))
        )
    except NotFound as exc:
        return error_page(request, 404, "Không tìm thấy", str(exc))
    except FormErrors as exc:
        return error_page(request, 409, "Chưa trả về được", exc.errors["form"])
    return redirect(f"/directory/{kind}/{code}?handed_back=1")
