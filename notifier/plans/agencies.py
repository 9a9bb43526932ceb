"""Agency names as written: splitting a cell into agencies, and casing upper-case headers.

A comma or "và" separates two agencies only when what follows starts like an
agency ("Phòng ...", "Sở ...", "UBND ...", "các ..."). So "Phòng Tài chính – Kế
hoạch, Phòng Nội vụ" is two items while "Các cơ quan, đơn vị có liên quan của
huyện Ba Tơ và thị xã Thái Hòa", "UBND các xã, thị trấn" and "Văn phòng HĐND và
UBND huyện" stay one.

Fixed phrases that hold a comma stay whole: "Ban Chỉ đạo phòng, chống tội phạm",
"Ban Chỉ huy phòng, chống thiên tai" ("phòng, chống" is one word here). Levels are
data, not assumptions: tỉnh, huyện, xã, phường, thị trấn, thị xã, thành phố, quận and
the 2025 "đặc khu" (special zones such as Lý Sơn, Phú Quốc).
"""

from __future__ import annotations

import re

from notifier.domain.timeframe import fold_accents

_HEADS = (
    r"Phòng|Sở|Văn phòng|VP|UBND|Ủy ban|Uỷ ban|HĐND|Hội đồng|Công an|Ban(?! hành)|Trung tâm|"
    r"Chi cục|Tổng cục|Cục|Đài|Hội(?! nghị| thảo| thi| diễn| xuân| chợ| trại| khỏe| đàm)|"
    r"Đoàn|Liên đoàn|Bảo hiểm|Kho bạc|Chi nhánh|Trường|Bệnh viện|"
    r"Bộ Chỉ huy|Thanh tra|Mặt trận|UBMTTQ\w*|MTTQ|Công ty|Trạm|Viện|Huyện ủy|Tỉnh ủy|Thành ủy|"
    r"Đảng ủy|Đảng bộ|Chi bộ|Thường trực|TT|Quỹ|Hạt|Tòa án|Viện kiểm sát|Đồn|Ngân hàng|"
    r"Liên minh|Thủ trưởng|Lãnh đạo|Chủ tịch|Giám đốc|Chánh|Trưởng|Bí thư|Người đứng đầu|"
    r"Các|các|Tổ(?! chức| quốc)|Ngành|Chi hội|Bộ|Tỉnh đoàn|Huyện đoàn|Đồn Biên phòng|Cảng vụ|"
    r"Điện lực|Bưu điện|Thuế|Vụ"
)
HEAD_RE = re.compile(rf"(?:{_HEADS})(?![\wÀ-ỹ])")
_SPLIT = re.compile(rf"\s*(?:[,;\n]|\s(?:và|cùng|với)\s)\s*(?=(?:{_HEADS})(?![\wÀ-ỹ]))")
_PROTECT = re.compile(r"(HĐND|Hội đồng nhân dân)\s*(?:và|&)\s*(UBND|Ủy ban nhân dân)")
_NEWLINE = "\x00"
COMMA_WORDS = re.compile(r"(?i)\b(phòng), (chống)\b")
KEPT_COMMA = "\x01"  # stands for the comma of "phòng, chống" while text is cut at commas


_NAME_COMMA = re.compile(rf",(?=\s+(?!(?:{_HEADS})(?![\wÀ-ỹ]))[A-ZĐÀ-Ỹ][a-zà-ỹđ])")


def keep_fixed_commas(text: str) -> str:
    """Hide commas inside names from splitting, same length: fixed phrases ("phòng, chống")
    and a comma before a capitalised word that starts no agency ("Sở Văn hóa, Thể thao và
    Du lịch")."""
    return _NAME_COMMA.sub(KEPT_COMMA, COMMA_WORDS.sub(rf"\1{KEPT_COMMA} \2", text))


def restore_commas(text: str) -> str:
    return text.replace(KEPT_COMMA, ",")


def clean_agency(name: str) -> str:
    """Trim spaces, bullets and trailing punctuation; keep the wording."""
    name = re.sub(r"^[\s\-+•–*]+", "", name)
    name = re.sub(r"\s+", " ", name).strip()
    return name.strip(" .;,:")


def split_agencies(cell: str) -> list[str]:
    """One item per agency named in ``cell``; vague groups and sets stay whole."""
    if not cell or not cell.strip():
        return []
    text = _PROTECT.sub(lambda m: f"{m.group(1)}{_NEWLINE}{m.group(2)}", keep_fixed_commas(cell))
    parts = [p for line in text.split("\n") for p in _SPLIT.split(line)]
    out: list[str] = []
    for part in parts:
        raw = part.replace(_NEWLINE, " và ") if " và " in cell else part.replace(_NEWLINE, "&")
        item = clean_agency(restore_commas(raw))
        if item and fold_accents(item.lower()) not in ("", "va") and item not in out:
            out.append(item)
    return out


def looks_like_agency(text: str) -> bool:
    return HEAD_RE.match(text.strip()) is not None


LEVELS = r"thị xã|thị trấn|thành phố|đặc khu|huyện|xã|tỉnh|phường|quận"
_LEVEL_TAIL = re.compile(rf"\s+({LEVELS})$")


def drop_level_tail(name: str) -> str:
    """ "Phòng Tài chính – Kế hoạch huyện" -> "Phòng Tài chính – Kế hoạch" (units of a level)."""
    if re.match(r"(Phòng|Sở|Chi cục|Trung tâm)\s", name):
        return _LEVEL_TAIL.sub("", name)
    return name


_PLACE_START = re.compile(rf"^({LEVELS})\s", re.I)
_ABBREVIATIONS = {
    "UBND", "HĐND", "UBMTTQVN", "MTTQ", "VN", "CCHC", "MTQG", "KH", "VP", "TT", "ĐU", "HU", "TU",
}  # fmt: skip
_CAP_AFTER = {"và", "phó", "sở", "phòng", "cục", "trung tâm", "ban", "hội", "đài"}


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def place_case(text: str) -> str:
    """ "XÃ ĐỨC PHỔ" -> "xã Đức Phổ": the level word lower, the name title-cased."""
    low = text.lower().strip()
    m = _PLACE_START.match(low)
    if not m:
        return " ".join(_cap(w) for w in low.split())
    return m.group(1) + " " + " ".join(_cap(w) for w in low[m.end() :].split())


def org_case(upper: str) -> str:
    """ "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG" -> "Sở Nông nghiệp và Môi trường" (best effort).

    Mixed-case text is returned unchanged; abbreviations (UBND, HĐND) stay upper.
    """
    if upper != upper.upper():
        return upper
    low = upper.lower().strip()
    for body in ("ủy ban nhân dân", "uỷ ban nhân dân", "hội đồng nhân dân"):
        if low.startswith(body):
            rest = upper.strip()[len(body) :].strip()
            return _cap(body) + (" " + place_case(rest) if rest else "")
    if _PLACE_START.match(low):
        return place_case(upper)
    m = re.search(rf"\s({LEVELS})\s", " " + low + " ")
    if m and m.start() > 0:
        cut = m.start()
        return org_case(upper[:cut].strip()) + " " + place_case(upper[cut:])
    out: list[str] = []
    capital_next = True
    for word in low.split():
        raw = upper.split()[len(out)]
        if raw.strip(",") in _ABBREVIATIONS:
            out.append(raw)
        elif word == "và":
            out.append(word)
        else:
            out.append(_cap(word) if capital_next else word)
        capital_next = word.rstrip(",") in _CAP_AFTER or word.endswith(",")
    return " ".join(out)
