"""Vietnamese date, time and number formatting as used in official documents.

Official documents (Decree 30/2020/NĐ-CP) write the day with two digits and the
month without a leading zero for months 3-12: "02/5/2024", "15/12/2024".  Every
instant is shown in Asia/Ho_Chi_Minh, whatever zone it arrives in.
"""

from __future__ import annotations

from datetime import date, datetime

from notifier.clock import VN_TZ, as_utc

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def vn_weekday(d: date) -> str:
    """Weekday name: "Thứ Hai" .. "Thứ Bảy", "Chủ nhật"."""
    return WEEKDAYS[d.weekday()]


def vn_date(d: date) -> str:
    """ "02/5/2024": day with two digits, month without a leading zero."""
    return f"{d.day:02d}/{d.month}/{d.year}"


def vn_plan_date(iso: str) -> str:
    """A plan's date as stored (ISO, possibly partial) as officials write it:
    "2024-04-05" -> "ngày 05/4/2024", "2024-04" -> "tháng 4/2024", "2024" -> "năm 2024"."""
    parts = iso.strip().split("-")
    if not all(p.isdigit() for p in parts) or not parts[0]:
        return iso.strip()
    if len(parts) == 3:
        return f"ngày {vn_date(date(int(parts[0]), int(parts[1]), int(parts[2])))}"
    if len(parts) == 2:
        return f"tháng {int(parts[1])}/{parts[0]}"
    return f"năm {parts[0]}"


def vn_deadline(d: date) -> str:
    """ "Thứ Năm, 02/5/2024": a deadline with its weekday, so nobody misreads it."""
    return f"{vn_weekday(d)}, {vn_date(d)}"


def vn_datetime(dt: datetime) -> str:
    """ "08:00 Thứ Hai, 22/4/2024" in Vietnam time; naive datetimes are refused."""
    local = as_utc(dt).astimezone(VN_TZ)
    return f"{local:%H:%M} {vn_deadline(local.date())}"


def days_phrase(working_days: int) -> str:
    """Working days left (>0), due today (0) or overdue (<0), in words."""
    if working_days > 0:
        return f"còn {working_days} ngày làm việc"
    if working_days == 0:
        return "hết hạn hôm nay"
    return f"quá hạn {-working_days} ngày làm việc"


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


def capfirst(text: str) -> str:
    """Upper-case the first character only ("còn 2 ngày" -> "Còn 2 ngày")."""
    return text[:1].upper() + text[1:]


def plan_number(number: str) -> str:
    """A plan's number as written, or "(chưa có số)" for a draft ("", "/KH-UBND")."""
    number = number.strip()
    return number if number and not number.startswith("/") else "(chưa có số)"
