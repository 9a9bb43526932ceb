"""PDF plans -> blocks: the text layer with pdfplumber, scanned pages through OCR.

Signed electronic documents (Decree 30/2020) carry a text layer; scans do not. Each
page is read on its own: a page with text is read from its text layer (ruled tables
through pdfplumber's table finder, the rest as lines), a page without text is handed
to :mod:`notifier.plans.ocr`. Lines are numbered 1, 2, ... in reading order across the
whole document and keep their page.

Official layouts put two columns side by side (issuer | national motto, "Nơi nhận" |
signature). Words on one baseline separated by a wide gap are cut into segments, and a
run of such two-column lines is emitted left column first, then right column, as a
reader would take them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from notifier.errors import PlanParseError
from notifier.plans.reader import LIMITS, Block, Limits, Line, Table, clean_text

MIN_TEXT_CHARS = 25  # a page with an image and fewer characters of text is a scan
_GAP = 18.0  # points between two words on one baseline that separate two columns


@dataclass
class Segment:
    x0: float
    x1: float
    text: str
    first: float = 0.0  # width of its first word: did it fit at the end of the line above?
    confs: tuple[float, ...] = ()  # OCR: each word's confidence


@dataclass
class PhysicalLine:
    top: float
    bottom: float
    segments: list[Segment] = field(default_factory=list)


@dataclass
class PageBlocks:
    """What one page yields, before line numbers are given: texts and tables, in order."""

    # ("line", (text, confidence)) or ("table", (rows, row confidences)); confidence is OCR's
    items: list[tuple[str, Any]] = field(default_factory=list)
    ocr: bool = False


def join_wrapped(lines: list[str]) -> str:  # for OCR cells, where only the words are known
    """Lines of one table cell: a line that continues the previous one is joined with a space.

    A new line starts a new item (kept on its own line, as a Word paragraph would be) only
    when it starts like an agency or a bullet, or the previous line ends an item.
    """
    from notifier.plans.agencies import looks_like_agency

    out: list[str] = []
    for raw in lines:
        text = clean_text(raw)
        if not text:
            continue
        new_item = (
            not out
            or re.match(r"^[-+•–*]\s", text) is not None
            or out[-1].endswith((";", ".", ":"))
            or looks_like_agency(text)
            and not out[-1].endswith((" và", " với", ","))
        )
        if new_item:
            out.append(text)
        else:
            out[-1] = f"{out[-1]} {text}"
    return "\n".join(out)


def physical_lines(words: list[dict[str, Any]]) -> list[PhysicalLine]:
    """Words grouped by baseline (top within 40% of the font height), cut at wide gaps."""
    lines: list[PhysicalLine] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        height = max(word["bottom"] - word["top"], 1.0)
        line = next(
            (ln for ln in reversed(lines[-3:]) if abs(ln.top - word["top"]) < 0.4 * height), None
        )
        if line is None:
            line = PhysicalLine(word["top"], word["bottom"])
            lines.append(line)
        width = word["x1"] - word["x0"]
        conf = (word["conf"],) if "conf" in word else ()
        line.segments.append(Segment(word["x0"], word["x1"], word["text"], width, conf))
    for line in lines:
        line.segments = merge_segments(sorted(line.segments, key=lambda s: s.x0))
    lines.sort(key=lambda ln: ln.top)
    return lines


def merge_segments(words: list[Segment]) -> list[Segment]:
    """Words of one line into segments: a gap wider than a column gutter starts another."""
    out: list[Segment] = []
    for word in words:
        if out and word.x0 - out[-1].x1 < _GAP:
            last = out[-1]
            out[-1] = Segment(
                last.x0, word.x1, f"{last.text} {word.text}", last.first, last.confs + word.confs
            )
        else:
            out.append(word)
    return out


_MARKER = re.compile(r"^(?:\d{1,5}(?:\.\d{1,5})*[.)]|[a-zđ]\)|[-+•–*]\s|[IVX]{1,4}[.)]|Điều\s)")


def wrapped(previous: Segment, line: Segment, right: float, height: float) -> bool:
    """True when ``line`` continues ``previous``: its first word would not have fitted at the
    end of the line above (the line-breaking rule, run backwards), and it starts no item."""
    room = right - previous.x1
    return room < line.first + 0.6 * height and _MARKER.match(line.text) is None


def _continues(previous: PhysicalLine | None, line: PhysicalLine, right: float) -> bool:
    if previous is None or len(previous.segments) != 1 or len(line.segments) != 1:
        return False
    height = line.bottom - line.top
    if line.top - previous.bottom > 0.8 * height:
        return False
    return wrapped(previous.segments[0], line.segments[0], right, height)


Text = tuple[str, tuple[float, ...]]  # a text and the confidences of its words (OCR)


def reading_order(lines: list[PhysicalLine]) -> list[Text]:
    """Texts in reading order: a two-column run is read left column first; a paragraph
    wrapped over several lines is one text again."""
    out: list[Text] = []
    margin = max((ln.segments[-1].x1 for ln in lines if ln.segments), default=0.0)
    i = 0
    while i < len(lines):
        line = lines[i]
        if len(line.segments) < 2:
            seg = line.segments[0]
            if out and _continues(lines[i - 1] if i else None, line, margin):
                out[-1] = (f"{out[-1][0]} {seg.text}", out[-1][1] + seg.confs)
            else:
                out.append((seg.text, seg.confs))
            i += 1
            continue
        split = (line.segments[0].x1 + line.segments[1].x0) / 2
        left: list[Text] = []
        right: list[Text] = []
        j = i
        while j < len(lines) and _fits_columns(lines[j], split, lines[j - 1] if j > i else None):
            for seg in lines[j].segments:
                (left if seg.x1 <= split else right).append((seg.text, seg.confs))
            j += 1
        out += left + right
        i = j
    return out


def line_items(texts: list[Text]) -> list[tuple[str, Any]]:
    """("line", (text, confidence)) items; confidence is the mean of the words' (OCR only)."""
    return [("line", (text, round(sum(c) / len(c), 1) if c else None)) for text, c in texts]


