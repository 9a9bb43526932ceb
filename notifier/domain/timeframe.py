"""Vietnamese time expressions ("Quý II/2024", "hằng tháng (trước ngày 20)") -> Timeframe.

Pure: the plan's date and year and an expansion horizon (``until``) are passed in.
Keywords are matched on accent-folded lower-case text; positions in the folded text
equal positions in the original, so the original wording can be kept.

Conventions (see docs/domain.md section 3):
- "trước ngày X" / "chậm nhất ngày X" both mean "by X"; ``wording`` keeps which word.
- "trước <tháng|quý|năm>" means before that period starts (trước quý III -> 30/6).
- A periodic report with no day falls on day 25 of the period's last month (Decree
  09/2019 art. 13); a repeating task with no day ("Hằng năm") falls on the period's end.
- Lunar dates are converted with ``lunardate``; a failure gives kind unknown + a note.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

DEFAULT_REPORT_DAY = 25
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
ROMAN_OUT = {1: "I", 2: "II", 3: "III", 4: "IV"}


class TimeframeKind(StrEnum):
    DEADLINE = "deadline"
    WINDOW = "window"
    RECURRING = "recurring"
    ONGOING = "ongoing"
    ON_DEMAND = "on_demand"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Occurrence:
    due: date
    period: str


@dataclass(frozen=True)
class Timeframe:
    text: str
    kind: TimeframeKind
    start: date | None
    occurrences: tuple[Occurrence, ...]
    wording: str | None
    note: str | None = None

    @property
    def due_dates(self) -> list[date]:
        return [o.due for o in self.occurrences]

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "kind": str(self.kind),
            "start": self.start.isoformat() if self.start else None,
            "due_dates": [d.isoformat() for d in self.due_dates],
            "wording": self.wording,
            "periods": [o.period for o in self.occurrences],
            "note": self.note,
        }


_FOLDED: dict[int, str] = {}


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    return unicodedata.normalize("NFD", ch)[0]


def fold_accents(text: str) -> str:
    """Drop Vietnamese diacritics one character for one character (đ -> d).

    Characters are folded once and remembered: plans are long and this runs on every line.
    """
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return text
    for ch in set(text):
        if ord(ch) not in _FOLDED:
            _FOLDED[ord(ch)] = _fold_char(ch)
    return text.translate(_FOLDED)


@dataclass(frozen=True)
class _Ctx:
    plan_date: date | None
    plan_year: int
    until: date
    year_hint: int  # first explicit year in the text, else the plan's year
    wording: str | None


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _fmt(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _year(raw: str | None, ctx: _Ctx) -> int:
    return int(raw) if raw else ctx.year_hint


def _quarter(raw: str) -> int:
    return ROMAN.get(raw) or int(raw)


# ---------------------------------------------------------------- points in time

_D = r"(\d{1,2})"
_Y = r"(?:\s*(?:/|-|\s+nam\s+|\s+)\s*(\d{4}))?"
_NODAY = r"(?!\d)(?!\s*/\s*\d{1,2}(?!\d))"
_POINT_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("date_words", re.compile(rf"(?:ngay|mung)\s+{_D}\s+thang\s+{_D}(?:\s+nam\s+(\d{{4}}))?")),
    (
        "date_num",
        re.compile(rf"(?<![\d/])(?:ngay\s+)?{_D}\s*([/.\-])\s*{_D}(?:\2(\d{{4}}))?(?![\d/])"),
    ),
    ("half", re.compile(rf"(?<!\d){_D}\s+thang\s+(dau|cuoi)\s+nam{_Y}")),
    ("part_month", re.compile(rf"(dau|giua|cuoi)\s+thang\s+{_D}{_NODAY}{_Y}")),
    ("part_year", re.compile(r"(dau|giua|cuoi)\s+nam(?:\s+(\d{4}))?")),
    ("quarter", re.compile(rf"quy\s+(iv|i{{1,3}}|[1-4])(?![\w]){_Y}")),
    ("span", re.compile(r"(?<![\d/])(\d{4})\s*[-–]\s*(\d{4})(?!\d)")),
    ("month", re.compile(rf"thang\s+{_D}{_NODAY}{_Y}")),
    ("year", re.compile(r"nam\s+(\d{4})")),
]


@dataclass(frozen=True)
class _Point:
    start: date  # first day of the period (the date itself for a day)
    due: date  # last day of the period
    period: str
    is_day: bool
    pos: int
    end: int


def _point(kind: str, m: re.Match[str], ctx: _Ctx) -> _Point | None:
    g = m.groups()
    s, e = m.start(), m.end()
    if kind in ("date_words", "date_num"):
        day, month, raw_year = (g[0], g[1], g[2]) if kind == "date_words" else (g[0], g[2], g[3])
        d = _safe_date(_year(raw_year, ctx), int(month), int(day))
        if (
            d
            and not raw_year
            and ctx.plan_date
            and d < ctx.plan_date
            and ctx.year_hint == ctx.plan_year
        ):
            d = _safe_date(d.year + 1, d.month, d.day)  # next occurrence after the issue date
        return _Point(d, d, _fmt(d), True, s, e) if d else None
    if kind == "half":
        n, year = int(g[0]), _year(g[2], ctx)
        if not 1 <= n <= 12:
            return None
        first = g[1] == "dau"
        start = date(year, 1, 1) if first else date(year, 13 - n, 1)
        due = _last_day(year, n) if first else date(year, 12, 31)
        label = f"{n} tháng {'đầu' if first else 'cuối'} năm {year}"
        return _Point(start, due, label, False, s, e)
    if kind == "part_month":
        month, year = int(g[1]), _year(g[2], ctx)
        if not 1 <= month <= 12:
            return None
        day = {"dau": 1, "giua": 15}.get(g[0], calendar.monthrange(year, month)[1])
        d = date(year, month, day)
        return _Point(d, d, _fmt(d), True, s, e)
    if kind == "part_year":
        year = _year(g[1], ctx)
        d = {"dau": date(year, 1, 1), "giua": date(year, 6, 30)}.get(g[0], date(year, 12, 31))
        return _Point(d, d, _fmt(d), True, s, e)
    if kind == "quarter":
        q, year = _quarter(g[0]), _year(g[1], ctx)
        start, due = date(year, 3 * q - 2, 1), _last_day(year, 3 * q)
        return _Point(start, due, f"Quý {ROMAN_OUT[q]}/{year}", False, s, e)
    if kind == "span":
        a, b = int(g[0]), int(g[1])
        if not a < b:
            return None
        return _Point(date(a, 1, 1), date(b, 12, 31), f"Giai đoạn {a}-{b}", False, s, e)
    if kind == "month":
        month, year = int(g[0]), _year(g[1], ctx)
        if not 1 <= month <= 12:
            return None
        due = _last_day(year, month)
        return _Point(date(year, month, 1), due, f"Tháng {month}/{year}", False, s, e)
    year = int(g[0])
    return _Point(date(year, 1, 1), date(year, 12, 31), f"Năm {year}", False, s, e)


def _find_points(f: str, ctx: _Ctx) -> list[_Point]:
    """Every non-overlapping point in ``f``; earlier patterns win a contested span."""
    taken: list[tuple[int, int]] = []
    points: list[_Point] = []
    for kind, pattern in _POINT_PATTERNS:
        for m in pattern.finditer(f):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            p = _point(kind, m, ctx)
            if p:
                taken.append((m.start(), m.end()))
                points.append(p)
    return sorted(points, key=lambda p: p.pos)


def _before_period(f: str, p: _Point) -> bool:
    """True for "trước quý III/2024": before a whole period, not before a day."""
    return not p.is_day and re.search(r"truoc\s*$", f[: p.pos]) is not None


# ---------------------------------------------------------------- rules


def _tf(
    text: str, kind: TimeframeKind, ctx: _Ctx, occ: list[Occurrence], **kw: object
) -> Timeframe:
    uniq = sorted(set(occ), key=lambda o: (o.due, o.period))
    start = kw.get("start")
    note = kw.get("note")
    return Timeframe(
        text,
        kind,
        start if isinstance(start, date) else None,
        tuple(uniq),
        ctx.wording,
        note if isinstance(note, str) else None,
    )


_LUNAR = re.compile(
    r"(?:mung|ngay)?\s*(\d{1,2})\s*(?:/\s*(\d{1,2})|thang\s+(\d{1,2}|gieng|chap|gieng))"
    r"(?:\s*(?:/|nam)\s*(\d{4}))?"
)


def _lunar(text: str, f: str, ctx: _Ctx) -> Timeframe | None:
    if not re.search(r"am lich|thang gieng|thang chap", f):
        return None
    m = _LUNAR.search(f)
    years = [int(m.group(4))] if m and m.group(4) else [ctx.year_hint]
    if m and re.search(r"hang nam|moi nam", f):
        years = list(range(ctx.year_hint, ctx.until.year + 1))
    occ: list[Occurrence] = []
    try:
        from lunardate import LunarDate

        assert m is not None
        raw_month = m.group(2) or m.group(3)
        month = {"gieng": 1, "chap": 12}.get(raw_month) or int(raw_month)
        for year in years:
            solar = LunarDate(year, month, int(m.group(1))).to_solar_date()
            if len(years) == 1 and not m.group(4) and ctx.plan_date and solar < ctx.plan_date:
                year += 1  # next occurrence after the issue date
                solar = LunarDate(year, month, int(m.group(1))).to_solar_date()
            occ.append(Occurrence(solar, f"{int(m.group(1))}/{month} âm lịch năm {year}"))
    except (AssertionError, ValueError, ImportError, TypeError):
        return _tf(text, TimeframeKind.UNKNOWN, ctx, [], note="âm lịch: chưa hỗ trợ")
    if len(years) > 1:
        occ = [o for o in occ if o.due <= ctx.until]
        return _tf(text, TimeframeKind.RECURRING, ctx, occ, note="âm lịch, hằng năm")
    note = f"âm lịch, dương lịch {_fmt(occ[0].due)}"
    return _tf(text, TimeframeKind.DEADLINE, ctx, occ, note=note)


def _relative(text: str, f: str, ctx: _Ctx) -> Timeframe | None:
    if re.search(r"\d+\s+ngay(\s+lam viec)?\s+(ke tu|sau|tinh tu)", f):
        note = "thời hạn tính từ một sự kiện: chưa hỗ trợ"
        return _tf(text, TimeframeKind.UNKNOWN, ctx, [], note=note)
    return None


def _window(text: str, f: str, ctx: _Ctx) -> Timeframe | None:
    m = re.search(r"\btu\b(.*?)\bden\b(.*)", f)
    if not m:
        return None
    first = [p for p in _find_points(f, ctx) if m.start(1) <= p.pos < m.end(1)]
    second = [p for p in _find_points(f, ctx) if p.pos >= m.start(2)]
    if not first or not second:
        return None
    occ = [Occurrence(second[0].due, second[0].period)]
    return _tf(text, TimeframeKind.WINDOW, ctx, occ, start=first[0].start)


# ---------------------------------------------------------------- recurring


def _bounds(f: str, ctx: _Ctx) -> tuple[int, date]:
    """First year and earliest due date of a repeating obligation."""
    m = re.search(r"(?:tu\s+)?nam\s+(\d{4})\s+(?:va|,)?\s*(?:nhung|cac)\s+nam\s+tiep\s+theo", f)
    m = m or re.search(r"tu\s+nam\s+(\d{4})", f)
    if m:
        year = int(m.group(1))
        return year, date(year, 1, 1)
    year = ctx.plan_year
    return year, ctx.plan_date if ctx.plan_date else date(year, 1, 1)


def _default_day(f: str) -> int | None:
    """Decree 09/2019 art. 13 day for periodic reports; None means the period's end."""
    return DEFAULT_REPORT_DAY if re.search(r"dinh ky|bao cao", f) else None


