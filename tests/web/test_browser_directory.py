"""The directory in a real browser, against the whole service as `notifier run` builds it.

The service (sweep, dispatch), the web app and the Telegram bot run together against the
fake Bot API server: an admin adds a person, creates an invite code, the person sends
``/start CODE`` from the fake, the page shows the linked chat, and a test message reaches
the fake. Screenshots of the directory and person pages (desktop and 375 px) go to the
test's tmp_path; their paths are printed (pytest -s shows them).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from notifier.engine.channels import build_channels
from notifier.engine.service import Service
from notifier.interact.telegram_io import run_bot
from notifier.settings import WebFile
from notifier.web.server import serve_web
from tests.fakes.bot_api import FakeBotApi, bot_api  # noqa: F401  (fixture)
from tests.interact.test_bot_world import say
from tests.web.conftest import PASSWORD, World
from tests.web.test_browser import ARGS, CHROMIUM, DESKTOP, PHONE, shot

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
async_api = pytest.importorskip("playwright.async_api")
TOKEN = "7000001:directory-test-token"
CHAT = 424242


@pytest.fixture
async def running(world_factory, bot_api: FakeBotApi) -> AsyncIterator[tuple[str, World]]:  # type: ignore[no-untyped-def]  # noqa: F811
    """`notifier run` in-process: service ticks (every second), web app, Telegram bot."""
    env = {"NOTIFIER_TELEGRAM_TOKEN": TOKEN, "NOTIFIER_TELEGRAM_API_URL": bot_api.url}
    world: World = await asyncio.to_thread(world_factory, env)
    runtime = world.runtime
    file = runtime.settings.file.model_copy(
        update={"dispatch_interval_seconds": 1, "web": WebFile(board_refresh_seconds=1)}
    )
    runtime.settings = dataclasses.replace(runtime.settings, file=file)
    service = Service(runtime, build_channels(runtime.settings, world.clock, echo=False))
    stop = asyncio.Event()
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    service.extra_tasks.append(
        lambda: serve_web(runtime, stop, host="127.0.0.1", port=0, started=port.set_result)
    )
    service.extra_tasks.append(lambda: run_bot(runtime, stop))
    task = asyncio.ensure_future(service.run(install_signals=False))
    try:
        yield f"http://127.0.0.1:{await asyncio.wait_for(port, 30)}", world
    finally:
        stop.set()
        service.request_stop()
        await task


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with async_api.async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        await launched.close()


async def admin_page(browser: Any, base: str, viewport: dict[str, int], errors: list[str]) -> Any:
    context = await browser.new_context(viewport=viewport, locale="vi-VN")
    page = await context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(base + "/login")
    await page.fill("#login", "quantri")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await async_api.expect(page.locator("h1")).to_have_text("Tình hình thực hiện nhiệm vụ")
    return page


async def narrow_enough(page: Any) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


async def bot_replied(fake: FakeBotApi, chat: int) -> str:
    """The bot's first reply to ``chat`` (the bot polls the fake; no clock involved)."""
    while not fake.sent(chat):
        await asyncio.sleep(0.05)
    return fake.sent(chat)[0].text


