"""Hostile or odd input: bounded work, clear refusals, NFC text, impossible dates, big plans."""

from __future__ import annotations

import io
import time
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest

from notifier.errors import PlanParseError
from notifier.plans.parse import parse_plan_file, parse_plan_text
from notifier.plans.reader import Limits, read_docx

HEAD = "Số: 3/KH-UBND\nBa Tơ, ngày 02 tháng 4 năm 2024\nKẾ HOẠCH\nThử\nII. NỘI DUNG\n"


def test_a_plan_with_1200_numbered_tasks_keeps_every_one() -> None:
    body = "\n".join(
        f"{i}. Giao Phòng Kinh tế chủ trì nhiệm vụ số {i}; hoàn thành trước ngày 15/12/2024."
        for i in range(1, 1201)
    )
    plan = parse_plan_text(HEAD + body)
    assert [t.ref for t in plan.tasks] == [f"II.{i}" for i in range(1, 1201)]
    assert plan.tasks[-1].title == "Nhiệm vụ số 1200"


def test_year_9999_is_a_warning_not_a_crash() -> None:
    text = HEAD.replace("năm 2024", "năm 9999") + "1. Giao Phòng Kinh tế chủ trì X."
    plan = parse_plan_text(text)
    assert plan.header.date is None
    assert any("năm 9999 không hợp lệ" in w.message for w in plan.warnings)


def test_an_impossible_day_keeps_the_month_and_says_why() -> None:
    plan = parse_plan_text(HEAD.replace("ngày 02 tháng 4", "ngày 31 tháng 4"))
    assert plan.header.date == "2024-04"
    assert any("ngày 31 tháng 4 không có thật" in w.message for w in plan.warnings)


def test_header_row_in_one_line_is_read_part_by_part() -> None:
    text = "Số: 252/KH-UBND | Hà Giang, ngày 05 tháng 9 năm 2023 |\nKẾ HOẠCH\nThử\n"
    header = parse_plan_text(text).header
    assert (header.number, header.place, header.date) == ("252/KH-UBND", "Hà Giang", "2023-09-05")


def test_nul_bytes_and_nfd_text_are_normalised_to_nfc() -> None:
    nfc = HEAD + "1. Giao Phòng Văn hóa - Xã hội chủ trì tuyên truyền; hoàn thành trước 15/12/2024."
    messy = unicodedata.normalize("NFD", nfc).replace("Giao", "Gi\x00ao")
    plan = parse_plan_text(messy)
    assert plan.tasks[0].lead == ["Phòng Văn hóa - Xã hội"]
    assert unicodedata.is_normalized("NFC", plan.tasks[0].title)
    assert plan.source_hash == parse_plan_text(nfc).source_hash


def test_a_docx_that_is_not_a_zip_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(b"{\\rtf1 this is a Word 97 file renamed}")
    with pytest.raises(PlanParseError, match="không phải tệp Word .docx"):
        parse_plan_file(path)


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        body = b"<w:document>" + b" " * (60 * 1024 * 1024) + b"</w:document>"
        z.writestr("word/document.xml", body)
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(PlanParseError, match="bom zip"):
        parse_plan_file(path)


def _many_paragraphs(path: Path, n: int) -> Path:
    """A real .docx whose body holds ``n`` empty paragraphs (about 86 KB for 500,000)."""
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.save(str(path))
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    body = parts["word/document.xml"]
    parts["word/document.xml"] = body.replace(b"<w:sectPr", b"<w:p/>" * n + b"<w:sectPr", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def test_half_a_million_paragraphs_are_refused_at_once(tmp_path: Path) -> None:
    path = _many_paragraphs(tmp_path / "dai.docx", 500_000)
    assert path.stat().st_size < 200 * 1024
    started = time.perf_counter()
    with pytest.raises(PlanParseError, match="500.001 đoạn văn"):
        parse_plan_file(path)
    assert time.perf_counter() - started < 5  # refused from a count, never parsed


def test_under_the_limit_the_document_is_read(tmp_path: Path) -> None:
    path = _many_paragraphs(tmp_path / "vua.docx", 300)
    blocks = read_docx(path, Limits(blocks=400))
    assert blocks  # "KẾ HOẠCH"
    with pytest.raises(PlanParseError, match="vượt giới hạn 200"):
        read_docx(path, Limits(blocks=200))


def test_text_files_are_bounded_too() -> None:
    from notifier.plans.reader import read_text

    with pytest.raises(PlanParseError, match="vượt giới hạn 10 dòng"):
        read_text("x\n" * 11, Limits(blocks=10))


def test_a_plan_with_10000_numbered_tasks_keeps_every_one() -> None:
    body = "\n".join(
        f"{i}. Giao Phòng Kinh tế chủ trì nhiệm vụ số {i}; hoàn thành trước ngày 15/12/2024."
        for i in range(1, 10_001)
    )
    plan = parse_plan_text(HEAD + body)
    assert len(plan.tasks) == 10_000
    assert [t.ref for t in plan.tasks[998:1001]] == ["II.999", "II.1000", "II.1001"]
    assert plan.tasks[-1].ref == "II.10000" and plan.tasks[-1].title == "Nhiệm vụ số 10000"


def test_a_deadline_in_year_9999_is_a_warning_not_a_crash() -> None:
    """The header's year was bounded; a task's was not, and the calendar failed at import."""
    text = HEAD + (
        "1. Giao Phòng Kinh tế chủ trì X; hoàn thành trước ngày 30/6/9999.\n"
        "2. Giao Phòng Kinh tế chủ trì Y; hoàn thành trước ngày 30/6/2024.\n"
    )
    plan = parse_plan_text(text)
    first, second = plan.tasks
    assert first.timeframe.kind == "unknown" and first.timeframe.due_dates == []
    assert second.timeframe.due_dates == [date(2024, 6, 30)]
    assert any("năm 9999 không hợp lệ" in w.message for w in plan.warnings)


@pytest.mark.parametrize(
    "written", ["hoàn thành trước ngày 15/3/1066", "Quý II/9999", "cuối năm 9999"]
)
def test_deadline_years_outside_1990_2099_are_named(written: str) -> None:
    from notifier.domain.timeframe import parse_timeframe

    found = parse_timeframe(written, plan_date=None, plan_year=2024, until=date(2025, 12, 31))
    assert found.kind == "unknown" and found.occurrences == ()
    assert found.note is not None and "không hợp lệ (nhận từ 1990 đến 2099)" in found.note


def test_an_impossible_day_in_a_deadline_says_why_it_was_not_read() -> None:
    text = HEAD + "1. Giao Phòng Kinh tế chủ trì X; hoàn thành trước ngày 31/4/2024.\n"
    plan = parse_plan_text(text)
    assert plan.tasks[0].timeframe.due_dates == []
    assert any(
        "ngày 31/4 không có thật (tháng 4 năm 2024 có 30 ngày)" in w.message for w in plan.warnings
    )
