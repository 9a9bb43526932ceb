"""The board in a real browser: Playwright for Python driving Debian's chromium.

No browser is downloaded (never `playwright install`): the tests use /usr/bin/chromium
(installed by .ci/run with apt) and are skipped where it is missing. Screenshots of the
board and the task page at desktop and phone width go to the test's tmp_path; their
paths are printed (pytest -s shows them).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from sqlmodel import Session, col, select

from notifier.domain.status import BUCKET_ORDER
from notifier.settings import WebFile
from notifier.store.models import Notification, Person
from notifier.web.server import make_web_app
from tests.web.conftest import PASSWORD, World

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LINK = re.compile(r"/a/[A-Za-z0-9_\-\.]+")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
async_api = pytest.importorskip("playwright.async_api")


@pytest.fixture
async def server(world: World) -> AsyncIterator[str]:
    """The real app on a free port, polling every second (instead of 30)."""
    settings = world.runtime.settings
    file = settings.file.model_copy(update={"web": WebFile(board_refresh_seconds=1)})
    world.runtime.settings = dataclasses.replace(settings, file=file)
    test_server = TestServer(make_web_app(world.runtime), host="127.0.0.1", port=0)
    await test_server.start_server()
    yield str(test_server.make_url("")).rstrip("/")
    await test_server.close()


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    async with async_api.async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        await launched.close()


async def signed_in_page(browser, base: str, viewport: dict[str, int], errors: list[str]):  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport=viewport, locale="vi-VN")
    page = await context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(base + "/")
    await async_api.expect(page).to_have_url(re.compile(r"/login\?next="))
    await page.fill("#login", "vanphong")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await async_api.expect(page.locator("h1")).to_have_text("Tình hình thực hiện nhiệm vụ")
    return page


async def shot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    top = tmp_path / f"{name}-first-screen.png"
    await page.screenshot(path=str(top))
    print(f"screenshot: {path}\nscreenshot: {top}")


async def test_board_and_task_page_desktop_and_phone(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = await signed_in_page(browser, server, viewport, errors)
        labels = await page.locator(".buckets .l").all_inner_texts()
        assert labels == [b.label for b in BUCKET_ORDER]
        counts = await page.locator(".buckets .n").all_inner_texts()
        assert sum(int(n) for n in counts) == 6
        if width == "phone":
            assert await page.evaluate("document.documentElement.scrollWidth") <= 375
        await shot(page, tmp_path, f"board-{width}")
        await page.get_by_role("link", name=re.compile("II.1 Tham quan")).click()
        await async_api.expect(page.locator("h1")).to_contain_text("Nhiệm vụ II.1: Tham quan")
        await async_api.expect(page.locator(".facts")).to_contain_text("Cơ quan chủ trì")
        await async_api.expect(page.locator(".timeline")).to_contain_text("Nhắc hạn")
        if width == "phone":
            assert await page.evaluate("document.documentElement.scrollWidth") <= 375
        await shot(page, tmp_path, f"task-{width}")
        await page.context.close()
    assert errors == []  # no CSP violation, no script error


def received_link(world: World) -> str:
    """The "Đã nhận" link of the reminder mailed to vp.chanh for II.1 (first of three)."""
    with Session(world.runtime.engine) as session:
        person = session.exec(select(Person).where(Person.key == "vp.chanh")).one()
        rows = session.exec(
            select(Notification)
            .where(Notification.person_id == person.id, Notification.kind == "reminder")
            .order_by(col(Notification.id))
        ).all()
    links = [LINK.findall(r.body_text) for r in rows if LINK.search(r.body_text)]
    return links[0][0]


async def test_answer_through_link_shows_on_board_without_reload(
    server: str, browser, world: World
) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    board = await signed_in_page(browser, server, DESKTOP, errors)
    row = board.locator("#d1")
    await async_api.expect(row.locator(".answer")).to_have_text("Chưa có phản hồi")
    await board.evaluate("window.notReloaded = true")
    answer_page = await (await browser.new_context()).new_page()
    await answer_page.goto(server + received_link(world))
    await answer_page.get_by_role("button", name="Xác nhận: Đã nhận").click()
    await async_api.expect(answer_page.locator("h1")).to_have_text("Đã ghi nhận phản hồi")
    await async_api.expect(row.locator(".answer")).to_contain_text("Đã nhận", timeout=15_000)
    await async_api.expect(row.locator(".answer")).to_contain_text("Trần Văn Minh")
    assert await board.evaluate("window.notReloaded") is True
    assert errors == []


async def bucket_counts(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    labels = await page.locator(".buckets .l").all_inner_texts()
    counts = await page.locator(".buckets .n").all_inner_texts()
    return {label: int(n) for label, n in zip(labels, counts, strict=True)}


async def test_office_extends_then_marks_done_and_the_bucket_moves(
    server: str, browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page = await signed_in_page(browser, server, DESKTOP, errors)
    before = await bucket_counts(page)
    await page.get_by_role("link", name=re.compile("II.1 Tham quan")).click()
    await async_api.expect(page.locator("#actions")).to_contain_text("Báo cáo hoàn thành")
    await shot(page, tmp_path, "task-actions-desktop")
    await page.fill("#extend-date", "15/05/2024")
    await page.fill("#extend-reason", "Chờ bố trí phương tiện đưa đón")
    await page.get_by_role("button", name="Gia hạn").click()
    await async_api.expect(page.locator("#ket-qua")).to_contain_text("Đã gia hạn")
    current = page.locator("tr.current")
    await async_api.expect(current).to_contain_text("Thứ Tư, 15/5/2024")
    await async_api.expect(current).to_contain_text("hạn ban đầu 02/5/2024")
    await async_api.expect(page.locator(".timeline")).to_contain_text("Gia hạn")
    phone = await page.context.browser.new_context(viewport=PHONE, locale="vi-VN")
    await phone.add_cookies(await page.context.cookies())
    small = await phone.new_page()
    await small.goto(page.url.split("?")[0])
    assert await small.evaluate("document.documentElement.scrollWidth") <= 375
    await shot(small, tmp_path, "task-actions-phone")
    await phone.close()
    await page.fill("#done-note", "Đã tổ chức đoàn tham quan")
    await page.get_by_role("button", name="Ghi nhận hoàn thành").click()
    await async_api.expect(page.locator("#ket-qua")).to_contain_text("Đã ghi nhận hoàn thành")
    await async_api.expect(page.locator("#actions")).to_have_count(0)
    await page.get_by_role("link", name="Bảng theo dõi").first.click()
    after = await bucket_counts(page)
    on_time, in_time = BUCKET_ORDER[0].label, BUCKET_ORDER[2].label
    assert after[on_time] == before[on_time] + 1
    assert after[in_time] == before[in_time] - 1
    assert await page.locator("#d1").count() == 0  # no longer among the open items
    await shot(page, tmp_path, "board-after-done-desktop")


async def test_plan_page_downloads_the_report_in_a_browser(
    server: str, browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = await signed_in_page(browser, server, viewport, errors)
        await page.get_by_role("link", name="Kế hoạch và báo cáo").click()
        await async_api.expect(page.locator("h1")).to_have_text("Các kế hoạch")
        await page.get_by_role("link", name="31/KH-UBND").click()
        await async_api.expect(page.locator("h1")).to_contain_text("Kế hoạch số 31/KH-UBND")
        await page.select_option("select[name=period]", label="6 tháng đầu năm 2024")
        await page.get_by_role("button", name="Xem").click()
        await async_api.expect(page.locator(".asof")).to_contain_text("6 tháng đầu năm 2024")
        if width == "phone":
            assert await page.evaluate("document.documentElement.scrollWidth") <= 375
        await shot(page, tmp_path, f"plan-{width}")
        async with page.expect_download() as info:
            await page.get_by_role("link", name="Tải báo cáo (Word)").click()
        download = await info.value
        assert (
            download.suggested_filename == "bao-cao-ke-hoach-31-kh-ubnd-6-thang-dau-nam-2024.docx"
        )
        saved = tmp_path / f"{width}-{download.suggested_filename}"
        await download.save_as(saved)
        assert saved.read_bytes().startswith(b"PK")
        await page.context.close()
    assert errors == []
