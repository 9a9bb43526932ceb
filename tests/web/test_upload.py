"""The plan upload over HTTP: refusals (type, size, CSRF, role), the check page before
anything is written, resolving a name (alias kept by ``sync``, or a new agency), and the
difference a re-upload makes before it is applied."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime
from pathlib import Path

import aiohttp
from sqlmodel import Session, col, func, select

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VN_TZ
from notifier.engine.sweep import sweep
from notifier.plans.importer import agency_index
from notifier.store.models import (
    Agency,
    AgencyAlias,
    Deadline,
    Notification,
    Plan,
    PlanUpload,
    Task,
)
from notifier.vocab import WAITING_STATUSES
from tests.web.conftest import World, csrf_of
from tests.web.plan_docx import SAMPLE, UNKNOWN, sample_text, with_unknown_agency


def count(world: World, model: type) -> int:
    with Session(world.runtime.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def snapshot(world: World) -> dict[str, object]:
    with Session(world.runtime.engine) as session:
        return {
            "plans": [(p.key, p.title, p.content_hash) for p in session.exec(select(Plan))],
            "tasks": [(t.ref, t.active) for t in session.exec(select(Task))],
            "deadlines": [
                (d.id, d.status, d.effective_date, d.next_action_at)
                for d in session.exec(select(Deadline))
            ],
            "agencies": [(a.code, a.active) for a in session.exec(select(Agency))],
            "aliases": len(session.exec(select(AgencyAlias)).all()),
        }


async def upload(client, name: str, content: bytes, *, csrf: bool = True):  # type: ignore[no-untyped-def]
    form = aiohttp.FormData()
    if csrf:
        form.add_field("csrf", await csrf_of(client, "/plans/upload"))
    form.add_field("file", content, filename=name, content_type="application/octet-stream")
    return await client.post("/plans/upload", data=form, allow_redirects=False)


async def uploaded(client, name: str, content: bytes) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Upload and follow to the check page: (its path, its HTML)."""
    response = await upload(client, name, content)
    assert response.status == 303, await response.text()
    location = response.headers["Location"]
    async with client.get(location) as page:
        assert page.status == 200
        return location, await page.text()


async def post(client, path: str, fields: dict[str, str], page: str):  # type: ignore[no-untyped-def]
    data = {"csrf": await csrf_of(client, page), **fields}
    return await client.post(path, data=data, allow_redirects=False)


async def test_other_types_and_oversized_files_are_refused_with_the_limit(world: World) -> None:
    client = await world.signed_in("vanphong")
    before = snapshot(world)
    response = await upload(client, "ke-hoach.xlsx", b"PK\x03\x04 not a plan")
    text = await response.text()
    assert response.status == 415
    assert "ke-hoach.xlsx" in text and "20 MB" in text and "Word (.docx)" in text
    assert "PDF (.pdf)" in text and "Không có gì được ghi nhận" in text
    response = await upload(client, "lon.md", b"a" * (20 * 1024 * 1024 + 1))
    assert response.status == 413 and "lớn hơn 20 MB" in await response.text()
    response = await upload(client, "rat-lon.docx", b"a" * (21 * 1024 * 1024))  # by its length
    assert response.status == 413 and "lớn hơn 20 MB" in await response.text()
    response = await upload(client, "rong.md", b"")
    assert response.status == 400 and "rỗng" in await response.text()
    response = await upload(client, "ke-hoach.md", b"# x", csrf=False)
    assert response.status == 403
    assert count(world, PlanUpload) == 0 and snapshot(world) == before


async def test_a_document_without_tasks_is_refused_on_the_page(world: World) -> None:
    client = await world.signed_in("vanphong")
    response = await upload(
        client, "cong-van.md", "Về việc họp giao ban.\n\nĐề nghị dự họp.".encode()
    )
    async with client.get(response.headers["Location"]) as page:
        text = await page.text()
        assert page.status == 422
    assert "cong-van.md" in text and "không tìm thấy nhiệm vụ nào" in text
    assert count(world, PlanUpload) == 0