def _day_only(f: str) -> int | None:
    m = re.search(r"ngay\s+(\d{1,2})(?!\s*(?:[/.\-]\s*\d|thang\s+\d))", f)
    return int(m.group(1)) if m else None


def _day_months(f: str) -> list[tuple[int, int]]:
    pairs = re.findall(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{1,2})(?![\d/])", f)
    pairs += re.findall(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?!\s*\d)", f)
    return [(int(d), int(m)) for d, m in pairs if 1 <= int(m) <= 12 and 1 <= int(d) <= 31]


def _expand(ctx: _Ctx, f: str, items: Callable[[int], list[Occurrence]]) -> list[Occurrence]:
    year, lower = _bounds(f, ctx)
    out: list[Occurrence] = []
    while year <= ctx.until.year:
        out += [o for o in items(year) if lower <= o.due <= ctx.until]
        year += 1
    return out


def _monthly(f: str, ctx: _Ctx) -> list[Occurrence]:
    day = _day_only(f) or _default_day(f)

    def per_year(year: int) -> list[Occurrence]:
        out = []
        for month in range(1, 13):
            last = calendar.monthrange(year, month)[1]
            due = date(year, month, min(day or last, last))
            out.append(Occurrence(due, f"Tháng {month}/{year}"))
        return out

    return _expand(ctx, f, per_year)


