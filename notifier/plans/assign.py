"""Assignments outside a content section: "Tổ chức thực hiện", letter bodies, decision articles.

Here an item is a task only when it assigns work to someone:
- "1. Phòng X: chủ trì, phối hợp ... xây dựng ...; hoàn thành trước ngày D" (lead before
  the colon), or "1. Sở X - cơ quan thường trực, chủ trì ..." (lead before a dash);
- "Giao X chủ trì ..." anywhere;
- bullets under an agency heading ("1. Các sở, ban, ngành:" or "1. Sở Tài chính" alone);
- "Sở X chủ trì ... ; hoàn thành trước ngày D" (a subject, a verb and a time).
An item whose action is only to monitor, compile, report or pass on obstacles ("Văn phòng
... theo dõi, đôn đốc", "Các cơ quan báo cáo ... về ...") is a duty, not a task. Every
item also goes to the duty reader (:mod:`notifier.plans.duties`) for plan-wide roles. A
numbered item that is neither a task nor a duty becomes a warning: nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from notifier.domain.timeframe import Timeframe
from notifier.plans.agencies import looks_like_agency, split_agencies
from notifier.plans.clauses import Assignment, has_time, match_label, parse_assignment
from notifier.plans.duties import SectionItem, roles_of, subject_span
from notifier.plans.model import ParseWarning, Task
from notifier.plans.reader import Line

TimeParser = Callable[[str], Timeframe]
NUMBER = re.compile(r"^(?P<num>\d{1,5}(?:\.\d{1,5})*)(?:[.)]\s*|\s+)(?P<rest>\S.*)$")
LETTER = re.compile(r"^(?P<let>[a-zđ])[)]\s*(?P<rest>.*)$")
BULLET = re.compile(r"^[-+•–*]\s*(?P<rest>.*)$")
_COLON = re.compile(r"^(?P<agency>[^:：;]{3,300}?)\s*[:：]\s*(?P<body>.*)$")
_DASH = re.compile(r"^(?P<agency>[^:;]{3,200}?)\s+[-–—]\s+(?P<body>[a-zđà-ỹ].*)$")
_LEAD_IN = re.compile(r"^(?:đối với|trách nhiệm của|nhiệm vụ của|giao)\s+", re.I)
_DUTY_ACTION = re.compile(
    r"^(?:(?:có|chịu) trách nhiệm|(?:là )?cơ quan thường trực|(?:là )?(?:cơ quan )?đầu mối|"
    r"chủ trì|kịp thời|định kỳ|thường xuyên|[\s,])*"
    r"(?:theo dõi|đôn đốc|tổng hợp|báo cáo|phản ánh|giúp (?:UBND|Ủy ban|Chủ tịch))",
    re.I,
)
# words that make a line a sentence, not a list of agency names ("xây dựng", "quản lý" and
# "đầu tư" are left out: they occur inside names such as "Ban Quản lý dự án đầu tư xây dựng")
_HEADING_WORDS = re.compile(
    r"(?<![\wÀ-ỹ])(?:chủ trì|phối hợp|thực hiện|triển khai|có trách nhiệm|chịu trách nhiệm|"
    r"theo dõi|đôn đốc|tổng hợp|báo cáo|tham mưu|là|hướng dẫn|kiểm tra|tổ chức|rà soát|"
    r"chủ động|tiếp tục|căn cứ|trình|gửi)(?![\wÀ-ỹ])"
)


@dataclass
class Item:
    ref: str
    text: str
    line: int
    numbered: bool
    group: list[str] | None = None  # agencies of the agency heading above


@dataclass
class RegionResult:
    tasks: list[Task] = field(default_factory=list)
    duty_items: list[SectionItem] = field(default_factory=list)


def join_ref(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def agency_heading(text: str) -> list[str] | None:
    """Agencies of a heading that names only agencies ("Các sở, ban, ngành:", "Sở Tài chính")."""
    body = _LEAD_IN.sub("", text.strip()).rstrip(" :：.")
    if not body or len(body.split()) > 40 or not looks_like_agency(body):
        return None
    if _HEADING_WORDS.search(body) or has_time(body) or ":" in body:
        return None
    agencies = split_agencies(body)
    return agencies if agencies and all(looks_like_agency(a) for a in agencies) else None


def lead_before(text: str) -> tuple[list[str], str] | None:
    """(agencies, rest) of "X: rest" or "X - rest" when X names agencies; else None."""
    for pattern in (_COLON, _DASH):
        m = pattern.match(text)
        if not m:
            continue
        raw = _LEAD_IN.sub("", m.group("agency"))
        if len(raw.split()) > 40 or not looks_like_agency(raw) or match_label(text):
            continue
        agencies = split_agencies(raw)
        if agencies and all(looks_like_agency(a) for a in agencies):
            return agencies, m.group("body").strip()
    return None


def items_of(lines: list[Line], label: str) -> list[Item]:
    """Numbered items, lettered items, bullets and paragraphs with refs and agency groups."""
    items: list[Item] = []
    counters: dict[str, int] = {}
    parent, group = label, None

    def next_ref(owner: str) -> str:
        counters[owner] = counters.get(owner, 0) + 1
        return join_ref(owner, str(counters[owner]))

    for line in lines:
        if m := NUMBER.match(line.text):
            num = m.group("num")
            top = num.split(".")[0]
            if "." not in num and top.isdigit():
                counters[label] = max(counters.get(label, 0), int(top))
            parent, text = join_ref(label, num), m.group("rest")
            group = agency_heading(text) or _colon_group(text)
            items.append(Item(parent, text, line.no, True, None))
        elif m := LETTER.match(line.text):
            items.append(Item(f"{parent}.{m.group('let')}", m.group("rest"), line.no, True, group))
        else:
            m = BULLET.match(line.text)
            text = m.group("rest") if m else line.text
            items.append(Item(next_ref(parent), text, line.no, False, group))
            if not m and parent == label and (heading := _colon_group(text)):
                group = heading  # an unnumbered "Sở X:" opens a group for the bullets below
                parent = items[-1].ref
    return items


def _colon_group(text: str) -> list[str] | None:
    found = lead_before(text)
    return found[0] if found and not found[1] else None


def _is_duty_only(action: str, text: str) -> bool:
    roles = roles_of(text)
    return roles == ["obstacle"] or bool(roles) and _DUTY_ACTION.match(action) is not None


def _assignment(item: Item) -> tuple[list[str], str, str] | None:
    """(lead, body, layout) when the item assigns work; None for a plain sentence."""
    if found := lead_before(item.text):
        return found[0], found[1], "agency"
    if re.match(r"^giao\s", item.text, re.I):
        return [], item.text, "prose"
    if item.group:
        return item.group, item.text, "agency"
    span = subject_span(item.text)
    if span and has_time(item.text):
        return span[0], item.text[span[1] :].strip(" ,"), "prose"
    return None


def assign_region(
    lines: list[Line], label: str, parse_time: TimeParser, warnings: list[ParseWarning]
) -> RegionResult:
    """Tasks and duty items of one region (see the module docstring)."""
    result = RegionResult()
    items = items_of(lines, label)
    owners = {i.ref.rsplit(".", 1)[0] for i in items}
    for item in items:
        heading = item.numbered and (agency_heading(item.text) or _colon_group(item.text))
        if heading:
            if item.ref not in owners:
                warnings.append(ParseWarning(item.line, f"{item.ref}: cơ quan không có nội dung"))
            continue
        roles = roles_of(item.text)
        found = _assignment(item)
        task = None
        if found and found[1]:
            a = parse_assignment(found[1], lead=found[0] or None)
            if not _is_duty_only(a.title, found[1]):
                task = _task(item, found, a, parse_time)
                result.tasks.append(task)
        default = found[0] if found else (item.group or [])
        if roles and (item.numbered or default or subject_span(item.text, roles == ["obstacle"])):
            result.duty_items.append(SectionItem(item.ref, item.text, item.line, default))
        elif not roles and task is None and item.numbered and not _title_only(item, owners):
            warnings.append(
                ParseWarning(
                    item.line,
                    f"{item.ref}: không nhận ra nhiệm vụ hay trách nhiệm; ghi theo mẫu "
                    "'Cơ quan X: nội dung; hoàn thành trước ngày ...' hoặc 'Giao X chủ trì ...'",
                )
            )
    return result


def _title_only(item: Item, owners: set[str]) -> bool:
    """A numbered heading ("1. Công tác tuyên truyền") with items below it."""
    return item.ref in owners


def _task(
    item: Item, found: tuple[list[str], str, str], a: Assignment, parse_time: TimeParser
) -> Task:
    return Task(
        item.ref,
        a.title,
        item.line,
        parse_time(a.time_text),
        lead=a.lead,
        coordinating=a.coordinating,
        output=a.output,
        layout=found[2],
    )
