"""Task tables ("Phụ lục"): columns found by keywords on accent-folded header text.

Rows whose STT is a Roman numeral (or that repeat one text across the row, a merged
cell) are group headings; the tasks below carry that group and a ref "<group>.<stt>".
A second header row (merged "Cơ quan" over "Chủ trì" | "Phối hợp") is folded into the
first. Tables whose header names no content column are not task tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from notifier.domain.timeframe import Timeframe, fold_accents
from notifier.plans.agencies import split_agencies
from notifier.plans.clauses import field_for
from notifier.plans.model import ParseWarning, Task
from notifier.plans.reader import Table

TimeParser = Callable[[str], Timeframe]
_ROMAN = re.compile(r"^(?=[IVXLC]+\.?$)[IVXLC]+\.?$")
_STT = re.compile(r"^\d+(?:\.\d+)*\.?$|^[a-zđ]\)?$")


@dataclass
class Columns:
    by_field: dict[str, int]
    ref: int | None
    header_rows: int


def _column_field(text: str) -> str | None:
    folded = fold_accents(text.lower()).strip(" .")
    if folded in ("stt", "tt", "so tt", "so thu tu"):
        return "ref"
    if "ghi chu" in folded:
        return "note"
    return field_for(text)


def find_columns(table: Table) -> Columns | None:
    """Map fields to column indexes, or None when this is not a task table."""
    for start in range(min(3, len(table.rows))):
        header = [c.replace("\n", " ") for c in table.rows[start]]
        second = table.rows[start + 1] if start + 1 < len(table.rows) else []
        merged = sum(bool(_column_field(c)) for c in second) >= 2 and not any(
            re.match(r"^(?:[IVX]+\.?|\d+\.?)$", c.strip()) for c in second[:1]
        )
        if merged:
            header = [f"{h} {s}".strip() for h, s in zip(header, second, strict=False)]
        cols: dict[str, int] = {}
        for i, cell in enumerate(header):
            name = _column_field(cell)
            if name and name not in cols:
                cols[name] = i
        if "title" in cols and ("lead" in cols or "time" in cols):
            return Columns(cols, cols.get("ref"), start + 1 + int(merged))
    return None


def _cell(row: list[str], cols: Columns, name: str) -> str:
    i = cols.by_field.get(name)
    return row[i].strip() if i is not None and i < len(row) else ""


def _is_group(row: list[str], cols: Columns) -> str | None:
    """The group label of a heading row, else None."""
    stt = row[cols.ref].strip() if cols.ref is not None and cols.ref < len(row) else ""
    if _ROMAN.match(stt):
        return stt.rstrip(".")
    texts = {c.strip() for c in row if c.strip()}
    if len(texts) == 1 and len(row) > 2 and not _STT.match(next(iter(texts))):
        return next(iter(texts))
    return None


def table_tasks(
    table: Table,
    cols: Columns,
    section: str | None,
    parse_time: TimeParser,
    warnings: list[ParseWarning],
) -> list[Task]:
    """One task per numbered (or titled) row; group rows set the ref prefix."""
    tasks: list[Task] = []
    group: str | None = None
    group_title: str | None = None
    parent: str | None = None
    for row, no in list(zip(table.rows, table.row_lines, strict=False))[cols.header_rows :]:
        heading = _is_group(row, cols)
        if heading is not None:
            roman = re.match(r"^([IVXLC]+)(?:\.|\s|$)", heading)
            group = roman.group(1) if roman else None
            group_title = _cell(row, cols, "title") or heading
            continue
        title = _cell(row, cols, "title")
        stt = _cell(row, cols, "ref").rstrip(".")
        if not title:
            if any(c.strip() for c in row):
                warnings.append(ParseWarning(no, "dòng bảng không có nội dung nhiệm vụ"))
            continue
        if re.match(r"^[a-zđ]\)?$", stt) and parent:
            ref = f"{parent}.{stt.rstrip(')')}"
        else:
            local = stt or str(len(tasks) + 1)
            ref = ".".join(p for p in (section, group, local) if p)
            parent = ref
        tasks.append(_row_task(row, cols, ref, title, no, group_title, parse_time))
    return tasks


def _row_task(
    row: list[str],
    cols: Columns,
    ref: str,
    title: str,
    no: int,
    group: str | None,
    parse_time: TimeParser,
) -> Task:
    output = _cell(row, cols, "output") or None
    note = _cell(row, cols, "note")
    return Task(
        ref=ref,
        title=" ".join(title.split()),
        line=no,
        timeframe=parse_time(_cell(row, cols, "time").replace("\n", " ")),
        directing=split_agencies(_cell(row, cols, "directing")),
        lead=split_agencies(_cell(row, cols, "lead")),
        coordinating=split_agencies(_cell(row, cols, "coordinating")),
        output=" ".join(output.split()) if output else None,
        group=group,
        layout="table",
        details=[f"Ghi chú: {note}"] if note else [],
    )