def _quarterly(f: str, ctx: _Ctx) -> list[Occurrence]:
    day = _day_only(f) or _default_day(f)
    offset = 0 if re.search(r"thang cuoi", f) or "thang dau" not in f else -2

    def per_year(year: int) -> list[Occurrence]:
        out = []
        for q in range(1, 5):
            month = 3 * q + offset
            last = calendar.monthrange(year, month)[1]
            due = date(year, month, min(day or last, last))
            out.append(Occurrence(due, f"Quý {ROMAN_OUT[q]}/{year}"))
        return out

    return _expand(ctx, f, per_year)


def _yearly(f: str, ctx: _Ctx, half: bool) -> list[Occurrence]:
    """Half-yearly and/or yearly dates; "năm sau" moves the due date past the period."""
    pairs = _day_months(f)
    next_year = re.search(r"nam sau|nam ke tiep", f) is not None
    yearly = re.search(r"hang nam|moi nam|ca nam|bao cao nam|nam tiep theo", f) is not None
    if not pairs:
        day = _default_day(f)
        pairs = ([(day or 30, 6)] if half else []) + [(day or 31, 12)]

    def per_year(year: int) -> list[Occurrence]:
        out = []
        for day, month in pairs:
            due_year = year + 1 if next_year else year
            due = _safe_date(due_year, month, day)
            if not due:
                continue
            if next_year or (month > 6 and (yearly or not half)):
                label = f"Năm {year}"
            else:
                label = f"6 tháng {'đầu' if month <= 6 else 'cuối'} năm {year}"
            out.append(Occurrence(due, label))
        return out

    return _expand(ctx, f, per_year)


