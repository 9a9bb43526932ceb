"""The compiled report as a draft Word "Báo cáo" in the layout of Decree 30/2020, Appendix I.

Page A4, margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman throughout,
each element at the size the appendix gives it: agency name and national title 12 pt
bold upper case, motto 13 pt bold, number 13 pt, place and date 14 pt italic, "BÁO CÁO"
and the subject 14 pt bold, body 14 pt justified with a 1.27 cm first-line indent and 6 pt
between paragraphs, "Nơi nhận:" 12 pt bold italic with its list at 11 pt, the signer's
capacity and title 14 pt bold; page numbers from page 2, centred in the top margin.
The head is the usual borderless two-column table; the short rules under the agency
name, the motto and the subject are top borders of tiny paragraphs, sized to the text.

The number, the day and month, the proposals and the signer's name are left blank for
the office: this is a draft to edit, sign and register.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from notifier.clock import VN_TZ, as_utc
from notifier.domain.status import BUCKET_ORDER, Bucket
from notifier.reports import wording
from notifier.reports.docx_layout import (
    CELL_PADDING_CM,
    TEXT_WIDTH_CM,
    Size,
    body,
    borderless,
    cant_split,
    cell_text,
    first_paragraph,
    fonts,
    grid_table,
    heading,
    page_setup,
    para,
    rule,
    text_width_cm,
)
from notifier.reports.model import KIND_LABELS, BucketCounts, CompiledReport
from notifier.vocab import OccurrenceKind

HEAD_COLUMNS_CM = (6.0, 10.5)
CLOSING_COLUMNS_CM = (7.5, 9.0)
DOTS = "." * 118

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
_BODIES = ("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN")


def agency_lines(name: str) -> list[str]:
    """ "ỦY BAN NHÂN DÂN" / "HUYỆN BA TƠ": the body's kind on its own line when it has one."""
    upper = " ".join(name.upper().split())
    for kind in _BODIES:
        if upper.startswith(kind + " "):
            return [kind, upper[len(kind) + 1 :]]
    return [upper]


def number_line(report: CompiledReport) -> str:
    """ "Số:      /BC-UBND": the number is the registry's; the suffix follows the plan's."""
    number = report.plan.number
    suffix = number.split("-", 1)[1] if "/" in number and "-" in number else ""
    if not suffix and wording.lower_first(report.plan.issuer_name).startswith("ủy ban nhân dân"):
        suffix = "UBND"
    return f"Số:{' ' * 8}/BC-{suffix}" if suffix else f"Số:{' ' * 8}/BC"


def place_date_line(report: CompiledReport) -> str:
    """ "Ba Tơ, ngày      tháng      năm 2024": day and month left for the signing day."""
    year = as_utc(report.at).astimezone(VN_TZ).year
    blank = " " * 6
    place = f"{report.plan.place}, " if report.plan.place else ""
    return f"{place}ngày{blank}tháng{blank}năm {year}"


def _head(doc: Any, report: CompiledReport) -> None:
    left_cm, right_cm = HEAD_COLUMNS_CM
    table = borderless(doc, 2, HEAD_COLUMNS_CM)
    left, right = table.rows[0].cells
    lines = agency_lines(report.plan.issuer_name)
    for i, line in enumerate(lines):
        container = first_paragraph(left) if i == 0 else left.add_paragraph()
        container.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fonts(container.add_run(line), Size.AGENCY, True, False)
    widest = max(text_width_cm(line, Size.AGENCY) for line in lines)
    rule(left, widest * 0.4, left_cm - CELL_PADDING_CM)
    title = first_paragraph(right)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fonts(title.add_run(NATIONAL_TITLE), Size.NATIONAL_TITLE, True, False)
    para(right, MOTTO, size=Size.MOTTO, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    rule(right, text_width_cm(MOTTO, Size.MOTTO), right_cm - CELL_PADDING_CM)
    number, place = table.rows[1].cells
    cell_text(number, number_line(report), size=Size.NUMBER)
    cell_text(place, place_date_line(report), size=Size.PLACE_DATE, italic=True)
    number.vertical_alignment = place.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def _title(doc: Any, report: CompiledReport) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, "BÁO CÁO", size=Size.DOC_TYPE, bold=True, align=center, before=12)
    subject = wording.subject_line(report)
    para(doc, subject, size=Size.SUBJECT, bold=True, align=center)
    length = min(text_width_cm(subject, Size.SUBJECT, bold=False), TEXT_WIDTH_CM) / 3
    rule(doc, max(length, 3.0), TEXT_WIDTH_CM)
    para(doc, after=6)


def _bullets(doc: Any, lines: Sequence[str], empty: str) -> None:
    for line in lines or [empty]:
        body(doc, f"- {line}" if lines else line)


