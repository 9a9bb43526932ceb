"""The parts around the tasks: header (number, place, date, title, basis), recipients, signature.

Signer capacity is the prefix plus its body as the plan prints it, cased:
"TM. ỦY BAN NHÂN DÂN" -> "TM. Ủy ban nhân dân"; two prefixed lines ("TM. ỦY BAN NHÂN
DÂN" / "KT. CHỦ TỊCH") are joined with ", ". ``title`` is the office of the person
who signs ("Chủ tịch", "Phó Chủ tịch", "Giám đốc").
"""

from __future__ import annotations

import calendar
import re
from collections import Counter

from notifier.domain.timeframe import fold_accents
from notifier.plans.agencies import org_case, place_case
from notifier.plans.model import ParseWarning, PlanHeader, Recipient, Signer
from notifier.plans.reader import Line

NUMBER = re.compile(
    r"^Số\s*(?::\s*(?P<num>[^\s|]*)|\s+(?P<num2>\d[^\s|]*[/-][^\s|]*))\s*\|?\s*(?P<rest>.*)$",
    re.I,
)
PLACE_DATE = re.compile(
    r"(?:^|\|\s*)(?P<place>[^,|]{2,40}),\s*ngày\s*(?P<d>\d{1,2})?\s*(?:\.{2,}|…)?\s*tháng\s*"
    r"(?P<m>\d{1,2})?\s*(?:\.{2,}|…)?\s*năm\s*(?P<y>\d{4})",
    re.I,
)
CAPACITY = re.compile(r"^(?P<pre>TM|KT|Q|TL|TUQ|T/M|K/T|T/L)(?:\.\s*|\s+)(?P<body>.*)$")
_SKIP_HEADER = (
    "cong hoa xa hoi",
    "doc lap - tu do",
    "doc lap – tu do",
    "doc lap-tu do",
    "dang cong san viet nam",
)
_ISSUER_START = re.compile(
    r"^(ỦY BAN |UỶ BAN |UBND|SỞ |BAN |PHÒNG |VĂN PHÒNG |BỘ |CỤC |TỔNG CỤC |CHI CỤC |"
    r"TRUNG TÂM |ĐẢNG ỦY|ĐẢNG UỶ|ĐẢNG BỘ|HUYỆN ỦY|TỈNH ỦY|THÀNH ỦY|CHI BỘ|HỘI ĐỒNG |CÔNG AN |"
    r"ĐOÀN |MẶT TRẬN |KHO BẠC |THANH TRA )"
)
_LEVEL = re.compile(
    r"\b(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+"
    r"(thị xã|thành phố|đặc khu|huyện|xã|tỉnh|phường)\b"
)
DOC_KINDS = (
    "ke hoach",
    "quyet dinh",
    "chuong trinh",
    "thong bao",
    "chi thi",
    "nghi quyet",
    "ket luan",
    "huong dan",
    "cong van",
    "de an",
    "phuong an",
)
YEARS = range(1990, 2100)


def kind_line(text: str) -> bool:
    """ "KẾ HOẠCH", "QUYẾT ĐỊNH", ... alone on a line: the document's kind, above its title."""
    folded = fold_accents(text.lower()).strip(" .:")
    return folded in DOC_KINDS and (text == text.upper() or folded == "ke hoach")