_CYCLE_START = re.compile(r"dinh ky|hang (?:quy|thang|nam)|moi (?:quy|thang|nam)")
_CYCLE_STOP = re.compile(r"[(;]|\b(?:truoc|ve|gui|cho|den|de|qua|theo)\b")
_CYCLE = re.compile(r"(?<![\w])(0?6 thang|9 thang|quy|thang|nam)(?![\w])(?!\s*\d)")


def _half_and_year(year: int, day: int | None, found: set[str]) -> list[Occurrence]:
    out = []
    if "6 thang" in found:
        out.append(Occurrence(date(year, 6, day or 30), f"6 tháng đầu năm {year}"))
    if "9 thang" in found:
        out.append(Occurrence(date(year, 9, day or 30), f"9 tháng năm {year}"))
    if "nam" in found:
        out.append(Occurrence(date(year, 12, day or 31), f"Năm {year}"))
    elif "6 thang" in found:
        out.append(Occurrence(date(year, 12, day or 31), f"6 tháng cuối năm {year}"))
    return out


def _cycle_list(f: str, ctx: _Ctx) -> list[Occurrence] | None:
    """ "định kỳ hằng quý, 6 tháng, năm": every listed cycle; one date per due day.

    Several reports falling on one day (the second-quarter and the 6-month report) are
    one occurrence whose period names both, so nobody is reminded twice the same day.
    """
    m = _CYCLE_START.search(f)
    if not m:
        return None
    segment = _CYCLE_STOP.split(f[m.start() :])[0]
    found = {"6 thang" if c.endswith("6 thang") else c for c in _CYCLE.findall(segment)}
    if len(found) < 2 or not found & {"quy", "thang"}:
        return None
    day = _day_only(f) or _default_day(f)
    occ = _monthly(f, ctx) if "thang" in found else []
    occ += _quarterly(f, ctx) if "quy" in found else []
    occ += _expand(ctx, f, lambda year: _half_and_year(year, day, found))
    merged: dict[date, list[str]] = {}
    for o in sorted(occ, key=lambda o: o.due):
        merged.setdefault(o.due, [])
        if o.period not in merged[o.due]:
            merged[o.due].append(o.period)
    return [Occurrence(due, ", ".join(periods)) for due, periods in merged.items()]


