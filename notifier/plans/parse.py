"""Plan documents (Markdown, text, .docx, .pdf) -> :class:`ParsedPlan`.

Steps: read blocks; flatten non-task tables to lines; split lines into regions:
Roman-numeral sections, decision articles ("Điều 2."), a letter's body after
"... yêu cầu:" / "đề nghị:"; read the header, signature and recipients; read tasks
from content sections (lines and task tables) with :mod:`notifier.plans.tasks`, and
tasks and duties from "Tổ chức thực hiện", letters and articles with
:mod:`notifier.plans.assign`; when nothing was found, look at the whole body the same
way; warn about every task without a lead agency or a readable time, and about OCR
lines read with low confidence. Never raises on content: only an unreadable file
raises PlanParseError.
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
from notifier.plans.assign import assign_region
from notifier.plans.duties import parse_duties
from notifier.plans.header import (
    CAPACITY,
    NUMBER,
    PLACE_DATE,
    kind_line,
    parse_header,
    parse_recipients,
    parse_signature,
)
from notifier.plans.model import ParsedPlan, ParseWarning, PlanHeader, Task
from notifier.plans.reader import Block, Line, Table, read_file, read_text, source_digest
from notifier.plans.review import ocr_review
from notifier.plans.tables import find_columns, table_tasks
from notifier.plans.tasks import walk

_SECTION = re.compile(r"^(?P<num>[IVX]{1,4})[.\-–)]\s*(?P<title>\S.*)$")
_ARTICLE = re.compile(r"^Điều\s+(?P<num>\d{1,3})\s*[.:]\s*(?P<rest>.*)$")
# a letter's request: "Chủ tịch UBND tỉnh yêu cầu:", "... đề nghị các đơn vị thực hiện như sau:"
_ASKS = re.compile(r"(?:yeu cau|de nghi|chi dao|giao nhiem vu)\b[^:]{0,200}:\s*$")
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
    num: str  # "II", "Đ2" (decision article), "" (a letter's body)
    kind: str  # tasks | duties | other
    items: list[Block] = field(default_factory=list)
    title: str = ""


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


def _opens_region(text: str, no: int = 0) -> _Section | None:
    """A decision article ("Điều 2. ...") or a letter's "... yêu cầu:" line opens a region."""
    if m := _ARTICLE.match(text):
        section = _Section(f"Đ{m.group('num')}", "duties", title=text)
        if len(m.group("rest").split()) > 6:  # "Điều 2. Tổ chức thực hiện" is only a title
            section.items.append(Line(no, m.group("rest").strip()))
        return section
    if len(text) < 400 and _ASKS.search(fold_accents(text.lower())):
        return _Section("", "duties", title=text)
    return None


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
    """All lines (for header/signature/recipients) and the regions holding tasks or duties."""
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
            current = _Section(m.group("num"), _section_kind(m.group("title")), title=block.text)
            sections.append(current)
        elif fold_accents(block.text.lower()).startswith(("noi nhan", "phu luc")):
            current = None
        elif (current is None or current.num.startswith("Đ")) and (
            region := _opens_region(block.text, block.no)
        ):
            current = region
            sections.append(current)
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


def _header_like(line: Line, header: PlanHeader) -> bool:
    text = line.text
    return bool(
        NUMBER.match(text)
        or PLACE_DATE.search(text)
        or kind_line(text)
        or text == text.upper()
        or text.startswith(("Căn cứ", "V/v", "Kính gửi"))
        or header.title
        and text in header.title
    )


def _body_region(lines: list[Line], header: PlanHeader, sections: list[_Section]) -> _Section:
    """Lines outside every region and the header, up to "Nơi nhận": the last place to look."""
    inside = {i.no for sec in sections for i in sec.items if isinstance(i, Line)}
    body = _Section("", "duties")
    for line in lines:
        if fold_accents(line.text.lower()).startswith("noi nhan") or CAPACITY.match(line.text):
            break
        if line.no not in inside and not _header_like(line, header):
            body.items.append(line)
    return body


def _duties_region(
    sec: _Section, plan: ParsedPlan, parse_time: Callable[[str], Timeframe]
) -> list[Task]:
    lines = [i for i in sec.items if isinstance(i, Line)]
    result = assign_region(lines, sec.num, parse_time, plan.warnings)
    duties = parse_duties(result.duty_items, parse_time, plan.warnings)
    plan.duties += duties.duties
    plan.reporting += duties.reporting
    if not plan.obstacle_route.to:
        plan.obstacle_route = duties.route
    return result.tasks


def _year(header_date: str | None, all_text: str, warnings: list[ParseWarning]) -> int:
    year = _plan_year(header_date, all_text)
    if year is None:
        warnings.append(ParseWarning(1, "không xác định được năm của kế hoạch"))
        return 2000
    return year


def parse_blocks(blocks: list[Block], *, source: str, until: date | None) -> ParsedPlan:
    """The parse proper; see the module docstring for the steps."""
    warnings: list[ParseWarning] = []
    lines, sections = _split(blocks)
    all_text = "\n".join(line.text for line in lines)
    header_end = next(
        (i for i, ln in enumerate(lines) if _is_heading(ln.text) or _opens_region(ln.text)),
        len(lines),
    )
    header = parse_header(lines[:header_end], all_text, parse_signature(lines), warnings)
    year = _year(header.date, all_text, warnings)
    horizon = until or date(year + 1, 12, 31)
    plan_date = _plan_date(header.date)

    def parse_time(text: str) -> Timeframe:
        return parse_timeframe(text, plan_date=plan_date, plan_year=year, until=horizon)

    plan = ParsedPlan(source, header, warnings=warnings, source_hash=source_digest(blocks))
    for sec in sections:
        plan.regions.append(f"{sec.num or 'thân văn bản'} ({sec.kind}): {sec.title[:60]}")
        if sec.kind == "tasks":
            plan.tasks += _section_tasks(sec, parse_time, warnings)
        elif sec.kind == "duties":
            plan.tasks += _duties_region(sec, plan, parse_time)
    if not plan.tasks:
        body = _body_region(lines, header, sections)
        plan.tasks += _duties_region(body, plan, parse_time)
    plan.recipients = parse_recipients(lines, warnings)
    _check(plan.tasks, warnings)
    plan.ocr = ocr_review(blocks, warnings)
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
