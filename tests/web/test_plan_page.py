"""The plan pages and the compiled report's downloads: the same files as `notifier report`
(opened here with python-docx and openpyxl), named after the plan number and the date, with
their content types; for office, viewer and admin, not agency accounts; and the signed
links of the compiled-report message, which need no login and refuse forgeries."""

from __future__ import annotations

import csv
import html
import io
from datetime import timedelta
from pathlib import Path

import docx
import openpyxl
import pytest

from notifier.signing import load_secret_key, make_report_token
from tests.web.conftest import World

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def get(client, path: str, status: int = 200):  # type: ignore[no-untyped-def]
    response = await client.get(path, allow_redirects=False)
    assert response.status == status, (path, response.status, await response.text())
    return response


def filename(response) -> str:  # type: ignore[no-untyped-def]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    return disposition.split('filename="', 1)[1].split('"', 1)[0]


def doc_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def key_of(world: World) -> bytes:
    settings = world.runtime.settings
    return load_secret_key(settings.secret_key, Path(settings.file.secret_key_file))


@pytest.mark.parametrize("login", ["vanphong", "lanhdao", "quantri"])
async def test_plan_page_offers_the_three_files(world: World, login: str) -> None:
    client = await world.signed_in(login)
    board = await (await get(client, "/")).text()
    assert '<a href="/plans">Kế hoạch và báo cáo</a>' in board
    plans = await (await get(client, "/plans")).text()
    assert '<a href="/plan/2">31/KH-UBND</a>' in plans and '<a href="/plan/1">' in plans
    assert "10/4/2024" in plans  # the plan's date as the decree writes it
    page = await (await get(client, "/plan/2")).text()
    for label, fmt in (("Tải báo cáo (Word)", "docx"), ("Biểu tổng hợp (Excel)", "xlsx"),
                       ("CSV", "csv")):  # fmt: skip
        assert f'<a href="/plan/2/report.{fmt}" download>{label}</a>' in page
    assert "Kế hoạch số 31/KH-UBND" in page and "Quý II/2024" in page  # a period to choose


async def test_downloads_are_the_plans_report_with_name_and_content_type(world: World) -> None:
    client = await world.signed_in("vanphong")  # 22/4/2024
    word = await get(client, "/plan/2/report.docx")
    assert word.content_type == DOCX
    assert filename(word) == "bao-cao-ke-hoach-31-kh-ubnd-den-2024-04-22.docx"
    text = doc_text(await word.read())
    assert "Kế hoạch số 31/KH-UBND" in text and "Tổ chức Ngày hội đọc sách" in text
    assert "Phòng Giáo dục và Đào tạo" in text

    excel = await get(client, "/plan/1/report.xlsx?period=2024-H1")
    assert excel.content_type == XLSX
    assert filename(excel) == "bieu-tong-hop-ke-hoach-1-6-thang-dau-nam-2024.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(await excel.read()))
    values = [str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert any("Tham quan, học tập kinh nghiệm" in v for v in values)
    assert any("Văn phòng HĐND và UBND huyện" in v for v in values)

    table = await get(client, "/plan/2/report.csv?at=2024-07-01")
    assert table.content_type == "text/csv" and table.charset == "utf-8"
    assert filename(table) == "bieu-tong-hop-ke-hoach-31-kh-ubnd-den-2024-07-01.csv"
    raw = await table.read()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["STT", "Nhiệm vụ", "Cơ quan chủ trì"]
    assert any("Chưa hoàn thành, quá hạn" in r for r in rows)  # due 28/6, status at 1/7


@pytest.mark.parametrize("login", ["vp", "gddt", "dantoc"])
async def test_agency_accounts_get_no_plan_report(world: World, login: str) -> None:
    """The report lists every agency's tasks; an agency account sees only its own."""
    client = await world.signed_in(login)
    board = await (await get(client, "/")).text()
    assert "/plans" not in board
    for path in ("/plans", "/plan/2", "/plan/2/report.docx", "/plan/1/report.xlsx"):
        response = await get(client, path, 403)
        assert "Không có quyền truy cập" in await response.text()
        assert "Content-Disposition" not in response.headers


async def test_plan_pages_need_a_login_and_valid_choices(world: World) -> None:
    anonymous = await world.client()
    response = await get(anonymous, "/plan/1/report.docx", 303)
    assert response.headers["Location"].startswith("/login?next=")
    client = await world.signed_in("vanphong")
    bad = await get(client, "/plan/1/report.docx?period=quy-5", 400)
    assert "Kỳ báo cáo 'quy-5' không hợp lệ" in html.unescape(await bad.text())
    bad = await get(client, "/plan/1?at=31/02/2024", 400)
    assert "Ngày '31/02/2024' không hợp lệ. Ghi ngày/tháng/năm" in html.unescape(await bad.text())
    same = await get(client, "/plan/2/report.csv?at=1/7/2024")
    assert filename(same) == "bieu-tong-hop-ke-hoach-31-kh-ubnd-den-2024-07-01.csv"
    await get(client, "/plan/99/report.docx", 404)
    await get(client, "/plan/1/report.pdf", 404)
    await get(client, "/plan/abc", 404)


async def test_signed_link_gives_the_file_without_login_and_refuses_forgeries(
    world: World,
) -> None:
    key, now = key_of(world), world.clock.now()
    token = make_report_token(key, 2, "2024-Q2", now, "docx", now)
    anonymous = await world.client()
    response = await get(anonymous, f"/f/{token}")
    assert response.content_type == DOCX
    assert filename(response) == "bao-cao-ke-hoach-31-kh-ubnd-quy-ii-2024.docx"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Kết quả quý II/2024 thực hiện Kế hoạch số 31/KH-UBND" in doc_text(await response.read())

    payload, signature = token.split(".")
    forged = make_report_token(b"another key", 2, "2024-Q2", now, "docx", now)
    other_plan = make_report_token(key, 1, "", now, "xlsx", now).split(".")[0]
    for bad in (forged, f"{other_plan}.{signature}", f"{payload}.{signature[:-1]}x", "abc"):
        refused = await get(anonymous, f"/f/{bad}", 403)
        page = await refused.text()
        assert "Không tải được báo cáo" in page and "không hợp lệ" in page
        assert "Content-Disposition" not in refused.headers
    world.clock.advance(timedelta(days=30, seconds=1))
    expired = await get(anonymous, f"/f/{token}", 403)
    assert "Liên kết tải báo cáo đã hết hạn (quá 30 ngày)" in await expired.text()
