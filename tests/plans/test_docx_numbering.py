"""Word plans whose "1." and "-" come from automatic list numbering, not typed text."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from notifier.plans.docx_numbering import format_number
from notifier.plans.parse import parse_plan_file
from notifier.plans.reader import Line, read_docx


def _plan(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN XÃ BA ĐIỀN")
    document.add_paragraph("Số: 12/KH-UBND")
    document.add_paragraph("Ba Điền, ngày 05 tháng 3 năm 2025")
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Tuyên truyền phòng, chống thiên tai năm 2025")
    document.add_paragraph("II. NỘI DUNG")
    for title, lead, when in (
        ("Tổ chức hội nghị triển khai", "Văn phòng HĐND và UBND xã", "Quý II/2025"),
        ("Tuyên truyền trên hệ thống loa", "Phòng Văn hóa - Xã hội", "Thường xuyên"),
        ("Báo cáo kết quả", "Phòng Kinh tế", "Trước ngày 15/12/2025"),
    ):
        document.add_paragraph(title, style="List Number")
        document.add_paragraph(f"Cơ quan chủ trì: {lead}.", style="List Bullet")
        document.add_paragraph(f"Thời gian thực hiện: {when}.", style="List Bullet")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def test_numbering_labels_are_restored_in_document_order(tmp_path: Path) -> None:
    lines = [b.text for b in read_docx(_plan(tmp_path / "kh.docx")) if isinstance(b, Line)]
    assert "1. Tổ chức hội nghị triển khai" in lines
    assert "2. Tuyên truyền trên hệ thống loa" in lines
    assert "3. Báo cáo kết quả" in lines
    assert "- Cơ quan chủ trì: Phòng Kinh tế." in lines


def test_auto_numbered_tasks_are_all_found(tmp_path: Path) -> None:
    plan = parse_plan_file(_plan(tmp_path / "kh.docx"))
    assert [(t.ref, t.lead) for t in plan.tasks] == [
        ("II.1", ["Văn phòng HĐND và UBND xã"]),
        ("II.2", ["Phòng Văn hóa - Xã hội"]),
        ("II.3", ["Phòng Kinh tế"]),
    ]
    assert [t.timeframe.kind for t in plan.tasks] == ["deadline", "ongoing", "deadline"]


@pytest.mark.parametrize(
    ("n", "fmt", "shown"),
    [(1, "decimal", "1"), (4, "upperRoman", "IV"), (9, "lowerRoman", "ix"),
     (2, "lowerLetter", "b"), (27, "lowerLetter", "aa"), (3, "upperLetter", "C"),
     (7, "decimalZero", "07")],
)  # fmt: skip
def test_number_formats(n: int, fmt: str, shown: str) -> None:
    assert format_number(n, fmt) == shown
