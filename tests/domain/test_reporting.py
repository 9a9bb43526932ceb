"""Reporting periods: Decree 09/2019 art. 12 data periods, labels, submission days."""

from __future__ import annotations

from datetime import date

import pytest

from notifier.domain.policy import Policy
from notifier.domain.reporting import (
    PeriodKind,
    data_period,
    data_period_of_label,
    period_of_label,
    report_horizon,
)
from notifier.domain.steps import report_dates
from notifier.errors import ConfigError


@pytest.mark.parametrize(
    ("kind", "year", "n", "first", "last"),
    [
        (PeriodKind.MONTH, 2024, 1, date(2023, 12, 15), date(2024, 1, 14)),
        (PeriodKind.MONTH, 2024, 5, date(2024, 4, 15), date(2024, 5, 14)),
        (PeriodKind.QUARTER, 2024, 1, date(2023, 12, 15), date(2024, 3, 14)),
        (PeriodKind.QUARTER, 2024, 2, date(2024, 3, 15), date(2024, 6, 14)),
        (PeriodKind.Q4, 2024, 0, date(2024, 9, 15), date(2024, 12, 14)),
        (PeriodKind.SIX_MONTHS, 2024, 0, date(2023, 12, 15), date(2024, 6, 14)),
        (PeriodKind.FIRST_HALF, 2024, 0, date(2023, 12, 15), date(2024, 6, 14)),
        (PeriodKind.NINE_MONTHS, 2024, 0, date(2023, 12, 15), date(2024, 9, 14)),
        (PeriodKind.YEAR, 2024, 0, date(2023, 12, 15), date(2024, 12, 14)),
        (PeriodKind.SECOND_HALF, 2024, 0, date(2024, 6, 15), date(2024, 12, 14)),
    ],
)
def test_data_period_of_each_report_kind(
    kind: PeriodKind, year: int, n: int, first: date, last: date
) -> None:
    assert data_period(kind, year, n) == (first, last)


@pytest.mark.parametrize(
    ("label", "found"),
    [
        ("Tháng 1/2025", (PeriodKind.MONTH, 2025, 1)),
        ("Quý II/2024", (PeriodKind.QUARTER, 2024, 2)),
        ("6 tháng đầu năm 2024", (PeriodKind.SIX_MONTHS, 2024, 0)),
        ("9 tháng đầu năm 2024", (PeriodKind.NINE_MONTHS, 2024, 0)),
        ("Năm 2024", (PeriodKind.YEAR, 2024, 0)),
        ("Giai đoạn 2021-2025", None),
    ],
)
def test_period_names_read_back(label: str, found: tuple[PeriodKind, int, int] | None) -> None:
    assert period_of_label(label) == found
    if found is not None:
        assert found[0].label(found[1], found[2]).lower() == label.lower()


def test_a_plan_cycle_period_gets_its_data_period_from_its_name() -> None:
    assert data_period_of_label("6 tháng đầu năm 2024") == (date(2023, 12, 15), date(2024, 6, 14))


def test_monthly_quarterly_nine_month_cycles_with_a_configurable_submission_day() -> None:
    policy = Policy().merged(
        {
            "reporting": {
                "submission_day": 20,
                "periods": [
                    {"period": "month", "day": 5, "in_next_month": True},
                    {"period": "quarter"},
                    {"period": "nine_months"},
                ],
            }
        }
    )
    dates = report_dates(2024, 2024, policy)
    monthly = [d for d in dates if d.period.startswith("Tháng")]
    assert [(d.period, d.nominal) for d in monthly[:2]] == [
        ("Tháng 1/2024", date(2024, 2, 5)),
        ("Tháng 2/2024", date(2024, 3, 5)),
    ]
    assert (monthly[-1].period, monthly[-1].nominal) == ("Tháng 12/2024", date(2025, 1, 5))
    quarters = [(d.period, d.nominal) for d in dates if d.period.startswith("Quý")]
    assert quarters == [
        ("Quý I/2024", date(2024, 3, 20)),
        ("Quý II/2024", date(2024, 6, 20)),
        ("Quý III/2024", date(2024, 9, 20)),
        ("Quý IV/2024", date(2024, 12, 20)),
    ]
    [nine] = [d for d in dates if d.period.startswith("9 tháng")]
    assert (nine.nominal, nine.data_from, nine.data_to) == (
        date(2024, 9, 20),
        date(2023, 12, 15),
        date(2024, 9, 14),
    )


def test_the_submission_day_is_not_a_constant() -> None:
    plain = report_dates(
        2024, 2024, Policy().merged({"reporting": {"periods": [{"period": "year"}]}})
    )
    later = Policy().merged({"reporting": {"periods": [{"period": "year"}], "submission_day": 28}})
    assert [d.nominal for d in plain] == [date(2024, 12, 25)]  # Decree 09/2019 art. 13 usage
    assert [d.nominal for d in report_dates(2024, 2024, later)] == [date(2024, 12, 28)]


def test_a_day_of_the_year_for_a_repeating_period_is_refused() -> None:
    with pytest.raises(ConfigError, match="due"):
        Policy().merged({"reporting": {"periods": [{"period": "month", "due": "15/06"}]}})


def test_the_horizon_is_twelve_months_ahead() -> None:
    assert report_horizon(date(2026, 12, 1)) == date(2027, 12, 1)
    assert report_horizon(date(2028, 2, 29)) == date(2029, 2, 28)
