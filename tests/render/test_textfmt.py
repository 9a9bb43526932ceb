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
        (date(2025, 1, 1), "01/1/2025"),
    ],
)
def test_date_has_two_digit_day_and_bare_month(d: date, text: str) -> None:
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