def _fits_columns(line: PhysicalLine, split: float, previous: PhysicalLine | None) -> bool:
    """Whether ``line`` still belongs to the two-column run (a "KẾ HOẠCH" line ends it)."""
    from notifier.plans.header import kind_line

    if previous is not None and line.top - previous.bottom > 2.5 * (line.bottom - line.top):
        return False
    if len(line.segments) == 1 and kind_line(line.segments[0].text):
        return False
    return all(s.x1 <= split or s.x0 >= split for s in line.segments)


def cell_text(words: list[dict[str, Any]], right: float) -> str:
    """Words of one table cell: wrapped lines joined, separate paragraphs kept apart."""
    out: list[str] = []
    previous: Segment | None = None
    for line in physical_lines(words):
        seg = Segment(
            line.segments[0].x0,
            line.segments[-1].x1,
            " ".join(s.text for s in line.segments),
            line.segments[0].first,
        )
        height = line.bottom - line.top
        dash = seg.text.startswith(("- ", "– ")) and not out[0].startswith(("-", "–", "+"))
        joined = wrapped(previous, seg, right - 2.0, height) if previous else False
        if out and (joined or dash and not out[-1].endswith((";", ".", ":", ","))):
            out[-1] = f"{out[-1]} {seg.text}"
        else:
            out.append(seg.text)
        previous = seg
    return "\n".join(clean_text(t) for t in out if clean_text(t))


def _table_rows(table: Any, words: list[dict[str, Any]]) -> list[list[str]]:
    """Rows of a pdfplumber table, each cell read from the words inside its box."""
    rows: list[list[str]] = []
    for row in table.rows:
        cells = []
        _, top, _, bottom = row.bbox
        in_row = [w for w in words if top <= (w["top"] + w["bottom"]) / 2 <= bottom]
        for box in row.cells:
            if box is None:
                cells.append("")  # covered by a merged cell on its left
                continue
            inside = [w for w in in_row if _inside(w, [box])]
            cells.append(cell_text(inside, box[2]))
        rows.append(cells)
    return rows