async def test_add_person_link_chat_and_send_a_test_message(
    running: tuple[str, World],
    browser: Any,
    bot_api: FakeBotApi,  # noqa: F811  (the fixture)
    tmp_path: Path,
) -> None:
    base, _world = running
    errors: list[str] = []
    page = await admin_page(browser, base, DESKTOP, errors)
    await page.get_by_role("link", name="Danh bạ").click()
    await async_api.expect(page.locator("h1")).to_have_text("Danh bạ cơ quan, nhóm và người nhận")
    await shot(page, tmp_path, "directory-desktop")

    # a mistake first: the page names the field, nothing is saved
    await page.get_by_role("link", name="Thêm người nhận").first.click()
    await page.fill("#key", "tp.tu-phap")
    await page.fill("#name", "Đinh Thị Hoa")
    await page.select_option("#agency", "phong-noi-vu")
    await page.fill("#email", "hoa.dt@")
    await page.select_option("select[name=channel_1]", "telegram")
    await page.select_option("select[name=channel_2]", "email")
    await page.get_by_role("button", name="Thêm người nhận").click()
    await async_api.expect(page.locator("#err-email")).to_contain_text("không hợp lệ")
    await shot(page, tmp_path, "person-form-error-desktop")
    await page.fill("#email", "hoa.dt@batu.example")
    await page.fill("#position", "Chuyên viên Phòng Nội vụ")
    await page.fill("#phone", "0255 3861 234")
    await page.get_by_role("button", name="Thêm người nhận").click()
    await async_api.expect(page.locator("h1")).to_have_text("Người nhận: Đinh Thị Hoa")
    await async_api.expect(page.locator(".provenance")).to_contain_text("Trang quản trị")

    # the invite code, its t.me link (bot name from getMe on the fake) and QR code
    await page.get_by_role("button", name="Cấp mã liên kết").click()
    code_text = await page.locator(".invite .code").inner_text()
    code = code_text.replace(" ", "")
    assert re.fullmatch(r"[A-Z0-9]{10}", code)
    link = page.locator("a.deeplink")
    await async_api.expect(link).to_have_attribute(
        "href", f"https://t.me/notifier_test_bot?start={code}"
    )
    await async_api.expect(page.locator(".qr-box svg")).to_be_visible()
    await async_api.expect(page.locator(".invite")).to_contain_text("Zalo chưa công bố")
    await shot(page, tmp_path, "person-invite-desktop")

    # the person opens the link: Telegram sends "/start CODE" to the bot
    say(bot_api, CHAT, f"/start {code}")
    reply = await asyncio.wait_for(bot_replied(bot_api, CHAT), 30)
    assert "Đinh Thị Hoa" in reply
    await page.goto(base + "/directory/person/tp.tu-phap")
    chat = page.locator(".chat-telegram")
    await async_api.expect(chat).to_contain_text("đã liên kết lúc 08:00 Thứ Hai, 22/4/2024")
    await async_api.expect(chat).to_contain_text(str(CHAT))

    # a test message on Telegram: the service's dispatcher sends it, the page shows it
    before = len(bot_api.sent(CHAT))
    await page.get_by_role("button", name="Gửi tin thử qua Telegram").click()
    result = page.locator("#test-result")
    await async_api.expect(result).to_contain_text("Đã gửi tin thử", timeout=20_000)
    await async_api.expect(result).to_contain_text(f"qua Telegram tới {CHAT}")
    received = bot_api.sent(CHAT)[before:]
    assert len(received) == 1 and "thử" in received[0].text.lower()
    await shot(page, tmp_path, "person-desktop")

    phone = await admin_page(browser, base, PHONE, errors)
    await phone.goto(base + "/directory")
    await narrow_enough(phone)
    await shot(phone, tmp_path, "directory-phone")
    await phone.goto(base + "/directory/person/tp.tu-phap")
    await phone.get_by_role("button", name="Cấp mã liên kết").click()
    await async_api.expect(phone.locator(".qr-box svg")).to_be_visible()
    await narrow_enough(phone)
    await shot(phone, tmp_path, "person-phone")
    for path, name in (("agency/vp-hdnd-ubnd", "agency"), ("group/xa-thi-tran", "group")):
        await phone.goto(f"{base}/directory/{path}")
        await async_api.expect(phone.locator(".provenance")).to_contain_text("Tệp directory.yaml")
        await narrow_enough(phone)
        await shot(phone, tmp_path, f"{name}-phone")
    # no CSP violation, no script error; the one 400 is the form shown again with its error
    assert [e for e in errors if "status of 400" not in e] == []
    assert len(errors) <= 1