def _recurring(text: str, f: str, ctx: _Ctx) -> Timeframe | None:
    listed = _cycle_list(f, ctx)
    if listed is not None:
        return _tf(text, TimeframeKind.RECURRING, ctx, listed)
    if re.search(r"hang thang|moi thang|bao cao thang|thang mot lan", f):
        occ = _monthly(f, ctx)
    elif re.search(r"hang quy|moi quy|tung quy|bao cao quy|cuoi cua moi quy", f):
        occ = _quarterly(f, ctx)
    elif re.search(r"(dinh ky|bao cao|hang)\s*(06|6) thang", f):
        occ = _yearly(f, ctx, half=True)
    elif re.search(r"hang nam|moi nam|nam tiep theo|bao cao nam|nam sau", f):
        occ = _yearly(f, ctx, half=False)
    else:
        return None
    return _tf(text, TimeframeKind.RECURRING, ctx, occ)


def _points(text: str, f: str, ctx: _Ctx) -> Timeframe | None:
    points = _find_points(f, ctx)
    if not points:
        return None
    occ = []
    for p in points:
        if _before_period(f, p):
            due = p.start - timedelta(days=1)
            occ.append(Occurrence(due, _fmt(due)))
        else:
            occ.append(Occurrence(p.due, p.period))
    return _tf(text, TimeframeKind.DEADLINE, ctx, occ)


def _fallback(text: str, f: str, ctx: _Ctx) -> Timeframe:
    if re.search(r"thuong xuyen|lien tuc|hang ngay|suot", f):
        return _tf(text, TimeframeKind.ONGOING, ctx, [])
    if re.search(r"dot xuat|khi co yeu cau|theo (?:thoi gian )?yeu cau|khi can", f):
        return _tf(text, TimeframeKind.ON_DEMAND, ctx, [])
    note = "không có thời hạn" if not text else _NOT_READ
    return _tf(text, TimeframeKind.UNKNOWN, ctx, [], note=note)


def _wording(f: str) -> str | None:
    hits = [(f.find(k), word) for k, word in (("cham nhat", "chậm nhất"), ("truoc", "trước"))]
    hits = [h for h in hits if h[0] >= 0]
    return min(hits)[1] if hits else None


# Names of events carry years that are not deadlines: "Đại hội ... lần thứ ba năm 2024",
# "nhiệm kỳ 2025-2030", "khóa XV". They are blanked (same length, so positions hold).
_EVENT = re.compile(
    r"lan thu\s+(?:\d+|[ivxlc]+|nhat|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi)"
    r"(?:\s*,?\s*(?:nam\s+)?\d{4}(?:\s*[-–]\s*\d{4})?)?"
    r"|nhiem ky\s+\d{4}\s*[-–]\s*\d{4}|khoa\s+(?:[ivxlc]+|\d+)(?![\w])"
)


def _mask_events(f: str) -> str:
    return _EVENT.sub(lambda m: " " * len(m.group(0)), f)


# The years a plan's deadline may fall in: the working calendar and every date sum after
# a deadline (reminders, the next working day) need room on both sides; "30/6/9999" is a typo.
PLAN_YEARS = range(1990, 2100)


