"""The plan upload (``/plans/upload``): send a document, check what was understood, import.

1. ``POST /plans/upload`` (multipart, streamed): .docx, .md, .txt or .pdf up to 20 MB;
   anything else is a 413/415 page naming the limit and the accepted types. The file is
   kept in the database (:mod:`notifier.store.uploads`) under a random id.
2. ``GET /plans/upload/<id>``: the check page. It reads the kept file again and runs
   :func:`notifier.services.plans.check_plan`, the same checks and dry run as
   ``notifier plan import``: names that do not resolve (each with the closest directory
   entries to pick, or a new agency), a plan it may replace, or the difference it makes.
3. ``POST /plans/upload/<id>/resolve``: one name becomes an alias, or a new agency.
4. ``POST /plans/upload/<id>/import``: the import, run again from the kept file.
"""

from __future__ import annotations

import asyncio
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from aiohttp import BodyPartReader, web

from notifier.errors import NotFound, PlanConflict, PlanParseError, ResolveError
from notifier.plans.importer import default_until
from notifier.plans.model import ParsedPlan
from notifier.plans.parse import parse_plan_file
from notifier.plans.plan_policy import load_plan_settings
from notifier.plans.summary import KIND_LABELS
from notifier.runtime import Runtime
from notifier.services.agencies import AgencyInputError, add_alias, create_agency
from notifier.services.plans import (
    ImportRequest,
    PlanCheck,
    check_plan,
    import_plan,
    uploaded_settings_path,
)
from notifier.store.models import PlanUpload
from notifier.store.uploads import drop_upload, load_upload, save_upload
from notifier.vocab import TASK_ROLES
from notifier.web.guard import RUNTIME, error_page, page_context, principal, redirect
from notifier.web.security import MULTIPART
from notifier.web.templating import render

MAX_BYTES = 20 * 1024 * 1024
ACCEPTED = (".docx", ".md", ".txt", ".pdf")
ACCEPTED_TEXT = "Word (.docx), Markdown (.md), văn bản thuần (.txt) hoặc PDF (.pdf)"
NEW_AGENCY = "__new__"
OTHER_AGENCY = "__other__"