async def test_only_office_and_admin_upload(world: World) -> None:
    for login in ("vp", "lanhdao"):
        client = await world.signed_in(login)
        async with client.get("/plans/upload") as response:
            assert response.status == 403
        response = await upload(client, "ke-hoach.md", SAMPLE.read_bytes())
        assert response.status == 403
        assert 'href="/plans/upload"' not in await (await client.get("/")).text()
    assert count(world, PlanUpload) == 0
    client = await world.signed_in("quantri")
    assert 'href="/plans/upload"' in await (await client.get("/")).text()


async def test_check_page_then_pick_an_alias_kept_by_sync(world: World, tmp_path: Path) -> None:
    client = await world.signed_in("vanphong")
    before = snapshot(world)
    content = with_unknown_agency(tmp_path / "ke-hoach-ba-to.docx").read_bytes()
    path, html = await uploaded(client, "ke-hoach-ba-to.docx", content)
    # what was understood, before anything is written
    for text in (
        "UBND huyện Ba Tơ",  # issuer
        "Triển khai thực hiện Bản Ghi nhớ",  # title
        "Tham quan, học tập kinh nghiệm",
        "«Tháng 4 năm 2024»",  # the plan's own words ...
        "02/5/2024",  # ... beside the effective date
        "kế hoạch ghi 30/4/2024",
        "«Thường xuyên»",
        "theo dõi, đôn đốc",
        "Khó khăn, vướng mắc gửi về",
        "Phòng Tài chính – Kế hoạch",
        "Nơi nhận (12)",
        f"«{UNKNOWN}»",
        "Văn phòng HĐND và UBND huyện Ba Tơ",  # the closest directory entry
    ):
        assert text in html, text
    assert "Xác nhận nhập kế hoạch" not in html  # not before every name resolves
    assert snapshot(world) == before
    # picking nothing, or a code that does not exist: a message on the page, nothing saved
    resolve = path + "/resolve"
    response = await post(client, resolve, {"name": UNKNOWN}, path)
    assert response.status == 422 and "Chưa chọn cơ quan" in await response.text()
    response = await post(client, resolve, {"name": UNKNOWN, "choice": "khong-co"}, path)
    assert response.status == 422 and "Không có cơ quan mã" in await response.text()
    new = {"name": UNKNOWN, "choice": "__new__", "code": "Văn Phòng!", "official": "X"}
    response = await post(client, resolve, new, path)
    assert response.status == 422 and "không hợp lệ" in await response.text()
    assert snapshot(world) == before
    # pick the office: saved as an alias
    response = await post(client, resolve, {"name": UNKNOWN, "choice": "vp-hdnd-ubnd"}, path)
    assert response.status == 303 and response.headers["Location"] == path
    assert count(world, AgencyAlias) == 1
    async with client.get(path) as page:
        html = await page.text()
    # the sample plan is imported already (from its .md): this Word file is another text
    assert "Văn bản giống một kế hoạch đã nhập" in html and "Tên cơ quan chưa có" not in html
    key = re.search(r'name="mode" value="replace:([^"]+)"', html)
    assert key is not None
    async with client.get(f"{path}?mode=replace:{key.group(1)}") as page:
        html = await page.text()
    assert "Thay đổi so với kế hoạch đã nhập" in html and "Xác nhận nhập kế hoạch" in html
    assert snapshot(world)["deadlines"] == before["deadlines"]
    response = await post(
        client, path + "/import", {"mode": f"replace:{key.group(1)}", "confirm": "yes"}, path
    )
    assert response.status == 200 and "Đã cập nhật kế hoạch" in await response.text()
    assert count(world, PlanUpload) == 0
    with Session(world.runtime.engine) as session:
        plans = session.exec(select(Plan)).all()
        assert len(plans) == 2 and any(p.source_name == "ke-hoach-ba-to.docx" for p in plans)
    # sync rewrites the file's aliases; the one picked in the browser stays and still resolves
    code = run_cli(
        ["--config", str(world.runtime.settings.config_dir), "--db",
         world.runtime.settings.database_url, "sync"], state=AppState(clock=world.clock),
    )  # fmt: skip
    assert code == 0
    with Session(world.runtime.engine) as session:
        index, _, _ = agency_index(session)
    match = index.resolve(UNKNOWN)
    assert match is not None and match.code == "vp-hdnd-ubnd"


