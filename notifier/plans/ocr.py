"""Scanned PDF pages -> lines and tables through Tesseract (Debian's ``tesseract-ocr-vie``).

Each page is rasterised at :data:`DPI` with pypdfium2. Ruled tables (the "Phụ lục" task
tables) are found from their rules (:mod:`notifier.plans.grid`), the rules are erased so
they do not confuse recognition, and the page is recognised once; each word then goes to
the table cell its centre falls in, or to a text line. A line's confidence is the mean of
its words' confidences (0-100), shown by ``plan parse``; lines under
:data:`REVIEW_THRESHOLD` become warnings asking for a check against the paper.

Install: ``apt-get install tesseract-ocr tesseract-ocr-vie`` (see the README).
"""

from __future__ import annotations

import os
import re
import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notifier.domain.timeframe import fold_accents
from notifier.errors import PlanParseError
from notifier.plans.grid import Grid, erase_rules, find_grids
from notifier.plans.pdf_reader import (
    PageBlocks,
    PhysicalLine,
    Segment,
    join_wrapped,
    line_items,
    merge_segments,
    reading_order,
)

DPI = 300
LANG = "vie"
REVIEW_THRESHOLD = 80.0  # lines recognised with less confidence are flagged for review
USABLE_CONFIDENCE = 40.0  # a page whose mean word confidence is lower is not a usable result
INSTALL_HINT = "cài đặt: apt-get install tesseract-ocr tesseract-ocr-vie"


@dataclass(frozen=True)
class Word:
    text: str
    conf: float
    left: int
    top: int
    right: int
    bottom: int
    key: tuple[int, int, int]  # Tesseract's block, paragraph, line


def available() -> str | None:
    """None when OCR can run; otherwise why not (in Vietnamese, with the install command)."""
    try:
        import pytesseract

        pytesseract.get_tesseract_version()
        if LANG not in pytesseract.get_languages(config=""):
            return f"Tesseract thiếu dữ liệu tiếng Việt ({LANG}); {INSTALL_HINT}"
    except ImportError:
        return "thiếu thư viện pytesseract"
    except Exception as exc:  # TesseractNotFoundError and OS errors
        return f"không chạy được Tesseract ({type(exc).__name__}); {INSTALL_HINT}"
    return None


def engine_name() -> str:
    import pytesseract

    return f"Tesseract {pytesseract.get_tesseract_version()} ({LANG})"


def _words(image: Any) -> list[Word]:
    import pytesseract

    data = pytesseract.image_to_data(
        image, lang=LANG, config="--psm 3", output_type=pytesseract.Output.DICT
    )
    out: list[Word] = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if not text.strip() or conf < 0:
            continue
        left, top = int(data["left"][i]), int(data["top"][i])
        out.append(
            Word(
                text.strip(),
                conf,
                left,
                top,
                left + int(data["width"][i]),
                top + int(data["height"][i]),
                (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i])),
            )
        )
    return out


