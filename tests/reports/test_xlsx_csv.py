"""The Excel summary table and its CSV twin, opened again with openpyxl and csv."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from notifier.cli import run_cli
from notifier.cli.common import AppState
from tests.reports.conftest import II1_NOTE, REASON, Story

HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn", "Sản phẩm",
          "Kết quả / ghi chú", "Tình trạng"]  # fmt: skip
VP = "Văn phòng HĐND và UBND huyện Ba Tơ"
COORD = "Các cơ quan, đơn vị có liên quan của huyện Ba Tơ và thị xã Thái Hòa"
II1_TITLE = (
    "Tham quan, học tập kinh nghiệm về công tác chỉ đạo điều hành trong thực hiện phát triển "
    "đô thị, xây dựng kết cấu hạ tầng, thực hiện các Chương trình mục tiêu quốc gia tại thị xã "
    "Thái Hòa"
)
II2_TITLE = (
    "Phối hợp, chia sẻ thông tin, kinh nghiệm trong phát triển kinh tế - xã hội, nhất là lĩnh "
    "vực công nghiệp - dịch vụ, quảng bá, xúc tiến du lịch, thu hút đầu tư"
)


def write(story: Story, target: Path, fmt: str, *args: str) -> Path:
    argv = ["--config", story.config_dir, "--db", story.db_url, "report", "--plan", story.plan_key]
    assert (
        run_cli([*argv, "--format", fmt, "-o", str(target), *args], AppState(clock=story.clock))
        == 0
    )
    return target


@pytest.fixture(scope="module")
def year(story: Story, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workbook, bytes]:
    folder = tmp_path_factory.mktemp("xlsx")
    args = ("--period", "Năm 2024", "--at", "2024-12-31")
    book = load_workbook(write(story, folder / "y.xlsx", "xlsx", *args))
    return book, write(story, folder / "y.csv", "csv", *args).read_bytes()


def excel_day(value: object) -> date:
    """A real Excel date comes back from openpyxl as a (naive) datetime, not as text."""
    assert isinstance(value, datetime), value
    return value.date()


def values(ws, row: int) -> list:  # type: ignore[no-untyped-def]
    return [ws.cell(row=row, column=c).value for c in range(1, 9)]


def test_summary_sheet_title_frozen_header_and_widths(year: tuple[Workbook, bytes]) -> None:
    book, _ = year
    assert book.sheetnames == ["Tổng hợp", "Theo cơ quan chủ trì"]
    ws = book["Tổng hợp"]
    assert ws["A1"].value == "BIỂU TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ"
    assert ws["A2"].value.startswith(
        "Kết quả năm 2024 thực hiện Kế hoạch số .../KH-UBND tháng 4/2024 của UBND huyện Ba Tơ"
    )
    assert ws["A3"].value == (
        "Kỳ báo cáo năm 2024 (số liệu từ 15/12/2023 đến 14/12/2024); tình hình thực hiện tính "
        "đến 23:59 Thứ Ba, 31/12/2024."
    )
    assert values(ws, 5) == HEADER
    assert ws.freeze_panes == "A6"
    assert ws.column_dimensions["B"].width == 48 and ws.column_dimensions["E"].width == 12
    assert ws["B7"].alignment.wrap_text and ws["B7"].font.name == "Times New Roman"


def test_rows_grouped_by_section_with_real_dates(year: tuple[Workbook, bytes]) -> None:
    ws = year[0]["Tổng hợp"]
    blank = [None] * 6  # openpyxl reads an empty cell as None
    assert values(ws, 6) == ["II", "Các nhiệm vụ tại Mục II của Kế hoạch", *blank]
    assert ws["A6"].font.bold
    ii1 = values(ws, 7)
    assert ii1[:4] == ["1", II1_TITLE, VP, COORD]
    assert excel_day(ii1[4]) == date(2024, 5, 2) and ws["E7"].number_format == "dd/mm/yyyy"
    assert ii1[6] == (
        f"Hoàn thành ngày 08/5/2024, quá hạn. Kết quả: {II1_NOTE}.\n"
        "Thời hạn theo Kế hoạch: Tháng 4 năm 2024."
    )
    assert ii1[7] == "Đã hoàn thành quá hạn"
    h1, y = values(ws, 8), values(ws, 9)
    assert h1[:2] == ["2", f"{II2_TITLE}\n(Kỳ báo cáo: 6 tháng đầu năm 2024)"]
    assert excel_day(h1[4]) == date(2024, 6, 17) and h1[7] == "Đã hoàn thành quá hạn"
    assert h1[6] == (
        "Đã báo cáo ngày 18/6/2024, quá hạn. Kết quả: Đã gửi báo cáo 6 tháng đầu năm 2024.\n"
        f"Vướng mắc (10/6/2024, Trần Văn Minh): {REASON}"
    )
    assert excel_day(y[4]) == date(2024, 12, 16) and y[7] == "Chưa hoàn thành, quá hạn"
    assert y[6] == "Quá hạn 11 ngày làm việc."
    assert ws.max_row == 9


def test_per_agency_sheet_with_totals_and_rates(year: tuple[Workbook, bytes]) -> None:
    ws = year[0]["Theo cơ quan chủ trì"]
    assert values(ws, 5) == ["STT", "Cơ quan chủ trì", "Loại", "Đã hoàn thành đúng hạn",
                             "Đã hoàn thành quá hạn", "Chưa hoàn thành, trong hạn",
                             "Chưa hoàn thành, quá hạn", "Tổng số"]  # fmt: skip
    assert ws.freeze_panes == "A6"
    assert values(ws, 6) == [1, VP, "Nhiệm vụ có thời hạn", 0, 1, 0, 0, 1]
    assert values(ws, 7) == [1, VP, "Kỳ báo cáo", 0, 1, 0, 1, 2]
    assert values(ws, 8) == [None, "Tổng cộng", "Nhiệm vụ có thời hạn", 0, 1, 0, 0, 1]
    assert values(ws, 9) == [None, "Tỷ lệ", "Nhiệm vụ có thời hạn", 0, 1, 0, 0, 1]
    assert values(ws, 11) == [None, "Tỷ lệ", "Kỳ báo cáo", 0, 0.5, 0, 0.5, 1]
    assert ws["E11"].number_format == "0.0%"


def test_csv_is_the_same_table_in_utf8_with_bom(year: tuple[Workbook, bytes]) -> None:
    book, raw = year
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER
    ws = book["Tổng hợp"]
    for n, row in enumerate(rows[1:], start=6):
        expected = ["" if v is None else v for v in values(ws, n)]
        if isinstance(expected[4], datetime):
            expected[4] = {5: "02/5/2024", 6: "17/6/2024", 12: "16/12/2024"}[expected[4].month]
        assert row == expected
    assert len(rows) == 1 + 4
    assert raw.count(b"\r\n") >= len(rows)  # RFC 4180 line ends
