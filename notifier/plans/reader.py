"""Files -> a flat sequence of lines and tables, each carrying a 1-based line number.

Markdown / plain text: line numbers are the file's own. Markup that carries no
meaning here (``#`` headings, ``**bold**``, ``__``, hard-break spaces) is removed.
Pipe tables become :class:`Table` blocks.

.docx: "line" counts paragraphs and table rows in document order (1-based); a
paragraph with soft line breaks yields several lines with the same number. A table
that is not a task table (the header and signature layout tables) is flattened to
lines by the parser, cell by cell.

.pdf: see :mod:`notifier.plans.pdf_reader` (text layer) and :mod:`notifier.plans.ocr`
(scans); lines are numbered in reading order across pages and carry their page and,
for OCR, a confidence.

Every text is NFC with NUL and other control characters removed, so that text typed
on different machines (NFD from macOS, NFC from Windows) compares equal. The work is
bounded: files over :data:`LIMITS` are refused with a clear error before parsing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from notifier.errors import PlanParseError

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}


@dataclass(frozen=True)
class Limits:
    """What one document may hold; far above any real plan, far below a pathological file."""

    file_bytes: int = 50 * 1024 * 1024
    unzipped_bytes: int = 100 * 1024 * 1024  # all parts of a .docx together
    zip_ratio: int = 200  # a part expanding more than this (and over 20 MiB) is a zip bomb
    blocks: int = 20_000  # text lines, or .docx paragraphs + table rows (1,000 tasks: ~5,000)
    pdf_pages: int = 300
    ocr_pages: int = 60


LIMITS = Limits()


@dataclass(frozen=True)
class Line:
    no: int
    text: str
    page: int | None = None  # PDF only
    confidence: float | None = None  # OCR only: mean word confidence, 0-100


@dataclass
class Table:
    no: int
    rows: list[list[str]] = field(default_factory=list)
    row_lines: list[int] = field(default_factory=list)
    page: int | None = None  # PDF only: the page the table starts on
    row_confidence: list[float | None] = field(default_factory=list)  # OCR only


Block = Line | Table

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")


def normalise_text(text: str) -> str:
    """NFC, no NUL / control / zero-width characters; line breaks kept."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", text.replace("\r\n", "\n")))


def clean_text(text: str) -> str:
    """NFC, no markdown emphasis, single spaces; keeps line content otherwise intact."""
    text = normalise_text(text).replace("\u00a0", " ").replace("\t", " ")
    text = re.sub(r"^\s*#{1,6}\s*", "", text)
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)", "", text)
    text = re.sub(r"^\s*\\?([-+*])\s", r"\1 ", text)
    return " ".join(text.split())


def _split_row(raw: str) -> list[str]:
    body = raw.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = re.split(r"(?<!\\)\|", body)
    out = []
    for cell in cells:
        parts = re.split(r"<br\s*/?>", cell.replace("\\|", "|"))
        out.append("\n".join(clean_text(p) for p in parts if clean_text(p)))
    return out


def _is_separator(raw: str) -> bool:
    return re.fullmatch(r"\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*", raw) is not None


def read_text(text: str, limits: Limits = LIMITS, source: str = "<text>") -> list[Block]:
    """Markdown / plain text to blocks; consecutive ``|`` lines form one table."""
    raw_lines = normalise_text(text).splitlines()
    if len(raw_lines) > limits.blocks:
        raise PlanParseError(
            f"{source}: tệp có {_n(len(raw_lines))} dòng, vượt giới hạn {_n(limits.blocks)} dòng "
            "của một văn bản; hãy tách văn bản hoặc kiểm tra lại tệp"
        )
    blocks: list[Block] = []
    table: Table | None = None
    for no, raw in enumerate(raw_lines, start=1):
        if raw.strip().startswith("|"):
            if table is None:
                table = Table(no)
                blocks.append(table)
            if not _is_separator(raw):
                table.rows.append(_split_row(raw))
                table.row_lines.append(no)
            continue
        table = None
        cleaned = clean_text(raw)
        if cleaned:
            blocks.append(Line(no, cleaned))
    return blocks


def _cell_text(cell: object) -> str:
    paragraphs = getattr(cell, "paragraphs", [])
    parts = [part for p in paragraphs for part in paragraph_text(p._p).split("\n")]
    return "\n".join(clean_text(p) for p in parts if clean_text(p))