def _html(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def _form(request: web.Request, status: int = 200, error: str = "") -> web.Response:
    body = render(
        "upload.html", title="Nhập kế hoạch từ tệp", error=error, limit_mb=MAX_BYTES // 2**20,
        accepted=ACCEPTED_TEXT, accept=",".join(ACCEPTED), **page_context(request),
    )  # fmt: skip
    return _html(body, status)


async def upload_form(request: web.Request) -> web.StreamResponse:
    return _form(request)


def _refusal(request: web.Request, status: int, what: str) -> web.Response:
    return _form(
        request, status,
        f"{what} Chỉ nhận tệp {ACCEPTED_TEXT}, dung lượng không quá "
        f"{MAX_BYTES // 2**20} MB. Không có gì được ghi nhận.",
    )  # fmt: skip


def safe_name(raw: str | None) -> str:
    """The uploaded file's own name, without any folder, NFC, at most 200 characters."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    if len(name) > 200:
        stem, suffix = Path(name).stem, Path(name).suffix
        name = stem[: 200 - len(suffix)] + suffix
    return name


async def upload_submit(request: web.Request) -> web.StreamResponse:
    if (request.content_length or 0) > MAX_BYTES + 2**16:  # declared too big: do not read it
        return _refusal(request, 413, f"Tệp lớn hơn {MAX_BYTES // 2**20} MB.")
    reader = request.get(MULTIPART)  # the CSRF check read the first field (see security.py)
    if reader is None and request.content_type == "multipart/form-data":
        reader = await request.multipart()  # token sent as a header instead
    if reader is None:
        return _refusal(request, 400, "Biểu mẫu không gửi kèm tệp.")
    part = await reader.next()
    while isinstance(part, BodyPartReader) and part.name != "file":
        await part.release()
        part = await reader.next()
    if not isinstance(part, BodyPartReader) or not part.filename:
        return _refusal(request, 400, "Chưa chọn tệp kế hoạch.")
    name = safe_name(part.filename)
    if Path(name).suffix.lower() not in ACCEPTED or not Path(name).stem:
        return _refusal(request, 415, f"Tệp {name or '(không tên)'!r} không thuộc loại được nhận.")
    content = bytearray()
    while chunk := await part.read_chunk(1 << 16):
        content += chunk
        if len(content) > MAX_BYTES:
            return _refusal(request, 413, f"Tệp {name!r} lớn hơn {MAX_BYTES // 2**20} MB.")
    if not content:
        return _refusal(request, 400, f"Tệp {name!r} rỗng.")
    runtime = request.app[RUNTIME]
    who = principal(request)
    upload_id = await asyncio.to_thread(
        save_upload, runtime.engine, who.account_id, name, bytes(content), runtime.clock.now()
    )
    return redirect(f"/plans/upload/{upload_id}")


@dataclass(frozen=True)
class Mode:
    """How the document is imported when it looks like an imported plan."""

    replace: str | None = None
    new: bool = False

    @classmethod
    def parse(cls, value: str) -> Mode:
        if value == "new":
            return cls(new=True)
        if value.startswith("replace:") and len(value) < 300:
            return cls(replace=value.removeprefix("replace:"))
        return cls()

    @property
    def value(self) -> str:
        return "new" if self.new else (f"replace:{self.replace}" if self.replace else "")


def _request_of(runtime: Runtime, upload: PlanUpload, mode: Mode) -> ImportRequest:
    """Parse the kept file (in a private temporary folder, under its own name)."""
    with tempfile.TemporaryDirectory(prefix="notifier-upload-") as folder:
        path = Path(folder) / upload.filename
        path.write_bytes(upload.content)
        parsed = parse_plan_file(path)
    parsed.source = upload.filename
    settings = load_plan_settings(uploaded_settings_path(runtime, upload.filename), runtime.policy)
    until = default_until(parsed, runtime.clock.now())
    return ImportRequest(
        parsed, upload.filename, settings, until, replace=mode.replace, new=mode.new
    )


def _checked(runtime: Runtime, upload: PlanUpload, mode: Mode) -> tuple[ImportRequest, PlanCheck]:
    request = _request_of(runtime, upload, mode)
    return request, check_plan(runtime, request, runtime.clock.now())


async def _upload_or_404(request: web.Request) -> PlanUpload | web.Response:
    runtime = request.app[RUNTIME]
    upload = await asyncio.to_thread(
        load_upload, runtime.engine, request.match_info["upload_id"], principal(request).account_id
    )
    if upload is None:
        return error_page(
            request, 404, "Không tìm thấy tệp đã tải lên",
            "Tệp này không còn (đã được nhập, quá một ngày, hoặc do tài khoản khác tải lên). "
            "Vui lòng tải lại tệp kế hoạch.",
        )  # fmt: skip
    return upload


async def check_page(request: web.Request, *, error: str = "", status: int = 200) -> web.Response:
    upload = await _upload_or_404(request)
    if isinstance(upload, web.Response):
        return upload
    runtime = request.app[RUNTIME]
    mode = Mode.parse(request.query.get("mode", ""))
    try:
        plan_request, check = await asyncio.to_thread(_checked, runtime, upload, mode)
    except NotFound:  # a plan to replace that is gone (or a hand-made address): ask again
        return redirect(request.path)
    except (PlanParseError, ResolveError) as exc:
        await asyncio.to_thread(drop_upload, runtime.engine, upload.id)
        return _refusal(request, 422, f"{upload.filename}: {exc}")
    body = render(
        "upload_check.html", title=f"Kiểm tra kế hoạch trước khi nhập: {upload.filename}",
        upload=upload, plan=plan_request.parsed, check=check, mode=mode, error=error,
        tasks=task_rows(plan_request.parsed, runtime),
        kind_labels=KIND_LABELS, settings=plan_request.settings, until=plan_request.until,
        agencies=await asyncio.to_thread(_agency_choices, runtime),
        new_agency=NEW_AGENCY, other_agency=OTHER_AGENCY,
        **page_context(request),
    )  # fmt: skip
    return _html(body, status)


def _agency_choices(runtime: Runtime) -> list[tuple[str, str]]:
    from sqlmodel import Session, select

    from notifier.store.models import Agency

    with Session(runtime.engine) as session:
        rows = session.exec(select(Agency).where(Agency.active == True)).all()  # noqa: E712
        return sorted(((a.code, a.name) for a in rows), key=lambda pair: pair[1])


async def resolve_submit(request: web.Request) -> web.StreamResponse:
    upload = await _upload_or_404(request)
    if isinstance(upload, web.Response):
        return upload
    form = await request.post()
    name, choice = str(form.get("name", "")), str(form.get("choice", ""))
    runtime, who = request.app[RUNTIME], principal(request)
    now = runtime.clock.now()
    try:
        if not name.strip():
            raise AgencyInputError("Thiếu tên cơ quan cần xác định.")
        if choice == NEW_AGENCY:
            code, official = str(form.get("code", "")), str(form.get("official", ""))
            await asyncio.to_thread(create_agency, runtime, code, official, name, who.login, now)
        elif choice:
            if choice == OTHER_AGENCY:
                choice = str(form.get("other", ""))
            await asyncio.to_thread(add_alias, runtime, choice, name, who.login, now)
        else:
            raise AgencyInputError(
                f"Chưa chọn cơ quan cho tên {name!r}: chọn một cơ quan trong danh sách "
                "hoặc tạo cơ quan mới."
            )
    except AgencyInputError as exc:
        return await check_page(request, error=str(exc), status=422)
    return redirect(request.path.removesuffix("/resolve"))


async def import_submit(request: web.Request) -> web.StreamResponse:
    upload = await _upload_or_404(request)
    if isinstance(upload, web.Response):
        return upload
    form = await request.post()
    mode = Mode.parse(str(form.get("mode", "")))
    runtime = request.app[RUNTIME]
    back = request.path.removesuffix("/import") + (f"?mode={mode.value}" if mode.value else "")
    if form.get("confirm") != "yes":
        return redirect(back)
    try:
        plan_request = await asyncio.to_thread(_request_of, runtime, upload, mode)
        report = await asyncio.to_thread(import_plan, runtime, plan_request, runtime.clock.now())
    except (ResolveError, PlanConflict, NotFound, PlanParseError):
        return redirect(back)  # something changed since the check: show the check again
    await asyncio.to_thread(drop_upload, runtime.engine, upload.id)
    body = render(
        "upload_done.html", title="Đã nhập kế hoạch", report=report, filename=upload.filename,
        plan_id=_plan_id(runtime, report.plan_key), **page_context(request),
    )  # fmt: skip
    return _html(body)


def _plan_id(runtime: Runtime, key: str) -> int | None:
    from sqlmodel import Session, select

    from notifier.store.models import Plan

    with Session(runtime.engine) as session:
        plan = session.exec(select(Plan).where(Plan.key == key)).first()
        return plan.id if plan is not None else None


@dataclass(frozen=True)
class TaskRow:
    """A task as the check page lists it: the plan's words beside the dates they give."""

    ref: str
    title: str
    line: int
    roles: list[tuple[str, list[str]]]  # (label, names as written)
    wording: str  # the plan's own words for the time
    kind: str
    dates: list[tuple[date, date]]  # (as written, effective on the working calendar)
    more: int  # dates not shown


def task_rows(plan: ParsedPlan, runtime: Runtime, shown: int = 6) -> list[TaskRow]:
    rule = runtime.policy.deadline_rule
    out = []
    for task in plan.tasks:
        due = task.timeframe.due_dates
        dates = [(d, runtime.calendar.effective_deadline(d, rule)) for d in due[:shown]]
        roles = [(role.label, list(getattr(task, role.value))) for role in TASK_ROLES]
        out.append(
            TaskRow(task.ref, task.title, task.line, [r for r in roles if r[1]],
                    task.timeframe.text, KIND_LABELS[task.timeframe.kind], dates,
                    max(0, len(due) - shown))
        )  # fmt: skip
    return out