def _intro(doc: Any, report: CompiledReport) -> None:
    plan = report.plan
    about = f" về {plan.subject}" if plan.subject else ""
    body(
        doc,
        f"Thực hiện {plan.reference}{about} (sau đây gọi tắt là Kế hoạch), "
        f"{plan.issuer_name} báo cáo {wording.results_of(report)} Kế hoạch như sau:",
    )
    body(doc, wording.status_instant(report))


def _rate(counts: BucketCounts, bucket: Bucket) -> str:
    return counts.rate(bucket) if counts.total else "-"


def _bucket_table(doc: Any, report: CompiledReport) -> None:
    table = grid_table(doc, 2 + len(BUCKET_ORDER) + 1, (6.5, 2.5, 2.5, 2.5, 2.5))
    head = table.rows[0].cells
    head[0].merge(table.rows[1].cells[0])
    head[1].merge(head[2])
    head[3].merge(head[4])
    cell_text(head[0], "Tình trạng", bold=True)
    cell_text(head[1], "Nhiệm vụ có thời hạn", bold=True)
    cell_text(head[3], "Kỳ báo cáo nhiệm vụ thường xuyên", bold=True)
    for i, text in enumerate(("Số lượt", "Tỷ lệ", "Số kỳ", "Tỷ lệ"), start=1):
        cell_text(table.rows[1].cells[i], text, bold=True)
    left = WD_ALIGN_PARAGRAPH.LEFT
    for r, b in enumerate(BUCKET_ORDER, start=2):
        cells = table.rows[r].cells
        cell_text(cells[0], b.label, align=left)
        cell_text(cells[1], str(report.tasks.count(b)))
        cell_text(cells[2], _rate(report.tasks, b))
        cell_text(cells[3], str(report.reports.count(b)))
        cell_text(cells[4], _rate(report.reports, b))
    total = table.rows[-1].cells
    cell_text(total[0], "Tổng số", bold=True, align=left)
    for i, counts in ((1, report.tasks), (3, report.reports)):
        cell_text(total[i], str(counts.total), bold=True)
        cell_text(total[i + 1], "100%" if counts.total else "-", bold=True)


def _summary(doc: Any, report: CompiledReport) -> None:
    heading(doc, "1. Tổng hợp chung")
    body(
        doc,
        f"Kế hoạch có {report.task_total} nhiệm vụ. Trong phạm vi báo cáo có "
        f"{report.tasks.total} lượt nhiệm vụ có thời hạn (mỗi thời hạn tính một lượt) và "
        f"{report.reports.total} kỳ báo cáo của các nhiệm vụ thực hiện thường xuyên; "
        "kết quả cụ thể như sau:",
    )
    _bucket_table(doc, report)
    para(doc, after=6)
    overdue = []
    if report.tasks.total:
        overdue.append(f"{report.tasks.rate(Bucket.OPEN_OVERDUE)} số lượt nhiệm vụ có thời hạn")
    if report.reports.total:
        overdue.append(f"{report.reports.rate(Bucket.OPEN_OVERDUE)} số kỳ báo cáo")
    if overdue:
        body(doc, f"Tỷ lệ chưa hoàn thành, quá hạn: {' và '.join(overdue)}.")


def _agency_rows(report: CompiledReport) -> list[tuple[int, str, OccurrenceKind, BucketCounts]]:
    rows = []
    for n, row in enumerate(report.agencies, start=1):
        for kind, counts in (
            (OccurrenceKind.DEADLINE, row.tasks),
            (OccurrenceKind.REPORT, row.reports),
        ):
            if counts.total:
                rows.append((n, row.agency, kind, counts))
    return rows


def _agency_table(doc: Any, report: CompiledReport) -> None:
    rows = _agency_rows(report)
    table = grid_table(doc, 2 + len(rows), (1.3, 4.2, 2.5, 1.7, 1.7, 1.7, 1.7, 1.7))
    rows_cells = [row.cells for row in table.rows]  # once: python-docx rebuilds them per call
    top, sub = rows_cells[0], rows_cells[1]
    for i, text in ((0, "STT"), (1, "Cơ quan chủ trì"), (2, "Loại"), (7, "Tổng số")):
        top[i].merge(sub[i])
        cell_text(top[i], text, bold=True)
    for i, text in ((3, "Đã hoàn thành"), (5, "Chưa hoàn thành")):
        top[i].merge(top[i + 1])
        cell_text(top[i], text, bold=True)
    for i, text in enumerate(("Đúng hạn", "Quá hạn", "Trong hạn", "Quá hạn"), start=3):
        cell_text(sub[i], text, bold=True)
    for r, (n, agency, kind, counts) in enumerate(rows, start=2):
        cells = rows_cells[r]
        if r == 2 or rows[r - 3][0] != n:  # an agency's first row: number and name
            cell_text(cells[0], str(n))
            cell_text(cells[1], agency, align=WD_ALIGN_PARAGRAPH.LEFT)
        else:  # its second row (report periods) shares them
            rows_cells[r - 1][0].merge(cells[0])
            rows_cells[r - 1][1].merge(cells[1])
        cell_text(cells[2], KIND_LABELS[kind], align=WD_ALIGN_PARAGRAPH.LEFT)
        for i, b in enumerate(BUCKET_ORDER, start=3):
            cell_text(cells[i], str(counts.count(b)))
        cell_text(cells[7], str(counts.total), bold=True)


