"""The rows of "Biểu tổng hợp tình hình thực hiện nhiệm vụ", shared by the Excel and CSV files.

One row per item (a deadline row or a report period), under a row for each plan section
(the Roman numeral of the task ref: "II") and, inside it, a row for each group heading
the plan gives its tasks ("I. Công tác chỉ đạo, điều hành" in a table plan). The parser
does not keep section titles, so a section row says "Các nhiệm vụ tại Mục II của Kế hoạch".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from notifier.reports import wording
from notifier.reports.model import CompiledReport, ReportItem
from notifier.reports.read import ROMAN
from notifier.vocab import OccurrenceKind

COLUMNS = (
    "STT",
    "Nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời hạn",
    "Sản phẩm",
    "Kết quả / ghi chú",
    "Tình trạng",
)
AGENCY_COLUMNS = (
    "STT",
    "Cơ quan chủ trì",
    "Loại",
    "Đã hoàn thành đúng hạn",
    "Đã hoàn thành quá hạn",
    "Chưa hoàn thành, trong hạn",
    "Chưa hoàn thành, quá hạn",
    "Tổng số",
)


class RowLevel(StrEnum):
    SECTION = "section"
    GROUP = "group"
    ITEM = "item"


@dataclass(frozen=True)
class Row:
    level: RowLevel
    stt: str
    task: str
    lead: str = ""
    coordinating: str = ""
    deadline: date | None = None
    output: str = ""
    note: str = ""
    status: str = ""


def local_number(ref: str) -> str:
    """The task's number inside its section and group: "II.1" -> "1", "II.I.3" -> "3"."""
    parts = ref.split(".")
    while len(parts) > 1 and ROMAN.match(parts[0]):
        parts = parts[1:]
    return ".".join(parts)


def _item_row(item: ReportItem, report: CompiledReport) -> Row:
    task = item.title
    if item.kind == OccurrenceKind.REPORT and item.period:
        task = f"{task}\n(Kỳ báo cáo: {item.period})"
    return Row(
        level=RowLevel.ITEM,
        stt=local_number(item.ref),
        task=task,
        lead="; ".join(item.lead) or wording.NO_LEAD,
        coordinating="; ".join(item.coordinating),
        deadline=item.deadline,
        output=item.output,
        note=wording.table_note(item, report.obstacles),
        status=item.bucket.label,
    )


def summary_rows(report: CompiledReport) -> list[Row]:
    """Section rows, group rows and item rows in plan order."""
    rows: list[Row] = []
    section: str | None = None
    group: str | None = None
    for item in report.items:
        if item.section != section:
            section, group = item.section, None
            if section:
                text = f"Các nhiệm vụ tại Mục {section} của Kế hoạch"
                rows.append(Row(RowLevel.SECTION, section, text))
        if item.group != group:
            group = item.group
            if group:
                stt, _, text = group.partition(". ")
                if not ROMAN.match(stt) or not text:
                    stt, text = "", group
                rows.append(Row(RowLevel.GROUP, stt, text))
        rows.append(_item_row(item, report))
    return rows