def _inside(word: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def text_page(page: Any) -> PageBlocks:
    """A page with a text layer: ruled tables as tables, other words as lines, top to bottom."""
    tables = [t for t in page.find_tables() if len(t.rows) >= 2 and len(t.rows[0].cells) >= 2]
    boxes = [t.bbox for t in tables]
    every = page.extract_words(use_text_flow=False)
    lines = physical_lines([w for w in every if not _inside(w, boxes)])
    result = PageBlocks()
    pending = list(lines)
    for table in sorted(tables, key=lambda t: t.bbox[1]):
        above = [ln for ln in pending if ln.top < table.bbox[1]]
        pending = [ln for ln in pending if ln.top >= table.bbox[1]]
        result.items += line_items(reading_order(above))
        inside = [w for w in every if _inside(w, [table.bbox])]
        result.items.append(("table", (_table_rows(table, inside), None)))
    result.items += line_items(reading_order(pending))
    return result


def _open(path: Path) -> Any:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
        from pdfminer.pdfparser import PDFSyntaxError
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise PlanParseError(f"{path}: thiếu thư viện đọc PDF (pdfplumber): {exc}") from exc
    try:
        pdf = pdfplumber.open(str(path))
        _ = pdf.pages  # parses the page tree: broken files fail here
        return pdf
    except PDFPasswordIncorrect as exc:
        raise PlanParseError(f"{path}: tệp PDF được bảo vệ bằng mật khẩu") from exc
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many types on bad files
        raise PlanParseError(
            f"{path}: không phải tệp PDF đọc được ({type(exc).__name__}: {exc})"
        ) from exc


def read_pdf(path: Path, limits: Limits = LIMITS) -> list[Block]:
    """Blocks of a PDF; scanned pages through OCR; refuses a PDF with no readable text."""
    from notifier.plans import ocr

    pdf = _open(path)
    with pdf:
        if len(pdf.pages) > limits.pdf_pages:
            raise PlanParseError(
                f"{path}: {len(pdf.pages)} trang, vượt giới hạn {limits.pdf_pages} trang"
            )
        pages: list[PageBlocks] = []
        scans: list[int] = []
        for number, page in enumerate(pdf.pages, start=1):
            text_chars = sum(1 for c in page.chars if not c["text"].isspace())
            if text_chars >= MIN_TEXT_CHARS or not page.images:
                pages.append(text_page(page))
            else:
                scans.append(number)
                pages.append(PageBlocks(ocr=True))
            page.close()  # pdfplumber keeps every parsed object of a page until closed
    if scans:
        if len(scans) > limits.ocr_pages:
            raise PlanParseError(
                f"{path}: {len(scans)} trang ảnh quét cần nhận dạng chữ (OCR), vượt giới hạn "
                f"{limits.ocr_pages} trang"
            )
        for number, blocks in ocr.ocr_pages(path, scans).items():
            pages[number - 1] = blocks
    blocks_out = number_blocks(pages)
    if not any(isinstance(b, Line) or isinstance(b, Table) and b.rows for b in blocks_out):
        raise PlanParseError(
            f"{path}: tệp PDF không có lớp chữ và nhận dạng chữ (OCR) không đọc được nội dung "
            "nào; hãy gửi bản PDF điện tử có chữ, tệp .docx, hoặc bản quét rõ hơn (300 dpi)"
        )
    return blocks_out


def number_blocks(pages: list[PageBlocks]) -> list[Block]:
    """Lines 1, 2, ... across pages; a table continued from the previous page is merged."""
    from notifier.plans.tables import find_columns

    out: list[Block] = []
    no = 0
    for page_no, page in enumerate(pages, start=1):
        for index, (kind, value) in enumerate(page.items):
            if kind == "line":
                text, conf = value
                if clean_text(text):
                    no += 1
                    out.append(Line(no, clean_text(text), page_no, conf))
                continue
            rows, confidence = value
            if not rows:
                continue
            previous = out[-1] if out else None
            continued = (
                index == 0
                and isinstance(previous, Table)
                and previous.rows
                and len(previous.rows[0]) == len(rows[0])
                and find_columns(Table(0, rows[:3])) is None
            )
            if continued and isinstance(previous, Table):
                table = previous
            else:
                table = Table(no + 1, page=page_no)
                out.append(table)
            for i, row in enumerate(rows):
                no += 1
                table.rows.append(row)
                table.row_lines.append(no)
                table.row_confidence.append(confidence[i] if confidence else None)
    return out