def _results(doc: Any, report: CompiledReport) -> None:
    heading(doc, "I. KẾT QUẢ THỰC HIỆN")
    _summary(doc, report)
    heading(doc, "2. Nhiệm vụ đã hoàn thành")
    done = [wording.done_line(i) for i in report.completed]
    _bullets(doc, done, "Chưa có nhiệm vụ nào hoàn thành.")
    heading(doc, "3. Nhiệm vụ chưa hoàn thành")
    heading(doc, "a) Chưa hoàn thành, quá hạn", italic=True)
    _bullets(doc, [wording.open_line(i) for i in report.overdue], "Không có.")
    heading(doc, "b) Chưa hoàn thành, trong hạn", italic=True)
    _bullets(doc, [wording.open_line(i) for i in report.in_time], "Không có.")
    heading(doc, "4. Tình hình thực hiện theo cơ quan chủ trì")
    if report.agencies:
        _agency_table(doc, report)
        para(doc, after=6)
    else:
        body(doc, "Không có nhiệm vụ trong phạm vi báo cáo.")


def _rest(doc: Any, report: CompiledReport) -> None:
    heading(doc, "II. KHÓ KHĂN, VƯỚNG MẮC")
    lines = [wording.obstacle_line(o) for o in report.obstacles]
    _bullets(doc, lines, wording.no_obstacles(report))
    heading(doc, "III. ĐỀ XUẤT, KIẾN NGHỊ")
    for _ in range(3):
        para(doc, DOTS, after=6)
    plan = report.plan
    last = body(
        doc,
        f"Trên đây là báo cáo {wording.results_of(report)} {plan.reference}./.",
    )
    last.paragraph_format.keep_with_next = True  # never a signature page of its own


# ---------------------------------------------------------------- recipients, signature


def signer_lines(report: CompiledReport) -> tuple[str, str]:
    """Capacity and title in capitals: "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"."""
    plan = report.plan
    ubnd = wording.lower_first(plan.issuer_name).startswith("ủy ban nhân dân")
    capacity = plan.signer_capacity or ("TM. Ủy ban nhân dân" if ubnd else "")
    title = plan.signer_title or ("Chủ tịch" if ubnd else "")
    return capacity.upper(), title.upper()


def recipient_lines(report: CompiledReport) -> list[str]:
    lines = [f"- {name} (B/c);" for name in report.plan.report_recipients]
    archive = report.plan.archive or "VT"
    return [*lines, f"- Lưu: {archive}."]


def _closing(doc: Any, report: CompiledReport) -> None:
    table = borderless(doc, 1, CLOSING_COLUMNS_CM)
    cant_split(table)
    left, right = table.rows[0].cells
    label = first_paragraph(left)
    label.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    label.paragraph_format.space_before = Pt(6)
    fonts(label.add_run("Nơi nhận:"), Size.RECIPIENTS_LABEL, True, True)
    for line in recipient_lines(report):
        para(left, line, size=Size.RECIPIENTS, align=WD_ALIGN_PARAGRAPH.LEFT)
    center = WD_ALIGN_PARAGRAPH.CENTER
    capacity, title = signer_lines(report)
    first = first_paragraph(right)
    first.paragraph_format.alignment = center
    first.paragraph_format.space_before = Pt(6)
    fonts(first.add_run(capacity), Size.SIGNER, True, False)
    para(right, title, size=Size.SIGNER, bold=True, align=center)
    for _ in range(4):  # room for the signature and the seal
        para(right, size=Size.SIGNER)
    para(right, size=Size.SIGNER, bold=True, align=center)  # the signer's name, left blank


# ---------------------------------------------------------------- entry points


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut on a word boundary with "…"."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def build_document(report: CompiledReport) -> Any:
    """The python-docx Document of the report."""
    doc = Document()
    page_setup(doc)
    doc.core_properties.title = shorten(f"Báo cáo {wording.subject_line(report)}", 255)
    doc.core_properties.author = report.plan.issuer_name
    doc.core_properties.language = "vi-VN"
    _head(doc, report)
    _title(doc, report)
    _intro(doc, report)
    _results(doc, report)
    _rest(doc, report)
    _closing(doc, report)
    return doc


def write_docx(report: CompiledReport, target: Path | BytesIO) -> None:
    build_document(report).save(target)


def docx_bytes(report: CompiledReport) -> bytes:
    buffer = BytesIO()
    write_docx(report, buffer)
    return buffer.getvalue()
