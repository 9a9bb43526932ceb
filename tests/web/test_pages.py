"""What the pages show: the board (buckets, filters, sort), the task page, the log and its CSV."""

from __future__ import annotations

import re
from datetime import datetime

from notifier.clock import VN_TZ
from notifier.domain.status import BUCKET_ORDER
from notifier.services import report_obstacle
from notifier.vocab import Via
from tests.interact.test_services import person_id
from tests.web.conftest import World

ROW = re.compile(r'<tr class="item bucket-([a-z_]+)" id="d(\d+)"')


async def page(client, path: str) -> str:  # type: ignore[no-untyped-def]
    async with client.get(path) as response:
        assert response.status == 200, path
        return str(await response.text())


def ids(html: str) -> list[int]:
    return [int(i) for _, i in ROW.findall(html)]


async def test_board_buckets_in_order_and_effective_deadline(world: World) -> None:
    client = await world.signed_in("vanphong")
    html = await page(client, "/")
    positions = [html.index(b.label) for b in BUCKET_ORDER]
    assert positions == sorted(positions)
    assert "Thứ Năm, 02/5/2024" in html and "Kế hoạch ghi 30/4/2024" in html
    assert "Còn 5 ngày làm việc" in html
    assert 'hx-get="/board/live"' in html and 'hx-trigger="every 30000ms"' in html
    assert "http-equiv" not in html  # no <meta refresh>
    live = await page(client, "/board/live")
    assert live.startswith('<section id="board-live"') and ids(live) == ids(html)


async def test_board_filters_and_sort(world: World) -> None:
    client = await world.signed_in("vanphong")
    everything = ids(await page(client, "/"))
    assert len(everything) == 6
    second = ids(await page(client, "/?plan=2"))
    assert len(second) == 1 and ids(await page(client, "/?agency=phong-noi-vu")) == second
    assert ids(await page(client, "/?within=5")) == everything[:1]  # II.1, due 02/5
    assert ids(await page(client, "/?sort=-deadline")) == everything[::-1]
    assert ids(await page(client, "/?bucket=done_on_time")) == []
    world.clock.set(datetime(2024, 6, 20, 9, 0, tzinfo=VN_TZ))
    client = await world.signed_in("vanphong")  # two months later: a new session
    overdue = await page(client, "/?bucket=open_overdue")
    assert {b for b, _ in ROW.findall(overdue)} == {"open_overdue"} and len(ids(overdue)) == 2
    assert "Quá hạn" in overdue
    assert ids(await page(client, "/?plan=abc&within=-3&sort=nonsense")) == everything


async def test_task_page_story(world: World) -> None:
    runtime = world.runtime
    report_obstacle(
        runtime, deadline_id=1, person_id=person_id(runtime.engine, "vp.chanh"),
        via=Via.WEB, reason="Chưa bố trí được kinh phí <đi lại>",
    )  # fmt: skip
    client = await world.signed_in("vanphong")
    html = await page(client, "/task/1")
    for text in (
        "Nhiệm vụ II.1: Tham quan",
        "Kế hoạch (chưa có số)",
        "Cơ quan chỉ đạo",
        "Ủy ban nhân dân huyện",
        "Cơ quan chủ trì",
        "Văn phòng HĐND và UBND huyện",
        "Cơ quan phối hợp",
        "Phòng Văn hóa và Thông tin huyện Ba Tơ",  # a member of the named group
        "Thứ Năm, 02/5/2024",
        "Nhắc hạn",
        "Đã gửi",
        "Dự kiến",  # the steps still ahead
        "Báo vướng mắc",
        "Chưa bố trí được kinh phí &lt;đi lại&gt;",  # the note, escaped
    ):
        assert text in html, text
    report = await page(client, "/task/2")  # II.2: one deadline per reporting period
    assert report.count("Kỳ báo cáo") >= 4 and "6 tháng đầu năm 2025" in report


async def test_log_page_filters_and_csv(world: World) -> None:
    runtime = world.runtime
    report_obstacle(
        runtime, deadline_id=1, person_id=person_id(runtime.engine, "vp.chanh"),
        via=Via.WEB, reason="Thiếu kinh phí",
    )  # fmt: skip
    client = await world.signed_in("lanhdao")
    html = await page(client, "/log")
    assert "Nhật ký gửi tin và phản hồi" in html and "Thiếu kinh phí" in html
    answers = await page(client, "/log?event=answer")
    assert (
        answers.count('class="item ev-answer"') == 1 and 'class="item ev-delivery"' not in answers
    )
    async with client.get("/log.csv?event=answer") as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        body = (await response.read()).decode("utf-8")
    assert body.startswith("\ufeffThời gian,Loại,Người")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and "Báo vướng mắc" in lines[1] and "Thiếu kinh phí" in lines[1]
    assert "Trần Văn Minh" in lines[1]
    empty = await page(client, "/log?from=2030-01-01")
    assert "0 mục" in empty
