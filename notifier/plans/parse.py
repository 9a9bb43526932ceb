"""Plan documents (Markdown, text, .docx) -> :class:`ParsedPlan`.

Steps: read blocks; flatten non-task tables to lines; split lines into Roman-numeral
sections; read the header, signature and recipients; read tasks from content
sections (lines and task tables) and duties from "Tổ chức thực hiện"; warn about
every task without a lead agency or a readable time. Never raises on content:
only an unreadable file raises PlanParseError.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from notifier.domain.timeframe import Timeframe, TimeframeKind, fold_accents, parse_timeframe
from notifier.errors import PlanParseError
from notifier.plans.duties import SectionItem, parse_duties
from notifier.plans.header import parse_header, parse_recipients, parse_signature
from notifier.plans.model import ParsedPlan, ParseWarning, Task
from notifier.plans.reader import Block, Line, Table, read_file, read_text
from notifier.plans.tables import find_columns, table_tasks
from notifier.plans.tasks import walk

_SECTION = re.compile(r"^(?P<num>[IVX]{1,4})[.\-–)]\s*(?P<title>\S.*)$")
_TASK_WORDS = (
    "noi dung",
    "nhiem vu",
    "giai phap",
    "hoat dong",
    "phan cong",
    "danh muc",
    "lo trinh",
    "chuong trinh",
    "ke hoach cu the",
    "cong viec",
)


@dataclass
class _Section:
    num: str
    kind: str  # tasks | duties | other
    items: list[Block] = field(default_factory=list)


def _section_kind(title: str) -> str:
    folded = fold_accents(title.lower())
    if "to chuc thuc hien" in folded or "trach nhiem" in folded:
        return "duties"
    if any(w in folded for w in _TASK_WORDS):
        return "tasks"
    return "other"


def _is_heading(text: str) -> re.Match[str] | None:
    m = _SECTION.match(text)
    if not m:
        return None
    letters = [c for c in m.group("title") if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return m if letters and upper / len(letters) > 0.6 else None


def _flatten(table: Table) -> list[Line]:
    """A layout table (header, signature) read cell by cell; merged repeats skipped."""
    out: list[Line] = []
    for row, no in zip(table.rows, table.row_lines, strict=False):
        seen: set[str] = set()
        for cell in row:
            if cell in seen:
                continue
            seen.add(cell)
            out += [Line(no, part) for part in cell.split("\n") if part.strip()]
    return out


def _split(blocks: list[Block]) -> tuple[list[Line], list[_Section]]:
    """All lines (for header/signature/recipients) and the Roman-numeral sections."""
    lines: list[Line] = []
    sections: list[_Section] = []
    current: _Section | None = None
    for block in blocks:
        if isinstance(block, Table) and find_columns(block) is None:
            lines += _flatten(block)  # layout table: header / signature / recipients
            if current is not None and current.kind == "tasks":
                current.items.append(block)  # reported as an unreadable table
            continue
        if isinstance(block, Table):
            if current is None or current.kind != "tasks":
                current = _Section(current.num if current else "PL", "tasks")
                sections.append(current)
            current.items.append(block)
            continue
        lines.append(block)
        if m := _is_heading(block.text):
            current = _Section(m.group("num"), _section_kind(m.group("title")))
            sections.append(current)
        elif fold_accents(block.text.lower()).startswith(("noi nhan", "phu luc")):
            current = None
        elif current is not None:
            current.items.append(block)
    return lines, sections


def _plan_year(iso: str | None, text: str) -> int | None:
    if iso:
        return int(iso[:4])
    years = Counter(re.findall(r"(?<!\d)(20\d\d)(?!\d)", text))
    return int(years.most_common(1)[0][0]) if years else None


def _plan_date(iso: str | None) -> date | None:
    if not iso or len(iso) < 7:
        return None
    parts = [int(p) for p in iso.split("-")]
    return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


def _section_tasks(
    sec: _Section, parse_time: Callable[[str], Timeframe], warnings: list[ParseWarning]
) -> list[Task]:
    """Runs of lines go to the line walker, tables to the table reader, in order."""
    tasks: list[Task] = []
    run: list[Line] = []
    items: list[Block | None] = [*sec.items, None]
    for item in items:
        if isinstance(item, Line):
            run.append(item)
            continue
        if run:
            tasks += walk(run, sec.num, parse_time, warnings)
            run = []
        if isinstance(item, Table):
            cols = find_columns(item)
            if cols:
                tasks += table_tasks(item, cols, sec.num, parse_time, warnings)
            else:
                msg = "bảng không nhận dạng được cột (nội dung, chủ trì, thời gian)"
                warnings.append(ParseWarning(item.no, msg))
    return tasks


def _duty_items(sec: _Section) -> list[SectionItem]:
    items: list[SectionItem] = []
    counters: dict[str, int] = {}
    parent = sec.num
    for item in sec.items:
        if not isinstance(item, Line):
            continue
        if m := re.match(r"^(\d{1,2}(?:\.\d{1,2})*)[.)]?\s+(.*)$", item.text):
            parent = f"{sec.num}.{m.group(1)}"
            items.append(SectionItem(parent, m.group(2), item.no))
        elif m := re.match(r"^(?:[-+•–]|[a-zđ]\))\s*(.*)$", item.text):
            counters[parent] = counters.get(parent, 0) + 1
            items.append(SectionItem(f"{parent}.{counters[parent]}", m.group(1), item.no))
    return items


def _check(tasks: list[Task], warnings: list[ParseWarning]) -> None:
    seen: set[str] = set()
    for task in tasks:
        if task.ref in seen:
            warnings.append(ParseWarning(task.line, f"{task.ref}: số thứ tự bị trùng"))
        seen.add(task.ref)
        if not task.lead:
            warnings.append(ParseWarning(task.line, f"{task.ref}: không có cơ quan chủ trì"))
        tf: Timeframe = task.timeframe
        if tf.kind is TimeframeKind.UNKNOWN:
            what = f"'{tf.text}'" if tf.text else "(trống)"
            warnings.append(ParseWarning(task.line, f"{task.ref}: thời hạn {what}: {tf.note}"))


def parse_blocks(blocks: list[Block], *, source: str, until: date | None) -> ParsedPlan:
    """The parse proper; see the module docstring for the steps."""
    warnings: list[ParseWarning] = []
    lines, sections = _split(blocks)
    all_text = "\n".join(line.text for line in lines)
    first_section = next((i for i, ln in enumerate(lines) if _is_heading(ln.text)), len(lines))
    header = parse_header(lines[:first_section], all_text, parse_signature(lines))
    year = _plan_year(header.date, all_text)
    if year is None:
        warnings.append(ParseWarning(1, "không xác định được năm của kế hoạch"))
        year = 2000
    horizon = until or date(year + 1, 12, 31)
    plan_date = _plan_date(header.date)

    def parse_time(text: str) -> Timeframe:
        return parse_timeframe(text, plan_date=plan_date, plan_year=year, until=horizon)

    plan = ParsedPlan(source, header, warnings=warnings)
    for sec in sections:
        if sec.kind == "tasks":
            plan.tasks += _section_tasks(sec, parse_time, warnings)
        elif sec.kind == "duties":
            result = parse_duties(_duty_items(sec), parse_time, warnings)
            plan.duties += result.duties
            plan.reporting += result.reporting
            if not plan.obstacle_route.to:
                plan.obstacle_route = result.route
    plan.recipients = parse_recipients(lines, warnings)
    _check(plan.tasks, warnings)
    if not plan.tasks:
        warnings.append(ParseWarning(1, "không tìm thấy nhiệm vụ nào"))
    warnings.sort(key=lambda w: w.line)
    return plan


def parse_plan_text(text: str, *, source: str = "<text>", until: date | None = None) -> ParsedPlan:
    """Parse Markdown or plain text already in memory."""
    return parse_blocks(read_text(text), source=source, until=until)


def parse_plan_file(path: Path, *, until: date | None = None) -> ParsedPlan:
    """Parse a .md/.txt/.docx file; PlanParseError (naming the file) if it cannot be read."""
    path = Path(path)
    blocks = read_file(path)
    try:
        return parse_blocks(blocks, source=str(path), until=until)
    except RecursionError as exc:  # pragma: no cover - defensive: content never raises
        raise PlanParseError(f"{path}: {exc}") from exc
