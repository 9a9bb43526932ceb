"""Upload and calendar in a real browser (Playwright, Debian's chromium, never a download).

On a fresh installation (directory loaded, no plan yet): upload the sample plan as a
Word file in which one agency is written in a way the directory does not know, pick the
right agency from the closest entries, import, see the plan on the board; then add a
local day off on the calendar page and see II.1's deadline move. Screenshots of the
check page at desktop and phone width go to the test's tmp_path (paths printed).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from notifier.accounts.manage import add_account
from notifier.accounts.roles import AccountRole
from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VN_TZ, VirtualClock
from notifier.runtime import Runtime, build_runtime
from notifier.settings import load_settings
from notifier.store.db import make_engine, session_scope
from notifier.web.server import make_web_app
from tests.interact.test_services import SECRET
from tests.web.conftest import PASSWORD
from tests.web.plan_docx import UNKNOWN, with_unknown_agency
from tests.web.test_browser import ARGS, CHROMIUM, DESKTOP, PHONE, shot

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect


def fresh(config_dir: Path, db_url: str) -> Runtime:
    """``notifier init`` and one admin account, on 15/4/2024."""
    clock = VirtualClock(datetime(2024, 4, 15, 8, 0, tzinfo=VN_TZ))
    code = run_cli(["--config", str(config_dir), "--db", db_url, "init"], AppState(clock=clock))
    assert code == 0
    settings = load_settings(config_dir, db_url, env={"NOTIFIER_SECRET_KEY": SECRET})
    file = settings.file.model_copy(update={"console_path": str(config_dir.parent / "out.log")})
    runtime = build_runtime(dataclasses.replace(settings, file=file), make_engine(db_url), clock)
    with session_scope(runtime.engine) as session:
        add_account(session, "quantri", AccountRole.ADMIN, None, PASSWORD, clock.now())
    return runtime


@pytest.fixture
async def served(config_dir: Path, tmp_path: Path) -> AsyncIterator[str]:
    runtime = fresh(config_dir, f"sqlite:///{tmp_path / 'admin.db'}")
    server = TestServer(make_web_app(runtime), host="127.0.0.1", port=0)
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()
    runtime.engine.dispose()


async def sign_in(browser, base: str, viewport: dict[str, int], errors: list[str]):  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport=viewport, locale="vi-VN")
    page = await context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(base + "/login")
    await page.fill("#login", "quantri")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await expect(page.locator("h1")).to_have_text("Tình hình thực hiện nhiệm vụ")
    return page


async def test_upload_resolve_import_then_a_day_off_moves_a_deadline(
    served: str, tmp_path: Path
) -> None:
    document = with_unknown_agency(tmp_path / "ke-hoach-ba-to-thai-hoa-2024.docx")
    errors: list[str] = []
    async with async_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = await sign_in(browser, served, DESKTOP, errors)
        await page.get_by_role("link", name="Nhập kế hoạch").click()
        await page.set_input_files("#file", str(document))
        await page.get_by_role("button", name="Tải lên và kiểm tra").click()
        await expect(page.locator("h1")).to_contain_text("Kiểm tra kế hoạch trước khi nhập")
        resolve = page.locator("#resolve")
        await expect(resolve).to_contain_text(UNKNOWN)
        await expect(page.get_by_role("button", name="Xác nhận nhập kế hoạch")).to_have_count(0)
        check_url = page.url
        await shot(page, tmp_path, "upload-check-desktop")
        phone = await sign_in(browser, served, PHONE, errors)
        await phone.goto(check_url)
        await expect(phone.locator("#resolve")).to_contain_text(UNKNOWN)
        await shot(phone, tmp_path, "upload-check-phone")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
        await phone.context.close()
        # pick the closest entry offered (the office), then confirm
        office = resolve.get_by_role("radio", name=re.compile("^Văn phòng HĐND và UBND huyện"))
        await office.check()
        await resolve.get_by_role("button", name="Lưu lựa chọn").click()
        await expect(page.locator("#resolve")).to_have_count(0)
        await expect(page.locator("#diff")).to_contain_text("Kế hoạch mới")
        await shot(page, tmp_path, "upload-check-resolved-desktop")
        await page.get_by_role("button", name="Xác nhận nhập kế hoạch").click()
        await expect(page.locator("h1")).to_have_text("Đã nhập kế hoạch")
        await page.get_by_role("link", name="Xem kế hoạch trên bảng theo dõi").click()
        row = page.get_by_role("row", name=re.compile("II.1 Tham quan"))
        await expect(row).to_contain_text("02/5/2024")
        # a local day off on 02/5/2024 moves II.1 to Friday 03/5/2024
        await page.get_by_role("link", name="Lịch làm việc").click()
        await page.goto(served + "/calendar?year=2024")
        await page.fill("input[name=day]", "02/5/2024")
        await page.fill("input[name=reason]", "Nghỉ theo thông báo của UBND tỉnh (kiểm thử)")
        await page.get_by_role("button", name="Thêm và tính lại thời hạn").click()
        moved = page.locator("#moved")
        await expect(moved).to_contain_text("Đã thêm ngày nghỉ 02/5/2024")
        await expect(moved.locator("tr", has_text="II.1")).to_contain_text("03/5/2024")
        await shot(page, tmp_path, "calendar-moved-desktop")
        await page.get_by_role("link", name="Bảng theo dõi").click()
        row = page.get_by_role("row", name=re.compile("II.1 Tham quan"))
        await expect(row).to_contain_text("03/5/2024")
        await browser.close()
    assert errors == []  # no CSP violation, no script error
