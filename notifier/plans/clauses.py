"""Pieces of one line: labelled fields ("Cơ quan chủ trì: ...") and assignment sentences.

An assignment sentence is the prose layout ("Giao X chủ trì, phối hợp với Y <việc>;
hoàn thành trước ngày D") and the rest of an agency-grouped item ("X: chủ trì,
phối hợp ... ; hoàn thành trước ngày D").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from notifier.domain.timeframe import fold_accents
from notifier.plans.agencies import looks_like_agency, split_agencies

# folded keyword -> field; the first hit wins, so "thời gian thực hiện" is time, not lead.
LABEL_FIELDS: list[tuple[tuple[str, ...], str]] = [
    (("phoi hop",), "coordinating"),
    (("chi dao",), "directing"),
    (("thoi gian", "thoi han", "tien do", "hoan thanh"), "time"),
    (("san pham", "ket qua"), "output"),
    (("chu tri", "tham muu", "thuc hien", "trach nhiem", "thuong truc"), "lead"),
    (("noi dung", "nhiem vu", "cong viec"), "title"),
]
_LABEL = re.compile(r"^(?P<label>[^:：;]{2,60}?)\s*[:：]\s*(?P<value>.*)$")
_UNKNOWN_LABELS = ("kinh phi", "dia diem", "ghi chu", "thanh phan", "hinh thuc", "doi tuong")


def field_for(label: str) -> str | None:
    """The task field a label (header cell or bullet label) names, by folded keywords."""
    folded = fold_accents(label.lower())
    for keys, name in LABEL_FIELDS:
        if any(k in folded for k in keys):
            return name
    return None


def match_label(text: str) -> tuple[str, str, str | None] | None:
    """(label, value, field) for "Label: value" lines; field None for other short labels."""
    m = _LABEL.match(text)
    if not m or looks_like_agency(m.group("label")):
        return None
    label = m.group("label").strip()
    if len(label.split()) > 7:
        return None
    name = field_for(label)
    if not m.group("value").strip(" .;") and name not in ("lead", "coordinating", "directing"):
        return None
    folded = fold_accents(label.lower())
    if name is None and not any(k in folded for k in _UNKNOWN_LABELS):
        return None
    return label, m.group("value").strip(), name


_VERBS = (
    "tổ chức|triển khai|thực hiện|tham mưu|xây dựng|rà soát|kiểm tra|hướng dẫn|tuyên truyền|"
    "lập|đề xuất|hoàn thành|báo cáo|theo dõi|trình|ban hành|chuẩn bị|khảo sát|đánh giá|"
    "tổng hợp|vận động|quản lý|cập nhật|điều tra|thẩm định|phê duyệt|tiếp nhận|giải quyết|"
    "đôn đốc|để|nhằm|bố trí|cung cấp|thống kê|chỉ đạo|đẩy mạnh|tăng cường|nâng cao|phát triển|"
    "hoàn thiện|duy trì|phổ biến|bảo đảm|đảm bảo|sơ kết|tổng kết|số hóa|chuyển đổi|giải ngân|"
    "thu|tập huấn|bồi dưỡng|cử|mời|chủ động|xử lý|kiện toàn|thành lập|soạn thảo|biên soạn|"
    "in|phát hành|đăng tải|vệ sinh|sửa chữa|nâng cấp|đầu tư|lựa chọn|tiếp tục|thông tin|"
    "quảng bá|xúc tiến|tham gia|đón|làm việc|trao đổi|chia sẻ|học tập|tham quan|giám sát|"
    "thanh tra|phân bổ|kiến nghị|hỗ trợ|điều chỉnh|bổ sung|nghiên cứu|quán triệt|gửi"
)
_VERB_RE = re.compile(rf"(?<![\wÀ-ỹ])(?:{_VERBS})(?![\wÀ-ỹ])")  # lower case: names are capitalised
_CUES = (
    r"thời gian (?:thực hiện|hoàn thành)\s*:?",
    r"thời hạn(?: hoàn thành)?\s*:?",
    r"tiến độ(?: thực hiện)?\s*:",
    r"thời gian\s*:",
    r"hoàn thành(?= (?:trước|chậm|trong|xong|ngày|vào|quý|tháng|năm|6 tháng|đầu|giữa|cuối|"
    r"dịp|hằng|hàng|mùng))",
    r"chậm nhất|xong trước|trước ngày|từ (?:ngày|tháng) \d",
    r"thực hiện (?:thường xuyên|hằng|hàng|định kỳ|trong)",
    r"thường xuyên|định kỳ|hằng (?:năm|tháng|quý)|hàng (?:năm|tháng|quý)",
)
_TIME_CUE = re.compile(rf"(?:^|[,;.(]\s*|\s)(?P<cue>{'|'.join(_CUES)})", re.I)
_OUTPUT = re.compile(
    r"\(?\s*(?:kết quả )?sản phẩm(?: đầu ra)?\s*(?:là|:)\s*(?P<out>[^;)]+)\)?", re.I
)
_LEAD = re.compile(
    rf"^[Gg]iao\s+(?P<lead>.+?)\s*(?:,\s*)?(?<![\wÀ-ỹ])"
    rf"(?=(?:làm |là )?(?:chủ trì|cơ quan thường trực|"
    rf"{_VERBS})(?![\wÀ-ỹ]))"
)
_COORD = re.compile(r"phối hợp(?: chặt chẽ)?(?: với)?\s+(?P<coord>.+)", re.I)
_LABEL_PREFIX = re.compile(
    r"^(?:thời gian (?:thực hiện|hoàn thành)|thời hạn(?: hoàn thành)?|tiến độ(?: thực hiện)?)"
    r"\s*:\s*|^thời gian\s*:\s*",
    re.I,
)


@dataclass
class Assignment:
    lead: list[str] = field(default_factory=list)
    coordinating: list[str] = field(default_factory=list)
    title: str = ""
    time_text: str = ""
    output: str | None = None


def _coordinating(text: str) -> tuple[list[str], int]:
    """Agencies after "phối hợp (với)" up to the next verb; and where the action starts."""
    m = _COORD.search(text)
    if not m:
        return [], 0
    rest = m.group("coord")
    stop = _VERB_RE.search(rest)
    span = rest[: stop.start()] if stop else rest
    span = re.split(r"[;(]", span)[0]
    found = split_agencies(span)
    if not found or not any(looks_like_agency(a) for a in found):
        return [], 0
    return found, m.start("coord") + (stop.start() if stop else len(rest))


def split_time(text: str) -> tuple[str, str]:
    """(text before the time clause, the time clause) of a sentence."""
    m = _TIME_CUE.search(text)
    if not m or m.start("cue") == 0 and not text[:1].isdigit() and len(text) > 80:
        return text.strip(" ;,."), ""
    time_text = text[m.start("cue") :]
    time_text = re.split(r";|\.\s|\(sản phẩm|\.$|\s+để\s", time_text)[0]
    time_text = _LABEL_PREFIX.sub("", time_text).strip(" ;,.")
    return text[: m.start("cue")].strip(" ;,.("), time_text


def parse_assignment(text: str, *, lead: list[str] | None = None) -> Assignment:
    """Read lead, coordinating agencies, action, time and output from one sentence."""
    out = Assignment(lead=list(lead or []))
    m = _OUTPUT.search(text)
    if m:
        out.output = m.group("out").strip(" .;")
        text = (text[: m.start()] + text[m.end() :]).strip()
    body, out.time_text = split_time(text)
    lead_match = _LEAD.search(body)
    action_from = 0
    if lead_match and not out.lead:
        out.lead = split_agencies(lead_match.group("lead"))
        action_from = lead_match.end()
    out.coordinating, coord_end = _coordinating(body)
    action_from = max(action_from, coord_end)
    action = body[action_from:]
    action = re.sub(r"^[\s,]*(?:(?:làm |là )?chủ trì|phối hợp)[\s,]*", "", action, flags=re.I)
    action = action.strip(" ,;.")
    title = action if len(action) >= 8 else body
    out.title = title[:1].upper() + title[1:] if title else ""
    return out


def has_time(text: str) -> bool:
    return _TIME_CUE.search(text) is not None