def _visual_lines(words: list[Word]) -> list[list[Word]]:
    """Words of one cell in rows (by top), each row left to right."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.top):
        height = max(word.bottom - word.top, 1)
        if rows and word.top < rows[-1][0].top + 0.6 * height:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w.left) for row in rows]


def _mean(words: list[Word]) -> float | None:
    return round(statistics.fmean(w.conf for w in words), 1) if words else None


def _table_rows(grid: Grid, words: list[Word]) -> tuple[list[list[str]], list[float | None]]:
    cells: dict[tuple[int, int], list[Word]] = {}
    for word in words:
        where = grid.cell_at((word.left + word.right) / 2, (word.top + word.bottom) / 2)
        if where is not None:
            cells.setdefault(where, []).append(word)
    rows: list[list[str]] = []
    confidence: list[float | None] = []
    for r in range(grid.row_count):
        row = []
        for c in range(grid.column_count):
            lines = [
                " ".join(w.text for w in line) for line in _visual_lines(cells.get((r, c), []))
            ]
            row.append(join_wrapped(lines))
        rows.append(row)
        confidence.append(_mean([w for (rr, _), ws in cells.items() if rr == r for w in ws]))
    return rows, confidence


_ROMAN_LOOKALIKE = str.maketrans({"L": "I", "1": "I", "|": "I", "!": "I"})


def _group_stt(rows: list[list[str]], grid: Grid) -> None:
    """A merged row is a group heading whose number is Roman: OCR often reads "I" as "l"."""
    for r, row in enumerate(rows):
        if len(grid.bands[r]) < grid.column_count and row and row[0]:
            fixed = fold_accents(row[0]).upper().translate(_ROMAN_LOOKALIKE)
            if re.fullmatch(r"[IVX]+\.?", fixed):
                row[0] = fixed


def _tidy(text: str) -> str:
    """OCR drops the space on one side of a dash: "Văn hóa- Xã hội" -> "Văn hóa - Xã hội"."""
    return re.sub(r"(?<=\w)\s*-\s+(?=\w)|(?<=\w)\s+-(?=\w)", " - ", text)


def _as_points(word: Word) -> dict[str, Any]:
    scale = 72 / DPI
    return {
        "text": word.text,
        "x0": word.left * scale,
        "x1": word.right * scale,
        "top": word.top * scale,
        "bottom": word.bottom * scale,
        "conf": word.conf,
    }


def page_blocks(image: Any) -> tuple[PageBlocks, list[Word]]:
    """One page image: tables from its rules, the other words as lines in reading order."""
    import numpy as np

    gray = image.convert("L")
    grids = find_grids(np.asarray(gray))
    clean = erase_rules(gray, grids)
    words = _words(clean)
    owner = {id(w): g for g in grids for w in words if g.contains(w)}
    blocks = PageBlocks(ocr=True)
    loose = [w for w in words if id(w) not in owner]
    for grid in sorted(grids, key=lambda g: g.top):
        above = [w for w in loose if w.top < grid.top]
        loose = [w for w in loose if w.top >= grid.top]
        blocks.items += _lines(above)
        rows, conf = _table_rows(grid, [w for w in words if owner.get(id(w)) is grid])
        _group_stt(rows, grid)
        blocks.items.append(("table", ([[_tidy(c) for c in row] for row in rows], conf)))
    blocks.items += _lines(loose)
    return blocks, words


def _ocr_lines(words: list[Word]) -> list[PhysicalLine]:
    """Tesseract's own lines (its boxes' tops vary with ascenders, so they are not regrouped),
    each cut into segments at wide gaps like a text layer's."""
    grouped: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        grouped.setdefault(word.key, []).append(word)
    lines = []
    for line_words in grouped.values():
        points = [_as_points(w) for w in line_words]
        line = PhysicalLine(min(p["top"] for p in points), max(p["bottom"] for p in points))
        line.segments = [
            Segment(p["x0"], p["x1"], p["text"], p["x1"] - p["x0"], (p["conf"],))
            for p in sorted(points, key=lambda p: p["x0"])
        ]
        line.segments = merge_segments(line.segments)
        lines.append(line)
    return sorted(lines, key=lambda ln: ln.top)


def _lines(words: list[Word]) -> list[tuple[str, Any]]:
    items = line_items(reading_order(_ocr_lines(words)))
    return [(kind, (_tidy(text), conf)) for kind, (text, conf) in items]


def ocr_pages(path: Path, numbers: list[int]) -> dict[int, PageBlocks]:
    """Recognise the given pages (1-based); refuses clearly when OCR is missing or fails."""
    why = available()
    if why is not None:
        pages = ", ".join(str(n) for n in numbers)
        raise PlanParseError(
            f"{path}: trang {pages} là ảnh quét (không có lớp chữ) nên cần nhận dạng chữ "
            f"(OCR), nhưng {why}"
        )
    import pypdfium2

    # Tesseract's own threads fight each other on a small machine (4x slower on 2 cores):
    # one thread per Tesseract, one Tesseract per core.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    document = pypdfium2.PdfDocument(str(path))
    try:
        images = {
            n: document[n - 1].render(scale=DPI / 72, grayscale=True).to_pil() for n in numbers
        }
    finally:
        document.close()
    with ThreadPoolExecutor(max_workers=max(os.cpu_count() or 1, 1)) as pool:
        results = dict(zip(images, pool.map(page_blocks, images.values()), strict=True))
    out: dict[int, PageBlocks] = {}
    for number, (blocks, words) in results.items():
        mean = _mean(words)
        if mean is None or mean < USABLE_CONFIDENCE:
            shown = "không nhận ra chữ nào" if mean is None else f"độ tin cậy {mean:.0f}%"
            raise PlanParseError(
                f"{path}: trang {number} là ảnh quét nhưng kết quả nhận dạng chữ không dùng "
                f"được ({shown}); hãy quét lại rõ hơn (300 dpi, thẳng trang) hoặc gửi bản "
                "PDF điện tử có lớp chữ"
            )
        out[number] = blocks
    return out