def _iso(m: re.Match[str], no: int, warnings: list[ParseWarning]) -> str | None:
    """ISO date of a place-date line; an impossible date keeps what is valid and warns."""
    y, mo, d = int(m.group("y")), m.group("m"), m.group("d")
    written = m.group(0).split(",", 1)[-1].strip()
    if y not in YEARS:
        warnings.append(
            ParseWarning(no, f"'{written}': năm {y} không hợp lệ (nhận từ 1990 đến 2099); "
                         "bỏ qua ngày ban hành")
        )  # fmt: skip
        return None
    if not mo:
        return str(y)
    if not 1 <= int(mo) <= 12:
        warnings.append(ParseWarning(no, f"'{written}': không có tháng {mo}; chỉ lấy năm {y}"))
        return str(y)
    if d:
        last = calendar.monthrange(y, int(mo))[1]
        if 1 <= int(d) <= last:
            return f"{y}-{int(mo):02d}-{int(d):02d}"
        warnings.append(
            ParseWarning(no, f"'{written}': ngày {d} tháng {mo} không có thật (tháng {int(mo)} "
                         f"năm {y} có {last} ngày); chỉ lấy tháng {int(mo)}/{y}")
        )  # fmt: skip
    return f"{y}-{int(mo):02d}"


def _issuer_lines(lines: list[Line]) -> list[str]:
    """Upper-case lines at the very top naming the issuing body (before "Số:")."""
    out: list[str] = []
    for line in lines:
        text = line.text.strip(" -_")
        folded = fold_accents(text.lower())
        if NUMBER.match(text) or PLACE_DATE.search(text) or kind_line(text):
            break
        if text == "*":
            continue
        if any(k in folded for k in _SKIP_HEADER) or not text:
            continue
        if text == text.upper() and re.search(r"[A-ZĐÀ-Ỹ]", text):
            out.append(text)
    return out


def _issuer_from_lines(upper: list[str]) -> str | None:
    """["ỦY BAN NHÂN DÂN", "XÃ ĐỨC PHỔ"] -> "UBND xã Đức Phổ"; the last body wins."""
    starts = [i for i, t in enumerate(upper) if _ISSUER_START.match(t)]
    if not starts:
        return None
    first = starts[-1]
    if re.match(r"^(ỦY|UỶ) BAN NHÂN DÂN$", upper[first]) and first + 1 < len(upper):
        return "UBND " + place_case(upper[first + 1])
    text = re.sub(r"^(ỦY|UỶ) BAN NHÂN DÂN\s+", "UBND ", upper[first])
    if text.startswith("UBND "):
        return "UBND " + place_case(text[5:])
    return org_case(text)


def parse_header(
    lines: list[Line], all_text: str, signer: Signer, warnings: list[ParseWarning] | None = None
) -> PlanHeader:
    """Header fields from the lines before the body; issuer derived if not printed.

    A header row read as one line ("Số: 252/KH-UBND | Hà Giang, ngày 05 tháng 9 năm 2023 |",
    or both columns of a PDF on one baseline) is read part by part.
    """
    warnings = [] if warnings is None else warnings
    header = PlanHeader(signer=signer)
    for i, line in enumerate(lines):
        text = line.text
        if header.number is None and (m := NUMBER.match(text)):
            number = (m.group("num") or m.group("num2") or "").strip()
            header.number = number if re.search(r"[/-]", number) else None
            text = m.group("rest")
        if header.date is None and header.place is None and (m := PLACE_DATE.search(text)):
            header.place = m.group("place").strip(" |")
            header.date = _iso(m, line.no, warnings)
        elif kind_line(line.text) and header.title is None:
            header.title = _title(lines[i + 1 :])
        elif line.text.startswith("Căn cứ"):
            header.legal_basis.append(line.text.strip(" ;,."))
        elif header.title is None and re.match(r"^V/v\b", line.text, re.I):
            header.title = re.sub(r"^V/v\.?\s*", "", line.text, flags=re.I).strip() or None
    header.issuer = _issuer_from_lines(_issuer_lines(lines)) or _derive_issuer(
        all_text, header.place, signer
    )
    return header


def _title(rest: list[Line]) -> str | None:
    parts: list[str] = []
    for line in rest:
        if line.text.startswith("Căn cứ") or re.match(r"^(?:[IVX]+\.|Điều \d+)\s", line.text):
            break
        if parts and line.text == line.text.upper() and re.search(r"[A-ZĐ]", line.text):
            break  # "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ..." under a decision's title
        if set(line.text) <= set("-_*= "):
            continue
        parts.append(line.text)
        if len(parts) == 3:
            break
    return " ".join(parts) or None


