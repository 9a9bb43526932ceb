"""Dates, times and counts read the way Vietnamese official documents write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from notifier.textfmt import (
    capfirst,
    days_phrase,
    vn_date,
    vn_datetime,
    vn_deadline,
    vn_int,
    vn_percent,
    vn_weekday,
)


def test_weekdays_cover_the_whole_week() -> None:
    monday = date(2024, 4, 22)
    names = [vn_weekday(date(2024, 4, 22 + i)) for i in range(7)]
    assert vn_weekday(monday) == "Thứ Hai"
    assert names == ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(2024, 5, 2), "02/5/2024"),
        (date(2024, 12, 15), "15/12/2024"),
        (date(2025, 1, 1), "01/01/2025"),
        (date(2026, 1, 10), "10/01/2026"),
        (date(2027, 2, 4), "04/02/2027"),
        (date(2024, 3, 9), "09/3/2024"),
    ],
)
def test_date_follows_decree_30(d: date, text: str) -> None:
    """Decree 30/2020, Appendix I: leading zero for days below 10 and for months 1 and 2."""
    assert vn_date(d) == text


def test_deadline_names_the_weekday() -> None:
    assert vn_deadline(date(2024, 5, 2)) == "Thứ Năm, 02/5/2024"


def test_datetime_is_shown_in_vietnam_time() -> None:
    assert vn_datetime(datetime(2024, 4, 22, 1, 0, tzinfo=UTC)) == "08:00 Thứ Hai, 22/4/2024"
    # 23:30 UTC on Sunday is already Monday morning in Hà Nội.
    assert vn_datetime(datetime(2024, 4, 21, 23, 30, tzinfo=UTC)) == "06:30 Thứ Hai, 22/4/2024"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        vn_datetime(datetime(2024, 4, 22, 8, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("days", "text"),
    [(2, "còn 2 ngày làm việc"), (1, "còn 1 ngày làm việc"), (0, "hết hạn hôm nay"),
     (-3, "quá hạn 3 ngày làm việc")],
)  # fmt: skip
def test_days_phrase(days: int, text: str) -> None:
    assert days_phrase(days) == text


def test_numbers_use_vietnamese_separators() -> None:
    assert vn_int(1234567) == "1.234.567"
    assert vn_percent(1, 8) == "12,5%"
    assert vn_percent(1, 3) == "33,3%"
    assert vn_percent(2, 2) == "100%"
    assert vn_percent(0, 0) == "0%"


def test_capfirst_keeps_the_rest() -> None:
    assert capfirst("còn 2 ngày làm việc") == "Còn 2 ngày làm việc"
    assert capfirst("") == ""


def test_plan_date_reads_like_an_official_document() -> None:
    from notifier.textfmt import vn_plan_date

    assert vn_plan_date("2024-04-05") == "ngày 05/4/2024"
    assert vn_plan_date("2024-04") == "tháng 4/2024"
    assert vn_plan_date("2024") == "năm 2024"
    assert vn_plan_date("") == ""


def test_only_textfmt_formats_dates() -> None:
    """One date formatter: no other module writes its own dd/mm/yyyy (issue 11 §3)."""
    import re
    from pathlib import Path

    import notifier

    package = Path(notifier.__file__).parent
    pattern = re.compile(r"%d/%m|:%d/|%H:%M %d")
    found = [
        f"{path.relative_to(package)}:{n}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "textfmt.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert found == []


def test_cli_tables_use_the_official_format() -> None:
    from notifier.textfmt import vn_date_time

    assert vn_date_time(datetime(2026, 1, 10, 1, 0, tzinfo=UTC)) == "08:00 10/01/2026"
