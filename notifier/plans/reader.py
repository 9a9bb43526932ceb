"""Files -> a flat sequence of lines and tables, each carrying a 1-based line number.

Markdown / plain text: line numbers are the file's own. Markup that carries no
meaning here (``#`` headings, ``**bold**``, ``__``, hard-break spaces) is removed.
Pipe tables become :class:`Table` blocks.

.docx: "line" counts paragraphs and table rows in document order (1-based); a
paragraph with soft line breaks yields several lines with the same number. A table
that is not a task table (the header and signature layout tables) is flattened to
lines by the parser, cell by cell.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from notifier.errors import PlanParseError

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}


@dataclass(frozen=True)
class Line:
    no: int
    text: str


@dataclass
class Table:
    no: int
    rows: list[list[str]] = field(default_factory=list)
    row_lines: list[int] = field(default_factory=list)


Block = Line | Table


def clean_text(text: str) -> str:
    """NFC, no markdown emphasis, single spaces; keeps line content otherwise intact."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\t", " ")
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


def read_text(text: str) -> list[Block]:
    """Markdown / plain text to blocks; consecutive ``|`` lines form one table."""
    blocks: list[Block] = []
    table: Table | None = None
    for no, raw in enumerate(text.splitlines(), start=1):
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
    parts = [part for p in paragraphs for part in p.text.split("\n")]
    return "\n".join(clean_text(p) for p in parts if clean_text(p))


def read_docx(path: Path) -> list[Block]:
    """Paragraphs and tables of the document body, in order."""
    try:
        import docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph

        from notifier.plans.docx_numbering import Numbering

        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PlanParseError(f"{path}: không đọc được tệp .docx ({exc})") from exc
    except Exception as exc:  # python-docx raises its own types for broken packages
        raise PlanParseError(f"{path}: tệp .docx hỏng ({type(exc).__name__}: {exc})") from exc
    blocks: list[Block] = []
    numbering = Numbering(document)
    no = 0
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            no += 1
            label = numbering.label(item)
            for i, part in enumerate(item.text.split("\n")):
                if i == 0 and label and clean_text(part):
                    part = f"{label} {part}"
                if clean_text(part):
                    blocks.append(Line(no, clean_text(part)))
        elif isinstance(item, DocxTable):
            table = Table(no + 1)
            for row in item.rows:
                no += 1
                table.rows.append([_cell_text(c) for c in row.cells])
                table.row_lines.append(no)
            blocks.append(table)
    return blocks


def read_file(path: Path) -> list[Block]:
    """Blocks of a plan file; PlanParseError names the file on any failure."""
    if not path.exists():
        raise PlanParseError(f"{path}: không tìm thấy tệp")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return read_docx(path)
    if suffix not in TEXT_SUFFIXES:
        raise PlanParseError(f"{path}: định dạng không hỗ trợ ({suffix or 'không đuôi'})")
    try:
        return read_text(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, OSError) as exc:
        raise PlanParseError(f"{path}: không đọc được tệp văn bản ({exc})") from exc