def parse_timeframe(text: str, *, plan_date: date | None, plan_year: int, until: date) -> Timeframe:
    """Read one time expression; never raises, an unreadable text gives kind UNKNOWN.

    A due date outside PLAN_YEARS makes the whole expression UNKNOWN with the year named,
    so the importer warns instead of failing on the calendar.
    """
    try:
        found = _parse_timeframe(text, plan_date=plan_date, plan_year=plan_year, until=until)
    except (ValueError, OverflowError):  # a date past 9999 while expanding
        found = None
    outside = sorted(
        {o.due.year for o in found.occurrences if o.due.year not in PLAN_YEARS} if found else {0}
    )
    if not outside:
        assert found is not None
        generic = found.kind is TimeframeKind.UNKNOWN and found.note == _NOT_READ
        impossible = _impossible_day(found) if generic else None
        return replace(found, note=impossible) if impossible else found
    clean = " ".join(unicodedata.normalize("NFC", text or "").split()).strip(" .;,")
    years = [y for y in outside if y] or [int(y) for y in re.findall(r"\d{4,}", clean)][:1]
    named = f"năm {', '.join(str(y) for y in years)}" if years else "một năm"
    note = (
        f"{named} không hợp lệ (nhận từ {PLAN_YEARS.start} đến {PLAN_YEARS.stop - 1}); "
        "kiểm tra lại năm trong văn bản"
    )
    return Timeframe(clean, TimeframeKind.UNKNOWN, None, (), None, note)


_NOT_READ = "không nhận dạng được thời hạn"
_DAY_MONTH = re.compile(
    r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?![\d/])"
    r"|ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?"
)


def _impossible_day(found: Timeframe) -> str | None:
    """ "ngày 31/4 không có thật (tháng 4 có 30 ngày)" when that is why nothing was read."""
    for m in _DAY_MONTH.finditer(fold_accents(found.text.lower())):
        day, month, year = (int(g) if g else None for g in (m.group(1) or m.group(4),
                            m.group(2) or m.group(5), m.group(3) or m.group(6)))  # fmt: skip
        if day is None or month is None or not 1 <= month <= 12:
            continue
        days = calendar.monthrange(year or 2024, month)[1]  # 2024: 29/2 may be real
        if day > days:
            of = f"tháng {month} năm {year}" if year else f"tháng {month}"
            return f"ngày {day}/{month} không có thật ({of} có {days} ngày)"
    return None


def _parse_timeframe(
    text: str, *, plan_date: date | None, plan_year: int, until: date
) -> Timeframe:
    """The rules below, in order (see parse_timeframe, which bounds the years).

    Order: lunar, relative ("30 ngày kể từ"), window (từ ... đến ...), recurring,
    explicit points (dates, months, quarters, years, spans), then ongoing/on demand.
    """
    clean = " ".join(unicodedata.normalize("NFC", text or "").split()).strip(" .;,")
    # OCR reads the Roman "I" of a quarter as "l": "Quý IIl/2025" is "Quý III/2025"
    unmasked = re.sub(
        r"(?<=quy )[il1|]{1,3}(?=[\s/]|$)",
        lambda m: "i" * len(m.group(0)),
        fold_accents(clean.lower()),
    )
    f = _mask_events(unmasked)
    years = re.findall(r"(?<!\d)(\d{4})(?!\d)", f)
    hint = int(years[0]) if years and not re.search(r"\d{4}\s*[-–]\s*\d{4}", f) else plan_year
    ctx = _Ctx(plan_date, plan_year, until, hint, _wording(f))
    for rule in (_lunar, _relative, _window, _recurring, _points):
        found = rule(clean, f, ctx)
        if found is not None:
            return found
    found = _fallback(clean, f, ctx)
    if found.kind is TimeframeKind.UNKNOWN and f != unmasked:
        event = clean[next(i for i, (a, b) in enumerate(zip(f, unmasked, strict=True)) if a != b) :]
        note = f"'{event}' là tên sự kiện, không phải thời hạn"
        return _tf(clean, TimeframeKind.UNKNOWN, ctx, [], note=note)
    return found