def _derive_issuer(all_text: str, place: str | None, signer: Signer) -> str | None:
    """No printed issuer: UBND + the level named most often ("UBND huyện") + the place."""
    body = (signer.capacity or "").split(",")[0]
    body = re.sub(r"^(TM|KT|Q|TL|TUQ|T/M|K/T|T/L)\.?\s*", "", body)
    if body and not re.match(r"(Ủy|Uỷ) ban nhân dân$", body):
        return body
    levels = Counter(m.group(1) for m in _LEVEL.finditer(all_text))
    if not levels or not place:
        return f"UBND {place}" if place else None
    return f"UBND {levels.most_common(1)[0][0]} {place}"


def parse_signature(lines: list[Line]) -> Signer:
    """The last capacity block ("TM. ...", "KT. ...") then the title line and the name."""
    idx = [i for i, line in enumerate(lines) if CAPACITY.match(line.text)]
    if not idx:
        return _plain_signature(lines)
    first = idx[-1]
    while first - 1 in idx:
        first -= 1
    capacities: list[str] = []
    i = first
    while i < len(lines) and (m := CAPACITY.match(lines[i].text)):
        pre = m.group("pre")
        dot = "" if "/" in pre else "."
        capacities.append(f"{pre}{dot} {org_case(m.group('body').strip())}".strip())
        i += 1
    signer = Signer(capacity=", ".join(capacities))
    rest = [
        line.text
        for line in lines[i : i + 6]
        if not re.match(r"^\(?(đã ký|ký|ký tên|ký, đóng dấu)", line.text, re.I)
    ]
    if rest and rest[0] == rest[0].upper():
        signer.title, rest = org_case(rest[0]), rest[1:]
    elif capacities:
        signer.title = capacities[-1].split(". ", 1)[-1]
    if rest:
        name = rest[0]
        signer.name = " ".join(w[:1].upper() + w[1:].lower() for w in name.split())
    return signer


_OFFICE = re.compile(r"^(PHÓ )?(CHỦ TỊCH|GIÁM ĐỐC|CHÁNH VĂN PHÒNG|TRƯỞNG (BAN|PHÒNG)|BÍ THƯ)$")


def _plain_signature(lines: list[Line]) -> Signer:
    """A head signing in their own name: an office line ("GIÁM ĐỐC") then the name."""
    idx = [i for i, line in enumerate(lines) if _OFFICE.match(line.text)]
    if not idx:
        return Signer()
    names = [ln.text for ln in lines[idx[-1] + 1 : idx[-1] + 5] if ln.text != ln.text.upper()]
    name = names[0] if names else None
    return Signer(name=name, title=org_case(lines[idx[-1]].text), capacity=None)


def parse_recipients(lines: list[Line], warnings: list[ParseWarning]) -> list[Recipient]:
    """Bulleted lines after "Nơi nhận"; "(B/c)" marks for_report, "Lưu" marks archive."""
    out: list[Recipient] = []
    started = False
    for line in lines:
        text = line.text
        if not started:
            started = fold_accents(text.lower()).startswith("noi nhan")
            continue
        if CAPACITY.match(text) or not re.match(r"^[-+•–]\s*", text):
            if out:
                break
            continue
        name = re.sub(r"^[-+•–]\s*", "", text).strip(" ;,.")
        for_report = re.search(r"\((?:để\s+)?b/?c\)", name, re.I) is not None
        name = re.sub(r"\s*\((?:để\s+)?b/?c\)\s*", " ", name, flags=re.I).strip(" ;,.")
        archive = fold_accents(name.lower()).startswith("luu")
        out.append(Recipient(name, for_report, line.no, archive))
    if started and not out:
        warnings.append(ParseWarning(lines[0].no if lines else 1, "Nơi nhận: không đọc được"))
    return out
