"""One plan as Word, as the PDF exported from it, and as a scan of that PDF: the same tasks.

The Word file is built here (header table, task table with merged group rows); its
expected reading (``expected/tinh-khe-docx.expected.json``) was written by hand from the
document. The PDFs must give the same reading except for line numbers, which count
paragraphs in Word and lines in a PDF. OCR tests skip, saying so, where Tesseract or its
Vietnamese data is missing (``.ci/run`` installs them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from notifier.errors import PlanParseError
from notifier.plans import ocr
from notifier.plans.parse import parse_plan_file
from tests.plans import documents

EXPECTED = json.loads(
    (Path(__file__).parent / "expected" / "tinh-khe-docx.expected.json").read_text("utf-8")
)
OCR_MISSING = ocr.available()
needs_ocr = pytest.mark.skipif(OCR_MISSING is not None, reason=f"OCR bỏ qua: {OCR_MISSING}")
needs_font = pytest.mark.skipif(
    not documents.FONT.exists(), reason=f"thiếu phông {documents.FONT} (fonts-dejavu-core)"
)


def without_lines(data: Any) -> Any:
    """``data`` with every "line" key dropped: where a thing is, not what it is."""
    if isinstance(data, dict):
        return {k: without_lines(v) for k, v in data.items() if k != "line"}
    if isinstance(data, list):
        return [without_lines(v) for v in data]
    return data


def reading(path: Path) -> dict[str, Any]:
    data = parse_plan_file(path).to_json()
    data["plan"].pop("source")
    return data


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdf")
    word = documents.build_docx(folder / "tinh-khe.docx")
    return {"docx": word, "pdf": documents.docx_to_pdf(word, folder)}


def test_the_word_plan_reads_as_written_by_hand(files: dict[str, Path]) -> None:
    assert reading(files["docx"]) == EXPECTED


@needs_font
def test_the_exported_pdf_reads_like_the_word_file(files: dict[str, Path]) -> None:
    got = reading(files["pdf"])
    assert "ocr" not in got  # a text layer: nothing recognised
    assert without_lines(got) == without_lines(EXPECTED)


@needs_font
def test_a_pdf_drawn_by_a_pdf_library_reads_the_same(tmp_path: Path) -> None:
    got = reading(documents.fpdf_plan(tmp_path / "fpdf.pdf"))
    assert without_lines(got) == without_lines(EXPECTED)


@needs_font
def test_a_task_table_continued_over_pages_loses_no_row(tmp_path: Path) -> None:
    plan = parse_plan_file(documents.fpdf_plan(tmp_path / "long.pdf", pages=8))
    assert len(plan.tasks) == 8 * 4
    assert {t.timeframe.text for t in plan.tasks[-4:]} == {
        "Quý III/2025",
        "trước ngày 15/12/2025",
        "tháng 10/2025",
        "Thường xuyên",
    }
    assert not [w for w in plan.warnings if "bảng" in w.message]


@needs_ocr
def test_the_scan_reads_like_the_word_file_with_a_confidence_per_line(
    files: dict[str, Path], tmp_path: Path
) -> None:
    plan = parse_plan_file(documents.scan(files["pdf"], tmp_path / "scan.pdf", dpi=200))
    got = plan.to_json()
    got["plan"].pop("source")
    review = got.pop("ocr")
    flagged = [ln for ln in review["lines"] if ln["confidence"] < review["threshold"]]
    ocr_warnings = [w for w in got["warnings"] if "OCR" in w["message"]]
    assert len(ocr_warnings) == len(flagged)  # every doubtful line is flagged, no other
    got["warnings"] = [w for w in got["warnings"] if w not in ocr_warnings]
    assert without_lines(got) == without_lines(EXPECTED)
    assert review["engine"].startswith("Tesseract") and review["threshold"] == 80.0
    assert all(0 <= ln["confidence"] <= 100 and ln["page"] == 1 for ln in review["lines"])
    assert any(ln["text"].startswith("1 | Nâng cấp mạng nội bộ") for ln in review["lines"])


@needs_ocr
def test_plan_parse_shows_the_confidence_of_each_recognised_line(
    files: dict[str, Path], tmp_path: Path, cli: Any
) -> None:
    scanned = documents.scan(files["pdf"], tmp_path / "scan.pdf", dpi=200)
    result = cli("plan", "parse", scanned)
    assert result.code == 0, result.err
    assert "Chữ nhận dạng (OCR" in result.out and "Tin cậy" in result.out
    assert "Nguyễn Văn Bình" in result.out


@needs_ocr
def test_a_scan_with_nothing_readable_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    blank = tmp_path / "trang-trang.pdf"
    Image.new("L", (1654, 2339), 255).save(str(blank), "PDF", resolution=200)
    with pytest.raises(PlanParseError, match="không dùng được"):
        parse_plan_file(blank)


def test_a_file_named_pdf_that_is_not_one_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "ke-hoach.pdf"
    fake.write_bytes(b"%PDF-1.4 but nothing else")
    with pytest.raises(PlanParseError, match="không phải tệp PDF đọc được"):
        parse_plan_file(fake)
