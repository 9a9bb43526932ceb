"""Every row of domain.md section 3, table-driven, plus the traps around them."""

from __future__ import annotations

from datetime import date

import pytest

from notifier.domain.timeframe import Timeframe, TimeframeKind, parse_timeframe

PLAN_DATE = date(2024, 4, 1)
UNTIL = date(2025, 12, 31)


def tf(text: str, plan_date: date | None = PLAN_DATE, year: int = 2024) -> Timeframe:
    return parse_timeframe(text, plan_date=plan_date, plan_year=year, until=UNTIL)


def iso(t: Timeframe) -> list[str]:
    return [d.isoformat() for d in t.due_dates]


DEADLINES = [
    ("Tháng 4 năm 2024", ["2024-04-30"], "Tháng 4/2024"),
    ("tháng 12/2024", ["2024-12-31"], "Tháng 12/2024"),
    ("trong tháng 11/2018", ["2018-11-30"], "Tháng 11/2018"),
    ("Quý II/2024", ["2024-06-30"], "Quý II/2024"),
    ("Quý 3 năm 2024", ["2024-09-30"], "Quý III/2024"),
    ("trước quý III/2024", ["2024-06-30"], "30/06/2024"),
    ("6 tháng đầu năm 2024", ["2024-06-30"], "6 tháng đầu năm 2024"),
    ("6 tháng cuối năm", ["2024-12-31"], "6 tháng cuối năm 2024"),
    ("Năm 2024", ["2024-12-31"], "Năm 2024"),
    ("Cả năm 2024", ["2024-12-31"], "Năm 2024"),
    ("2024-2025", ["2025-12-31"], "Giai đoạn 2024-2025"),
    ("giai đoạn 2021-2025", ["2025-12-31"], "Giai đoạn 2021-2025"),
    ("Trước ngày 15/12/2024", ["2024-12-15"], "15/12/2024"),
    ("chậm nhất ngày 15/12/2024", ["2024-12-15"], "15/12/2024"),
    ("hoàn thành trước 15/12/2024", ["2024-12-15"], "15/12/2024"),
    ("ngày 15 tháng 12 năm 2024", ["2024-12-15"], "15/12/2024"),
    ("15-12-2024", ["2024-12-15"], "15/12/2024"),
    ("15.12.2024", ["2024-12-15"], "15/12/2024"),
    ("đầu tháng 5", ["2024-05-01"], "01/05/2024"),
    ("giữa tháng 5/2024", ["2024-05-15"], "15/05/2024"),
    ("cuối tháng 2/2024", ["2024-02-29"], "29/02/2024"),
    ("đầu năm 2025", ["2025-01-01"], "01/01/2025"),
    ("giữa năm", ["2024-06-30"], "30/06/2024"),
    ("cuối năm 2024", ["2024-12-31"], "31/12/2024"),
    ("trước tháng 6/2024", ["2024-05-31"], "31/05/2024"),
    ("Đợt 1 trước 30/6/2024; đợt 2 trước 30/11/2024", ["2024-06-30", "2024-11-30"], None),
]


@pytest.mark.parametrize(("text", "due", "period"), DEADLINES)
def test_deadline_expressions_give_their_last_day(text: str, due: list[str], period: str) -> None:
    t = tf(text)
    assert t.kind is TimeframeKind.DEADLINE
    assert iso(t) == due
    if period:
        assert t.occurrences[0].period == period
    assert t.text == text


@pytest.mark.parametrize(
    ("text", "wording"),
    [
        ("Trước ngày 15/12/2024", "trước"),
        ("chậm nhất ngày 15/12/2024", "chậm nhất"),
        ("hoàn thành trước 15/12/2024", "trước"),
        ("ngày 15 tháng 12 năm 2024", None),
    ],
)
def test_wording_records_which_word_the_plan_used(text: str, wording: str | None) -> None:
    assert tf(text).wording == wording


def test_window_has_start_and_deadline() -> None:
    t = tf("từ ngày 01/11/2023 đến ngày 09/11/2023")
    assert t.kind is TimeframeKind.WINDOW
    assert t.start == date(2023, 11, 1)
    assert iso(t) == ["2023-11-09"]


def test_window_start_without_year_takes_the_end_year() -> None:
    t = tf("từ ngày 01/11 đến ngày 09/11/2023")
    assert t.start == date(2023, 11, 1)


@pytest.mark.parametrize("text", ["Thường xuyên", "thường xuyên, liên tục"])
def test_ongoing_has_no_deadline(text: str) -> None:
    t = tf(text)
    assert t.kind is TimeframeKind.ONGOING
    assert t.due_dates == []


@pytest.mark.parametrize("text", ["đột xuất khi có yêu cầu", "theo yêu cầu"])
def test_on_demand_has_no_date(text: str) -> None:
    t = tf(text)
    assert t.kind is TimeframeKind.ON_DEMAND
    assert t.due_dates == []


