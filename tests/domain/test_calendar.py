"""Working calendar: holidays, swaps, make-up Saturdays, config additions, arithmetic."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifier.domain.calendar import DeadlineRule, WorkingCalendar
from notifier.errors import ConfigError

CONFIG = Path(__file__).resolve().parents[2] / "config"
CAL = WorkingCalendar.from_yaml(CONFIG / "calendar.yaml")
BARE = WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Tết 2025: Mon 27/1 to Sat 1/2 off, Fri 24/1 and Mon 3/2 worked
        (date(2025, 1, 24), True),
        (date(2025, 1, 27), False),
        (date(2025, 1, 29), False),
        (date(2025, 1, 31), False),
        (date(2025, 2, 3), True),
        # Tết 2026: Mon 16/2 to Fri 20/2 off
        (date(2026, 2, 13), True),
        (date(2026, 2, 16), False),
        (date(2026, 2, 20), False),
        (date(2026, 2, 23), True),
        # 2024 swap: Mon 29/4 off, Sat 4/5 worked
        (date(2024, 4, 29), False),
        (date(2024, 5, 4), True),
        (date(2024, 5, 5), False),
        # 2025 swap: Fri 2/5 off, Sat 26/4 worked
        (date(2025, 5, 2), False),
        (date(2025, 4, 26), True),
        # 2026 swaps: Fri 2/1 off, Sat 10/1 worked (config); Mon 31/8 off, Sat 22/8 worked
        (date(2026, 1, 2), False),
        (date(2026, 1, 10), True),
        (date(2026, 8, 31), False),
        (date(2026, 8, 22), True),
        # ordinary days and fixed holidays
        (date(2024, 4, 18), False),  # Giỗ Tổ 2024
        (date(2024, 9, 3), False),
        (date(2024, 6, 14), True),
        (date(2024, 6, 15), False),
        (date(2024, 6, 16), False),
    ],
)
def test_working_days_follow_holidays_swaps_and_makeup_saturdays(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_2026_new_year_swap_comes_from_config_not_the_package() -> None:
    assert BARE.is_working_day(date(2026, 1, 2))
    assert not BARE.is_working_day(date(2026, 1, 10))
    assert not CAL.is_working_day(date(2026, 1, 2))
    assert CAL.is_working_day(date(2026, 1, 10))


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2024, 5, 4), None),
        (date(2024, 5, 5), "Chủ nhật"),
        (date(2024, 5, 11), "Thứ Bảy"),
        (date(2024, 4, 18), "Ngày Giỗ Tổ Hùng Vương"),
        (date(2024, 4, 29), "Ngày nghỉ (thay cho ngày 04/05/2024)"),
        (date(2026, 1, 2), "Nghỉ hoán đổi dịp Tết Dương lịch (làm bù thứ Bảy 10/01/2026)"),
    ],
)
def test_day_off_reason_names_the_holiday_or_the_weekday(day: date, reason: str | None) -> None:
    assert CAL.day_off_reason(day) == reason


@pytest.mark.parametrize(
    ("nominal", "rule", "effective"),
    [
        (date(2024, 4, 30), DeadlineRule.NEXT_WORKING_DAY, date(2024, 5, 2)),
        (date(2024, 4, 30), DeadlineRule.PREVIOUS_WORKING_DAY, date(2024, 4, 26)),
        (date(2024, 4, 30), DeadlineRule.EXACT, date(2024, 4, 30)),
        (date(2024, 6, 15), DeadlineRule.NEXT_WORKING_DAY, date(2024, 6, 17)),
        (date(2024, 6, 16), DeadlineRule.PREVIOUS_WORKING_DAY, date(2024, 6, 14)),
        (date(2024, 6, 14), DeadlineRule.NEXT_WORKING_DAY, date(2024, 6, 14)),
        (date(2025, 4, 26), DeadlineRule.NEXT_WORKING_DAY, date(2025, 4, 26)),  # make-up Sat
        (date(2025, 1, 31), DeadlineRule.NEXT_WORKING_DAY, date(2025, 2, 3)),
        (date(2026, 2, 15), DeadlineRule.NEXT_WORKING_DAY, date(2026, 2, 23)),
        (date(2026, 2, 15), DeadlineRule.PREVIOUS_WORKING_DAY, date(2026, 2, 13)),
        (date(2026, 1, 1), DeadlineRule.NEXT_WORKING_DAY, date(2026, 1, 5)),
        (date(2026, 8, 31), DeadlineRule.NEXT_WORKING_DAY, date(2026, 9, 3)),
        (date(2024, 12, 15), DeadlineRule.NEXT_WORKING_DAY, date(2024, 12, 16)),
    ],
)
def test_effective_deadline_per_rule(nominal: date, rule: DeadlineRule, effective: date) -> None:
    assert CAL.effective_deadline(nominal, rule) == effective


def test_effective_deadline_defaults_to_civil_code_next_working_day() -> None:
    assert CAL.effective_deadline(date(2024, 4, 30)) == date(2024, 5, 2)


@pytest.mark.parametrize(
    ("start", "n", "result"),
    [
        (date(2024, 5, 2), -5, date(2024, 4, 22)),
        (date(2024, 5, 2), -2, date(2024, 4, 25)),
        (date(2024, 5, 2), 2, date(2024, 5, 4)),  # Saturday 4/5 is a working day
        (date(2024, 5, 2), 5, date(2024, 5, 8)),
        (date(2024, 5, 8), 5, date(2024, 5, 15)),
        (date(2024, 5, 4), 1, date(2024, 5, 6)),
        (date(2024, 6, 15), 1, date(2024, 6, 17)),  # from a Saturday, counting starts from it
        (date(2024, 6, 15), -1, date(2024, 6, 14)),
        (date(2024, 6, 14), 0, date(2024, 6, 14)),
        (date(2025, 1, 24), 1, date(2025, 2, 3)),  # across Tết 2025
        (date(2026, 2, 23), -1, date(2026, 2, 13)),  # back across Tết 2026
        (date(2024, 1, 2), 300, date(2025, 3, 19)),  # far ahead: tables grow on demand
    ],
)
def test_add_working_days(start: date, n: int, result: date) -> None:
    assert CAL.add_working_days(start, n) == result


def test_next_and_previous_working_day_are_strict() -> None:
    assert CAL.next_working_day(date(2024, 6, 14)) == date(2024, 6, 17)
    assert CAL.previous_working_day(date(2024, 6, 17)) == date(2024, 6, 14)
    assert CAL.next_working_day(date(2024, 5, 3)) == date(2024, 5, 4)
    assert CAL.previous_working_day(date(2024, 5, 6)) == date(2024, 5, 4)
    assert CAL.next_working_day(date(2024, 4, 26)) == date(2024, 5, 2)


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (date(2024, 5, 2), date(2024, 5, 8), 5),
        (date(2024, 5, 8), date(2024, 5, 2), -5),
        (date(2024, 4, 26), date(2024, 5, 2), 1),
        (date(2024, 6, 14), date(2024, 6, 14), 0),
        (date(2024, 6, 14), date(2024, 6, 16), 0),
        (date(2024, 12, 31), date(2025, 12, 31), 250),  # 261 weekdays - 12 + 1 make-up
        (date(2023, 12, 31), date(2024, 12, 31), 251),
    ],
)
def test_working_days_between_counts_half_open_interval(a: date, b: date, count: int) -> None:
    assert CAL.working_days_between(a, b) == count


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=-60, max_value=60),
)
def test_add_then_count_round_trips(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    if n == 0:
        assert result == start
        return
    assert CAL.is_working_day(result)
    assert (result > start) is (n > 0)
    if n > 0 or CAL.is_working_day(start):
        assert CAL.working_days_between(start, result) == n
    # every day strictly between start and result that is a working day was counted
    lo, hi = sorted((start, result))
    inside = [lo + timedelta(days=i) for i in range(1, (hi - lo).days)]
    assert sum(CAL.is_working_day(d) for d in inside) == abs(n) - 1


def test_calendar_yaml_adds_days_off_and_working_days(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "days_off:\n"
        "  - date: 2027-03-08\n"
        "    reason: Nghỉ đột xuất theo quyết định của UBND tỉnh\n"
        "working_days:\n"
        "  - date: 2027-03-13\n"
        '    reason: "Làm bù cho ngày 08/03/2027"\n',
        encoding="utf-8",
    )
    cal = WorkingCalendar.from_yaml(path)
    assert not cal.is_working_day(date(2027, 3, 8))
    assert cal.day_off_reason(date(2027, 3, 8)) == "Nghỉ đột xuất theo quyết định của UBND tỉnh"
    assert cal.is_working_day(date(2027, 3, 13))
    assert cal.next_working_day(date(2027, 3, 5)) == date(2027, 3, 9)
    assert cal.next_working_day(date(2027, 3, 12)) == date(2027, 3, 13)


def test_missing_calendar_yaml_means_package_holidays_only(tmp_path: Path) -> None:
    cal = WorkingCalendar.from_yaml(tmp_path / "absent.yaml")
    assert cal.is_working_day(date(2026, 1, 2))
    assert not cal.is_working_day(date(2024, 4, 29))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "days_off:\n  - date: 2026-01-02\n    reason: ok\n"
            "  - date: 2026-13-01\n    reason: x\n",
            "calendar.yaml:4: '2026-13-01' không phải là ngày (cần dạng YYYY-MM-DD)",
        ),
        (
            "days_off:\n  - date: 2026-01-02\n    reson: typo\n",
            "calendar.yaml:3: khóa 'reson' không dùng được trong days_off[0]; "
            "các khóa hợp lệ: date, reason",
        ),
        (
            "working_days:\n  - date: 2026-01-10\n",
            "calendar.yaml:2: thiếu khóa 'reason' trong working_days[0]",
        ),
        (
            "holidays:\n  - 2026-01-02\n",
            "calendar.yaml:1: khóa 'holidays' không dùng được trong (cấp ngoài cùng)",
        ),
        ("days_off: [\n", "calendar.yaml:2: lỗi cú pháp YAML"),
    ],
)
def test_bad_calendar_yaml_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        WorkingCalendar.from_yaml(path)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_a_date_cannot_be_both_day_off_and_working_day(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "days_off:\n  - {date: 2026-01-02, reason: a}\n"
        "working_days:\n  - {date: 2026-01-02, reason: b}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="02/01/2026"):
        WorkingCalendar.from_yaml(path)


def test_days_added_on_the_calendar_page_win_over_the_file_and_the_package() -> None:
    from notifier.domain.calendar import Source

    base = WorkingCalendar(
        {date(2026, 1, 2): "Hoán đổi (tệp)"}, {date(2026, 1, 10): "Làm bù (tệp)"}
    )
    local = base.with_local_days(
        {
            date(2026, 1, 2): (True, "Đi làm theo thông báo mới"),  # the file's day off undone
            date(2026, 4, 27): (True, "Làm việc bình thường (kiểm thử)"),  # a package holiday
            date(2026, 6, 30): (False, "Nghỉ theo thông báo của tỉnh"),
        }
    )
    assert local.is_working_day(date(2026, 1, 2)) and not base.is_working_day(date(2026, 1, 2))
    assert local.is_working_day(date(2026, 4, 27)) and not base.is_working_day(date(2026, 4, 27))
    assert not local.is_working_day(date(2026, 6, 30))
    assert local.is_working_day(date(2026, 1, 10))  # the file's make-up Saturday stays
    days = {d.date: d for d in local.year_days(2026)}
    assert days[date(2026, 6, 30)].source == Source.LOCAL
    assert days[date(2026, 6, 30)].reason == "Nghỉ theo thông báo của tỉnh"
    assert days[date(2026, 4, 27)].working and days[date(2026, 4, 27)].source == Source.LOCAL
    assert days[date(2026, 1, 10)].source == Source.CONFIG
    assert local.effective_deadline(date(2026, 6, 30)) == date(2026, 7, 1)