def _n(n: int) -> str:
    """12345 -> "12.345" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MiB"


def check_docx_package(path: Path, limits: Limits = LIMITS) -> None:
    """Refuse what is not a Word package, a zip bomb, or a body too large to parse."""
    if not zipfile.is_zipfile(path):
        raise PlanParseError(
            f"{path}: không phải tệp Word .docx (tệp .docx là một gói zip; tệp này không "
            "phải). Nếu đây là tệp .doc cũ, hãy mở bằng Word và lưu lại dưới dạng .docx"
        )
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
            total = sum(i.file_size for i in infos)
            for info in infos:
                ratio = info.file_size / max(info.compress_size, 1)
                big = info.file_size > limits.unzipped_bytes
                if big or info.file_size > 20 * 1024 * 1024 and ratio > limits.zip_ratio:
                    raise PlanParseError(
                        f"{path}: phần {info.filename} giải nén ra {_mib(info.file_size)} "
                        f"(gấp {ratio:.0f} lần): tệp bị từ chối vì có dấu hiệu 'bom zip'"
                    )
            if total > limits.unzipped_bytes:
                raise PlanParseError(
                    f"{path}: nội dung giải nén {_mib(total)}, vượt giới hạn "
                    f"{_mib(limits.unzipped_bytes)}"
                )
            body = package.read("word/document.xml")
    except KeyError as exc:
        raise PlanParseError(f"{path}: gói .docx không có word/document.xml") from exc
    except (zipfile.BadZipFile, OSError, NotImplementedError) as exc:
        raise PlanParseError(f"{path}: không đọc được tệp .docx ({exc})") from exc
    count = len(re.findall(rb"<w:(?:p|tr)[\s/>]", body))
    if count > limits.blocks:
        raise PlanParseError(
            f"{path}: tệp có {_n(count)} đoạn văn và dòng bảng, vượt giới hạn {_n(limits.blocks)} "
            "của một văn bản; tệp bị từ chối để không treo chương trình"
        )


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RUN_HOLDERS = {f"{_W}hyperlink", f"{_W}ins", f"{_W}smartTag", f"{_W}fldSimple"}


def paragraph_text(p: object) -> str:
    """Text of a ``w:p`` element as Word shows it: runs (also inside links and insertions),
    tabs, line breaks. Read straight from the XML: python-docx compiles an XPath per call."""
    parts: list[str] = []
    runs = []
    for child in p:  # type: ignore[attr-defined]
        if child.tag == f"{_W}r":
            runs.append(child)
        elif child.tag in _RUN_HOLDERS:
            runs += [r for r in child if r.tag == f"{_W}r"]
    for run in runs:
        for item in run:
            if item.tag == f"{_W}t":
                parts.append(item.text or "")
            elif item.tag == f"{_W}tab":
                parts.append("\t")
            elif item.tag in (f"{_W}br", f"{_W}cr") and item.get(f"{_W}type") in (
                None,
                "textWrapping",
            ):
                parts.append("\n")
    return "".join(parts)


def _docx_document(path: Path) -> object:
    try:
        import docx

        return docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PlanParseError(f"{path}: không đọc được tệp .docx ({exc})") from exc
    except Exception as exc:  # python-docx raises its own types for broken packages
        raise PlanParseError(f"{path}: tệp .docx hỏng ({type(exc).__name__}: {exc})") from exc


def read_docx(path: Path, limits: Limits = LIMITS) -> list[Block]:
    """Paragraphs and tables of the document body, in order."""
    from docx.table import Table as DocxTable

    from notifier.plans.docx_numbering import Numbering

    check_docx_package(path, limits)
    document = _docx_document(path)
    numbering = Numbering(document)
    blocks: list[Block] = []
    no = 0
    for element in document.element.body:  # type: ignore[attr-defined]
        if element.tag == f"{_W}p":
            no += 1
            label = numbering.label(element)
            for i, part in enumerate(paragraph_text(element).split("\n")):
                if i == 0 and label and clean_text(part):
                    part = f"{label} {part}"
                if clean_text(part):
                    blocks.append(Line(no, clean_text(part)))
        elif element.tag == f"{_W}tbl":
            table = Table(no + 1)
            for row in DocxTable(element, document._body).rows:  # type: ignore[attr-defined]
                no += 1
                table.rows.append([_cell_text(c) for c in row.cells])
                table.row_lines.append(no)
            blocks.append(table)
    return blocks


def read_file(path: Path, limits: Limits = LIMITS) -> list[Block]:
    """Blocks of a plan file; PlanParseError names the file on any failure."""
    if not path.exists():
        raise PlanParseError(f"{path}: không tìm thấy tệp")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        known = ", ".join(sorted(SUFFIXES))
        raise PlanParseError(
            f"{path}: định dạng không hỗ trợ ({suffix or 'không đuôi'}); nhận: {known}"
        )
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise PlanParseError(
            f"{path}: tệp {_mib(size)}, vượt giới hạn {_mib(limits.file_bytes)} của một văn bản"
        )
    if suffix == ".docx":
        return read_docx(path, limits)
    if suffix == ".pdf":
        from notifier.plans.pdf_reader import read_pdf

        return read_pdf(path, limits)
    try:
        return read_text(path.read_text(encoding="utf-8-sig"), limits, str(path))
    except (UnicodeDecodeError, OSError) as exc:
        raise PlanParseError(
            f"{path}: không đọc được tệp văn bản ({exc}); tệp phải được lưu với mã UTF-8"
        ) from exc


def source_digest(blocks: list[Block]) -> str:
    """SHA-256 of the document's text as read (NFC, single spaces, cells in order).

    The same words give the same digest whatever the file's name, format details or
    line endings; any change of wording gives another.
    """
    digest = hashlib.sha256()
    for block in blocks:
        parts = [block.text] if isinstance(block, Line) else [c for r in block.rows for c in r]
        for part in parts:
            digest.update(" ".join(part.split()).encode("utf-8") + b"\n")
    return digest.hexdigest()
