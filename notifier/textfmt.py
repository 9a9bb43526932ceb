"""Vietnamese date, time and number formatting as used in official documents.

Official documents (Decree 30/2020/NĐ-CP, Appendix I) write days below 10 with a
leading zero and months 1 and 2 with a leading zero ("02/5/2024", "10/01/2026",
"04/02/2027", "15/12/2024"). :func:`vn_date` is the one date formatter: templates,
the CLI and the web pages all print dates through it. Every instant is shown in
Asia/Ho_Chi_Minh, whatever zone it arrives in.
"""

from __future__ import annotations

from datetime import date, datetime

from notifier.clock import VN_TZ, as_utc

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def vn_weekday(d: date) -> str:
    """Weekday name: "Thứ Hai" .. "Thứ Bảy", "Chủ nhật"."""
    return WEEKDAYS[d.weekday()]


def vn_month(month: int) -> str:
    """A month number as official documents write it: "01", "02", then "3" .. "12"."""
    return f"{month:02d}" if month < 3 else str(month)


def vn_date(d: date) -> str:
    """ "02/5/2024", "10/01/2026", "04/02/2027": Decree 30/2020, Appendix I."""
    return f"{d.day:02d}/{vn_month(d.month)}/{d.year}"


def vn_day_month(d: date) -> str:
    """ "15/6", "10/01": a day of the year without its year, same rule."""
    return f"{d.day:02d}/{vn_month(d.month)}"


def vn_date_time(dt: datetime) -> str:
    """ "08:00 02/5/2024": a short instant for tables (Vietnam time)."""
    local = as_utc(dt).astimezone(VN_TZ)
    return f"{local:%H:%M} {vn_date(local.date())}"


def vn_plan_date(iso: str) -> str:
    """A plan's date as stored (ISO, possibly partial) as officials write it:
    "2024-04-05" -> "ngày 05/4/2024", "2024-04" -> "tháng 4/2024", "2024" -> "năm 2024"."""
    parts = iso.strip().split("-")
    if not all(p.isdigit() for p in parts) or not parts[0]:
        return iso.strip()
    if len(parts) == 3:
        return f"ngày {vn_date(date(int(parts[0]), int(parts[1]), int(parts[2])))}"
    if len(parts) == 2:
        return f"tháng {vn_month(int(parts[1]))}/{parts[0]}"
    return f"năm {parts[0]}"


def vn_deadline(d: date) -> str:
    """ "Thứ Năm, 02/5/2024": a deadline with its weekday, so nobody misreads it."""
    return f"{vn_weekday(d)}, {vn_date(d)}"


def vn_datetime(dt: datetime) -> str:
    """ "08:00 Thứ Hai, 22/4/2024" in Vietnam time; naive datetimes are refused."""
    local = as_utc(dt).astimezone(VN_TZ)
    return f"{local:%H:%M} {vn_deadline(local.date())}"


# Beyond this many working days overdue a count means nothing to a reader: say the date.
LONG_OVERDUE_WORKING_DAYS = 20


def days_phrase(working_days: int, deadline: date | None = None) -> str:
    """Working days left (>0), due today (0) or overdue (<0), in words.

    Long overdue (more than 20 working days) with the deadline known reads as a date:
    "quá hạn từ 02/5/2024" rather than "quá hạn 650 ngày làm việc".
    """
    if working_days > 0:
        return f"còn {working_days} ngày làm việc"
    if working_days == 0:
        return "hết hạn hôm nay"
    if deadline is not None and -working_days > LONG_OVERDUE_WORKING_DAYS:
        return f"quá hạn từ {vn_date(deadline)}"
    return f"quá hạn {-working_days} ngày làm việc"


def shorten_words(text: str, width: int) -> str:
    """``text`` on one line, cut on a word boundary to at most ``width`` characters ("…")."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"
    cut = text[: width - 1]
    if " " in cut and not text[width - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–-") + "…"


def vn_int(n: int) -> str:
    """Integer with Vietnamese thousands separator: 12345 -> "12.345"."""
    return f"{n:,}".replace(",", ".")


def vn_percent(part: int, total: int, digits: int = 1) -> str:
    """Share as a Vietnamese percentage with a decimal comma: (1, 8) -> "12,5%".

    A zero total gives "0%" rather than an error: an empty report is not a bug.
    """
    if total <= 0:
        return "0%"
    value = round(100 * part / total, digits)
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return text.replace(".", ",") + "%"


def lowerfirst(text: str) -> str:
    """Lower-case the first character only ("Số liệu từ ..." -> "số liệu từ ...")."""
    return text[:1].lower() + text[1:]


def capfirst(text: str) -> str:
    """Upper-case the first character only ("còn 2 ngày" -> "Còn 2 ngày")."""
    return text[:1].upper() + text[1:]


def plan_number(number: str) -> str:
    """A plan's number as written, or "(chưa có số)" for a draft ("", "/KH-UBND")."""
    number = number.strip()
    return number if number and not number.startswith("/") else "(chưa có số)"


def parse_vn_date(raw: str) -> date:
    """A day as people type it ("15/5/2024", "15/05/2024", "15-5-2024") or ISO
    ("2024-05-15"); ValueError otherwise."""
    parts = raw.strip().replace("-", "/").replace(".", "/").split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = (int(p) for p in (parts if len(parts[0]) <= 2 else parts[::-1]))
        if year >= 1000:
            return date(year, month, day)
    raise ValueError(raw)
