"""The compiled report as an Excel workbook (openpyxl).

Sheet "Tổng hợp": "Biểu tổng hợp tình hình thực hiện nhiệm vụ", a title block, the header
frozen under it, one row per item under its section and group rows, deadlines as real
Excel dates shown dd/mm/yyyy. Sheet "Theo cơ quan chủ trì": per lead agency, its tasks
and its report periods in the four official buckets, with totals and rates.
Times New Roman, wrapped text, fixed column widths; printed landscape on A4, one page wide.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from notifier.domain.status import BUCKET_ORDER
from notifier.reports import wording
from notifier.reports.model import KIND_LABELS, BucketCounts, CompiledReport
from notifier.reports.table import AGENCY_COLUMNS, COLUMNS, RowLevel, summary_rows
from notifier.vocab import OccurrenceKind

TITLE = "BIỂU TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ"
SUMMARY_SHEET = "Tổng hợp"
AGENCY_SHEET = "Theo cơ quan chủ trì"
DATE_FORMAT = "dd/mm/yyyy"
HEADER_ROW = 5
WIDTHS = (6, 48, 28, 30, 12, 22, 46, 24)
AGENCY_WIDTHS = (6, 40, 22, 14, 14, 14, 14, 10)
FONT = "Times New Roman"

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _font(bold: bool = False, italic: bool = False, size: int = 12) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


def _title_block(ws: Worksheet, report: CompiledReport, columns: int) -> None:
    """Rows 1-3: title, the plan and period, the status instant; row 4 left empty."""
    last = get_column_letter(columns)
    lines = (
        (TITLE, _font(bold=True, size=14)),
        (wording.subject_line(report), _font(bold=True)),
        (wording.status_instant(report), _font(italic=True)),
    )
    for row, (text, font) in enumerate(lines, start=1):
        ws.merge_cells(f"A{row}:{last}{row}")
        cell = ws.cell(row=row, column=1, value=text)
        cell.font, cell.alignment = font, WRAP_CENTER
    width = sum(
        ws.column_dimensions[get_column_letter(c)].width or 10 for c in range(1, columns + 1)
    )
    ws.row_dimensions[2].height = 16 * (1 + len(lines[1][0]) // max(int(width * 0.9), 1))
    ws.row_dimensions[3].height = 16 * (1 + len(lines[2][0]) // max(int(width * 0.9), 1))


def _header(ws: Worksheet, columns: Sequence[str], widths: Sequence[int]) -> None:
    for col, (name, width) in enumerate(zip(columns, widths, strict=True), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
        cell.font, cell.alignment = _font(bold=True), WRAP_CENTER
        cell.fill, cell.border = HEADER_FILL, BORDER
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def _page_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _put(ws: Worksheet, row: int, values: Sequence[Any], *, bold: bool = False,
         italic: bool = False, fill: PatternFill | None = None) -> None:  # fmt: skip
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font, cell.border = _font(bold=bold, italic=italic), BORDER
        cell.alignment = WRAP_TOP
        if fill is not None:
            cell.fill = fill


def _summary_sheet(ws: Worksheet, report: CompiledReport) -> None:
    ws.title = SUMMARY_SHEET
    _header(ws, COLUMNS, WIDTHS)
    _title_block(ws, report, len(COLUMNS))
    row = HEADER_ROW
    for item in summary_rows(report):
        row += 1
        if item.level != RowLevel.ITEM:
            values: list[Any] = [item.stt, item.task, "", "", None, "", "", ""]
            section = item.level == RowLevel.SECTION
            fill = SECTION_FILL if section else None
            _put(ws, row, values, bold=True, italic=not section, fill=fill)
            continue
        values = [item.stt, item.task, item.lead, item.coordinating, item.deadline,
                  item.output, item.note, item.status]  # fmt: skip
        _put(ws, row, values)
        date_cell = ws.cell(row=row, column=5)
        date_cell.number_format = DATE_FORMAT
        date_cell.alignment = Alignment(vertical="top", horizontal="center")
        ws.cell(row=row, column=1).alignment = Alignment(vertical="top", horizontal="center")
    _page_setup(ws)


def _counts(counts: BucketCounts) -> list[int]:
    return [counts.count(b) for b in BUCKET_ORDER]


def _agency_sheet(ws: Worksheet, report: CompiledReport) -> None:
    _header(ws, AGENCY_COLUMNS, AGENCY_WIDTHS)
    _title_block(ws, report, len(AGENCY_COLUMNS))
    row = HEADER_ROW
    for n, agency in enumerate(report.agencies, start=1):
        for kind, counts in (
            (OccurrenceKind.DEADLINE, agency.tasks),
            (OccurrenceKind.REPORT, agency.reports),
        ):
            if counts.total:
                row += 1
                _put(ws, row, [n, agency.agency, KIND_LABELS[kind], *_counts(counts), counts.total])
    for kind, counts in (
        (OccurrenceKind.DEADLINE, report.tasks),
        (OccurrenceKind.REPORT, report.reports),
    ):
        row += 1
        _put(
            ws, row, ["", "Tổng cộng", KIND_LABELS[kind], *_counts(counts), counts.total], bold=True
        )
        row += 1
        rates = [counts.count(b) / counts.total if counts.total else 0 for b in BUCKET_ORDER]
        _put(
            ws, row, ["", "Tỷ lệ", KIND_LABELS[kind], *rates, 1 if counts.total else 0], italic=True
        )
        for col in range(4, 9):
            ws.cell(row=row, column=col).number_format = "0.0%"
    _page_setup(ws)


def build_workbook(report: CompiledReport) -> Workbook:
    workbook = Workbook()
    _summary_sheet(workbook.active, report)
    _agency_sheet(workbook.create_sheet(AGENCY_SHEET), report)
    workbook.properties.title = TITLE
    workbook.properties.creator = report.plan.issuer_name
    return workbook


def write_xlsx(report: CompiledReport, target: Path | BytesIO) -> None:
    build_workbook(report).save(target)


def xlsx_bytes(report: CompiledReport) -> bytes:
    buffer = BytesIO()
    write_xlsx(report, buffer)
    return buffer.getvalue()