@pytest.mark.parametrize("text", ["Hằng năm", "năm 2024 và những năm tiếp theo"])
def test_yearly_from_plan_year_open_ended_until_horizon(text: str) -> None:
    t = tf(text)
    assert t.kind is TimeframeKind.RECURRING
    assert iso(t) == ["2024-12-31", "2025-12-31"]
    assert [o.period for o in t.occurrences] == ["Năm 2024", "Năm 2025"]


def test_yearly_from_later_year_starts_there() -> None:
    t = tf("năm 2025 và những năm tiếp theo")
    assert iso(t) == ["2025-12-31"]


def test_monthly_on_the_twentieth_from_the_plan_month() -> None:
    t = tf("hằng tháng (trước ngày 20)")
    assert t.kind is TimeframeKind.RECURRING
    assert iso(t)[:3] == ["2024-04-20", "2024-05-20", "2024-06-20"]
    assert iso(t)[-1] == "2025-12-20"
    assert len(t.due_dates) == 21
    assert t.occurrences[0].period == "Tháng 4/2024"


def test_monthly_report_on_the_fifteenth() -> None:
    t = tf("báo cáo tháng gửi trước ngày 15 hằng tháng")
    assert iso(t)[:2] == ["2024-04-15", "2024-05-15"]
    assert t.wording == "trước"


def test_quarterly_on_fifth_of_the_quarters_last_month() -> None:
    t = tf("trước ngày 05 tháng cuối của mỗi quý", plan_date=None)
    assert iso(t)[:4] == ["2024-03-05", "2024-06-05", "2024-09-05", "2024-12-05"]
    assert t.occurrences[1].period == "Quý II/2024"


def test_half_yearly_and_yearly_with_explicit_days() -> None:
    t = tf("định kỳ 6 tháng, hằng năm (trước ngày 15/6 và 15/12)")
    assert iso(t) == ["2024-06-15", "2024-12-15", "2025-06-15", "2025-12-15"]
    assert [o.period for o in t.occurrences[:2]] == ["6 tháng đầu năm 2024", "Năm 2024"]


def test_half_yearly_without_day_uses_decree_09_day_25() -> None:
    t = tf("định kỳ 6 tháng và hằng năm")
    assert iso(t) == ["2024-06-25", "2024-12-25", "2025-06-25", "2025-12-25"]


def test_yearly_report_due_in_the_following_year() -> None:
    t = tf("báo cáo năm gửi trước ngày 10/01 của năm sau")
    assert t.kind is TimeframeKind.RECURRING
    assert iso(t) == ["2025-01-10"]
    assert t.occurrences[0].period == "Năm 2024"


def test_lunar_date_is_converted_not_read_as_solar() -> None:
    t = tf("10 tháng 3 âm lịch")
    assert t.kind is TimeframeKind.DEADLINE
    assert iso(t) == ["2024-04-18"]  # Giỗ Tổ Hùng Vương 2024
    assert t.note and "âm lịch" in t.note


def test_lunar_first_month_before_plan_date_moves_to_next_year() -> None:
    t = tf("mùng 6 tháng Giêng")
    assert iso(t) == ["2025-02-03"]


def test_lunar_with_explicit_year() -> None:
    assert iso(tf("mùng 6 tháng Giêng năm 2024")) == ["2024-02-15"]


def test_impossible_lunar_date_is_reported_unsupported() -> None:
    t = tf("ngày 40 tháng 3 âm lịch")
    assert t.kind is TimeframeKind.UNKNOWN
    assert t.note == "âm lịch: chưa hỗ trợ"


def test_date_without_year_takes_plan_year() -> None:
    assert iso(tf("trước ngày 30/6")) == ["2024-06-30"]


def test_date_without_year_before_issue_date_is_next_year() -> None:
    assert iso(tf("trước ngày 10/01", plan_date=date(2024, 11, 20))) == ["2025-01-10"]


def test_relative_deadline_is_unknown_with_note() -> None:
    t = tf("trong 30 ngày kể từ ngày 01/4/2024")
    assert t.kind is TimeframeKind.UNKNOWN
    assert t.note and "sự kiện" in t.note


@pytest.mark.parametrize("text", ["", "   ", "sớm nhất có thể", "ngày 31/2/2024"])
def test_unreadable_text_is_unknown_never_an_error(text: str) -> None:
    t = tf(text)
    assert t.kind is TimeframeKind.UNKNOWN
    assert t.note


def test_to_json_shape() -> None:
    j = tf("Quý II/2024").to_json()
    assert j == {
        "text": "Quý II/2024",
        "kind": "deadline",
        "start": None,
        "due_dates": ["2024-06-30"],
        "wording": None,
        "periods": ["Quý II/2024"],
        "note": None,
    }
