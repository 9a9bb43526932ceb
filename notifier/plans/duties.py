"""Section III ("Tổ chức thực hiện"): who monitors, compiles, reports, and where obstacles go.

Roles come from keywords: "theo dõi, đôn đốc" -> monitor, "tổng hợp" -> compile,
"báo cáo" -> report (with addressee after "về", channel inside "(qua ...)", and a
cycle), "khó khăn, vướng mắc" -> obstacle (route: after "báo cáo/gửi", cc after
"đồng gửi"). The subject of the sentence is the agency holding the role.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from notifier.domain.timeframe import Timeframe, fold_accents
from notifier.plans.agencies import (
    drop_level_tail,
    keep_fixed_commas,
    looks_like_agency,
    restore_commas,
    split_agencies,
)
from notifier.plans.clauses import split_time
from notifier.plans.model import Duty, ObstacleRoute, ParseWarning, Reporting

TimeParser = Callable[[str], Timeframe]

_STOP = re.compile(
    r"\s+(?:có trách nhiệm|chịu trách nhiệm|chủ trì|theo dõi|tổng hợp|báo cáo|phối hợp|chủ động|"
    r"tham mưu|căn cứ|theo chức năng|là cơ quan|thực hiện|triển khai|phải|kịp thời|định kỳ|"
    r"hướng dẫn|kiểm tra|đôn đốc|giúp|nghiêm túc|tổ chức|gửi|cung cấp|xây dựng|hằng|hàng|"
    r"phản ánh|chỉ đạo|bố trí|rà soát|tuyên truyền)\b"
)  # case-sensitive: a capitalised word ("Ban Xây dựng Đảng") belongs to the name
_OBSTACLE_CLAUSE = re.compile(r"(?:khó khăn|vướng mắc)[^,]*,\s*", re.I)
_TO = re.compile(
    r"(?:báo cáo|gửi|phản ánh)(?:[^;]*?)\s+về\s+(?P<to>.+?)"
    r"(?=\s*\(|\s+(?:trước|chậm nhất|định kỳ|hằng|hàng|để|theo|qua|trong|đồng gửi)\b|[,;.]|$)",
    re.I,
)
_TO_DIRECT = re.compile(
    r"báo cáo\s+(?P<to>(?:UBND|Ủy ban|Sở|Giám đốc|Chủ tịch|Thường trực|Văn phòng|Phòng|Bộ|"
    r"Thủ tướng|HĐND|Ban)\b.*?)(?=\s+(?:trước|chậm nhất|định kỳ|hằng|hàng|để|theo|qua|trong|"
    r"đồng gửi|xem xét|kết quả|đột xuất|khi)\b|[,;.(]|$)"
)
_OBSTACLE_TO = re.compile(
    r"(?:báo cáo|phản ánh|gửi)\s+(?:bằng văn bản\s+)?(?:về\s+)?(?P<to>.+?)"
    r"(?=\s+đồng gửi|\s*\(|\s+(?:để|xem xét|qua)\b|[,;.]|$)",
    re.I,
)
_CC = re.compile(
    r"đồng gửi\s+(?P<cc>.+?)(?=\s+(?:để|tổng hợp|xem xét|biết|theo dõi)\b|[,;.(]|$)", re.I
)
_VIA = re.compile(r"\(\s*qua\s+(?P<via>[^)]+)\)|\s+qua\s+(?P<via2>(?:Phòng|Văn phòng|Sở)[^,;.(]+)")
_ON_DEMAND = re.compile(
    r"theo (?:thời gian )?yêu cầu|đột xuất(?: khi có yêu cầu)?|khi có yêu cầu", re.I
)


@dataclass
class SectionItem:
    ref: str
    text: str
    line: int
    default: list[str] = field(default_factory=list)  # the agency heading above, if any


@dataclass
class DutyResult:
    duties: list[Duty]
    reporting: list[Reporting]
    route: ObstacleRoute


def roles_of(text: str) -> list[str]:
    f = fold_accents(text.lower())
    if re.search(r"kho khan|vuong mac", f):
        return ["obstacle"]
    roles = []
    if re.search(r"don doc", f):
        roles.append("monitor")
    if re.search(r"(?<!de )tong hop", f):
        roles.append("compile")
    if "bao cao" in f:
        roles.append("report")
    if not roles and re.search(r"trien khai|thuc hien|tham muu|chu tri", f):
        roles.append("implement")
    if roles and roles[0] == "report" and re.search(r"trien khai|thuc hien", f):
        roles.insert(0, "implement")
    return roles


def _agencies(raw: str) -> list[str]:
    return [drop_level_tail(a) for a in split_agencies(restore_commas(raw))]


def subject_span(text: str, obstacle: bool = False) -> tuple[list[str], int] | None:
    """Agencies named before the first role verb ("X có trách nhiệm theo dõi ...") and where
    they end in ``text``; None when what stands there does not name an agency."""
    start = 0
    if obstacle:
        for m in _OBSTACLE_CLAUSE.finditer(keep_fixed_commas(text)):
            start = m.end()
    rest = text[start:]
    lead_in = re.match(r"^\s*(?:Giao|Đề nghị|Yêu cầu)\s+", rest, flags=re.I)
    offset = start + (lead_in.end() if lead_in else len(rest) - len(rest.lstrip()))
    body = text[offset:]
    stop = _STOP.search(body)
    subject = body[: stop.start()] if stop else ""
    if not subject or len(subject.split()) > 40 or not looks_like_agency(subject):
        return None
    agencies = [a for a in _agencies(subject) if looks_like_agency(a)]
    return (agencies, offset + stop.start()) if agencies and stop else None


def subject_of(text: str, obstacle: bool) -> list[str]:
    """Agencies named before the first role verb ("X có trách nhiệm theo dõi ...")."""
    span = subject_span(text, obstacle)
    return span[0] if span else []


def _via(text: str) -> list[str]:
    m = _VIA.search(text)
    return _agencies(m.group("via") or m.group("via2")) if m else []


def _route(text: str) -> ObstacleRoute:
    start = max((m.end() for m in _OBSTACLE_CLAUSE.finditer(text)), default=0)
    rest = text[start:]
    to = _OBSTACLE_TO.search(rest)
    cc = _CC.search(rest)
    return ObstacleRoute(
        to=_agencies(to.group("to")) if to else [],
        cc=_agencies(cc.group("cc")) if cc else [],
        via=_via(rest),
    )


def _report_time(text: str, parse_time: TimeParser) -> Timeframe:
    at = text.lower().find("báo cáo")
    text = text[at:] if at >= 0 else text
    _, time_text = split_time(text)
    if not time_text and (m := _ON_DEMAND.search(text)):
        time_text = m.group(0)
    return parse_time(time_text)


def parse_duties(
    items: list[SectionItem], parse_time: TimeParser, warnings: list[ParseWarning]
) -> DutyResult:
    """Duties, reporting obligations and the obstacle route from section III items."""
    result = DutyResult([], [], ObstacleRoute())
    for item in items:
        roles = roles_of(item.text)
        if not roles:
            continue
        obstacle = roles == ["obstacle"]
        agencies = (item.default if not obstacle else []) or subject_of(item.text, obstacle)
        if not agencies:
            warnings.append(ParseWarning(item.line, f"{item.ref}: không xác định được cơ quan"))
        result.duties.append(Duty(item.ref, agencies, roles, item.text, item.line))
        if roles == ["obstacle"]:
            route = _route(keep_fixed_commas(item.text))
            if not route.to:
                warnings.append(ParseWarning(item.line, f"{item.ref}: không rõ nơi nhận vướng mắc"))
            if not result.route.to:
                result.route = route
            continue
        if "report" in roles:
            kept = keep_fixed_commas(item.text)
            to_m = _TO.search(kept) or _TO_DIRECT.search(kept)
            via = _via(kept)
            timeframe = _report_time(item.text, parse_time)
            to = _agencies(to_m.group("to")) if to_m else []
            result.reporting.append(Reporting(agencies, to, via, timeframe, item.ref, item.line))
            if via:
                text = item.text
                result.duties.append(Duty(item.ref, via, ["compile"], text, item.line))
    return result