async def test_create_an_agency_for_an_unknown_name(world: World, tmp_path: Path) -> None:
    client = await world.signed_in("quantri")
    lead = "Cơ quan tham mưu: Văn phòng HĐND và UBND huyện.\n\n- Cơ quan phối hợp"
    text = sample_text(
        {lead: lead.replace("Văn phòng HĐND và UBND huyện", "Ban Quản lý dự án huyện")}
    )
    path, html = await uploaded(client, "kh-moi.md", text.encode())
    assert "«Ban Quản lý dự án huyện»" in html
    fields = {"name": "Ban Quản lý dự án huyện", "choice": "__new__", "code": "vp-hdnd-ubnd",
              "official": "Ban Quản lý dự án đầu tư xây dựng huyện Ba Tơ"}  # fmt: skip
    response = await post(client, path + "/resolve", fields, path)
    assert response.status == 422 and "đã có trong danh bạ" in await response.text()
    response = await post(client, path + "/resolve", {**fields, "code": "bql-da"}, path)
    assert response.status == 303
    with Session(world.runtime.engine) as session:
        agency = session.exec(select(Agency).where(Agency.code == "bql-da")).one()
        assert agency.source == "web" and agency.active
    code = run_cli(
        ["--config", str(world.runtime.settings.config_dir), "--db",
         world.runtime.settings.database_url, "sync"], state=AppState(clock=world.clock),
    )  # fmt: skip
    assert code == 0
    with Session(world.runtime.engine) as session:  # not in directory.yaml, still active
        assert session.exec(select(Agency).where(Agency.code == "bql-da")).one().active
    async with client.get(path) as page:
        assert "Tên cơ quan chưa có" not in await page.text()


async def test_reupload_shows_what_moves_before_it_is_applied(world: World) -> None:
    world.clock.set(datetime(2024, 4, 25, 8, 0, tzinfo=VN_TZ))
    await asyncio.to_thread(sweep, world.runtime, world.clock.now())  # rows, not yet sent
    client = await world.signed_in("vanphong")
    changed = sample_text(
        {"Thời gian thực hiện: Tháng 4 năm 2024": "Thời gian thực hiện: Tháng 5 năm 2024"}
    )
    path, html = await uploaded(client, SAMPLE.name, changed.encode())
    assert "Văn bản giống một kế hoạch đã nhập" in html  # same file name, no number
    key = re.search(r'name="mode" value="replace:([^"]+)"', html)
    assert key is not None
    before = snapshot(world)
    async with client.get(f"{path}?mode=replace:{key.group(1)}") as page:
        html = await page.text()
    assert re.search(r'class="ref">II\.1</td>.*?02/5/2024.*?31/5/2024', html, re.S), html
    pending = re.search(r"Tin chờ gửi sẽ hủy \(và lập lại theo hạn mới\): (\d+)", html)
    assert pending is not None and int(pending.group(1)) > 0
    assert snapshot(world) == before  # the difference is shown, nothing applied
    response = await post(
        client, path + "/import", {"mode": f"replace:{key.group(1)}", "confirm": "yes"}, path
    )
    assert response.status == 200
    with Session(world.runtime.engine) as session:
        task = session.exec(select(Task).where(Task.ref == "II.1", Task.plan_id == 1)).one()
        deadline = session.exec(select(Deadline).where(Deadline.task_id == task.id)).one()
        assert deadline.effective_date == date(2024, 5, 31)
        waiting = session.exec(
            select(Notification).where(
                Notification.deadline_id == deadline.id,
                col(Notification.status).in_(WAITING_STATUSES),
            )
        ).all()
    assert all(not n.occurrence.endswith("2024-05-02") for n in waiting)


async def test_an_upload_belongs_to_its_account(world: World) -> None:
    owner = await world.signed_in("vanphong")
    path, _ = await uploaded(owner, "ke-hoach-ba-to.md", SAMPLE.read_bytes())
    other = await world.signed_in("quantri")
    async with other.get(path) as page:
        assert page.status == 404
    response = await post(other, path + "/import", {"confirm": "yes"}, "/plans/upload")
    assert response.status == 404
