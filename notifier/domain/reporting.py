"""Reporting periods of ongoing work: their names, due dates and data cut-off.

Decree 09/2019/NĐ-CP art. 12 fixes the data period of each periodic report:

- monthly: the 15th of the previous month to the 14th of the reporting month;
- quarterly: the 15th of the month before the quarter to the 14th of its last month;
- six-month: 15/12 of the previous year to 14/6; nine-month: 15/12 to 14/9;
- annual: 15/12 of the previous year to 14/12.

Art. 13 leaves the submission day to the agency asking for the report (many use the
25th of the period's last month); the policy's ``reporting.submission_day`` says which.
Ongoing ("thường xuyên") tasks get report deadlines up to :func:`report_horizon`, at
least 12 months ahead, kept by the sweep. Pure: no I/O, no clock.
"""

from __future__ import annotations

import calendar as cal
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from notifier.domain.timeframe import ROMAN, ROMAN_OUT, fold_accents, parse_timeframe

# The sweep keeps report deadlines of ongoing tasks at least this far ahead.
HORIZON_MONTHS = 12


class PeriodKind(StrEnum):
    """A reporting period; the first five are Decree 09/2019's, the others name one period."""

    MONTH = "month"
    QUARTER = "quarter"
    SIX_MONTHS = "six_months"
    NINE_MONTHS = "nine_months"
    YEAR = "year"
    FIRST_HALF = "first_half"  # = six_months
    SECOND_HALF = "second_half"
    Q1 = "q1"
    Q2 = "q2"
    Q3 = "q3"
    Q4 = "q4"

    def label(self, year: int, n: int = 0) -> str:
        """The period's name in reports ("6 tháng đầu năm 2024", "Quý II/2024", "Tháng 5/2024");
        ``n`` is the month (1-12) or the quarter (1-4) for the repeating kinds."""
        if self == PeriodKind.MONTH:
            return f"Tháng {n}/{year}"
        if self == PeriodKind.QUARTER or self in _SINGLE_QUARTER:
            return f"Quý {ROMAN_OUT[n or _SINGLE_QUARTER[self]]}/{year}"
        return {
            PeriodKind.SIX_MONTHS: f"6 tháng đầu năm {year}",
            PeriodKind.FIRST_HALF: f"6 tháng đầu năm {year}",
            PeriodKind.SECOND_HALF: f"6 tháng cuối năm {year}",
            PeriodKind.NINE_MONTHS: f"9 tháng đầu năm {year}",
            PeriodKind.YEAR: f"Năm {year}",
        }[self]

    def instances(self) -> tuple[int, ...]:
        """The n of each period in a year: months 1-12, quarters 1-4, else one (0)."""
        if self == PeriodKind.MONTH:
            return tuple(range(1, 13))
        if self == PeriodKind.QUARTER:
            return (1, 2, 3, 4)
        return (_SINGLE_QUARTER.get(self, 0),)

    def last_month(self, n: int) -> int:
        """The last month of period ``n`` (the month a default submission day falls in)."""
        if self == PeriodKind.MONTH:
            return n
        if self == PeriodKind.QUARTER or self in _SINGLE_QUARTER:
            return 3 * n
        return {
            PeriodKind.SIX_MONTHS: 6,
            PeriodKind.FIRST_HALF: 6,
            PeriodKind.NINE_MONTHS: 9,
        }.get(self, 12)


_SINGLE_QUARTER = {PeriodKind.Q1: 1, PeriodKind.Q2: 2, PeriodKind.Q3: 3, PeriodKind.Q4: 4}


def data_period(kind: PeriodKind, year: int, n: int = 0) -> tuple[date, date]:
    """The data cut-off of a period (Decree 09/2019 art. 12), first and last day."""
    if kind == PeriodKind.MONTH:
        return _fifteenth_before(year, n), date(year, n, 14)
    if kind == PeriodKind.QUARTER or kind in _SINGLE_QUARTER:
        q = n or _SINGLE_QUARTER[kind]
        return _fifteenth_before(year, 3 * q - 2), date(year, 3 * q, 14)
    if kind == PeriodKind.SECOND_HALF:
        return date(year, 6, 15), date(year, 12, 14)
    return date(year - 1, 12, 15), date(year, kind.last_month(n), 14)


def _fifteenth_before(year: int, month: int) -> date:
    """The 15th of the month before ``month`` of ``year``."""
    return date(year - 1, 12, 15) if month == 1 else date(year, month - 1, 15)


_LABELS: Sequence[tuple[re.Pattern[str], PeriodKind]] = (
    (re.compile(r"^thang (\d{1,2})/(\d{4})$"), PeriodKind.MONTH),
    (re.compile(r"^quy (iv|i{1,3})/(\d{4})$"), PeriodKind.QUARTER),
    (re.compile(r"^6 thang dau nam (\d{4})$"), PeriodKind.SIX_MONTHS),
    (re.compile(r"^6 thang cuoi nam (\d{4})$"), PeriodKind.SECOND_HALF),
    (re.compile(r"^9 thang dau nam (\d{4})$"), PeriodKind.NINE_MONTHS),
    (re.compile(r"^nam (\d{4})$"), PeriodKind.YEAR),
)


def period_of_label(label: str) -> tuple[PeriodKind, int, int] | None:
    """(kind, year, n) of a period name the domain writes ("Quý II/2024"); None if unknown."""
    folded = fold_accents(" ".join(label.split()).lower())
    for pattern, kind in _LABELS:
        m = pattern.match(folded)
        if m is None:
            continue
        if kind == PeriodKind.MONTH:
            return kind, int(m.group(2)), int(m.group(1))
        if kind == PeriodKind.QUARTER:
            return kind, int(m.group(2)), ROMAN[m.group(1)]
        return kind, int(m.group(1)), 0
    return None


def data_period_of_label(label: str) -> tuple[date, date] | None:
    found = period_of_label(label)
    return data_period(*found) if found is not None else None


@dataclass(frozen=True)
class ReportDate:
    """One reporting deadline: the period's name, the nominal due date, its data period."""

    period: str
    nominal: date
    data_from: date | None = None
    data_to: date | None = None


def report_horizon(today: date) -> date:
    """The last day report deadlines of ongoing work must reach: 12 months ahead."""
    year, month = today.year + HORIZON_MONTHS // 12, today.month
    day = min(today.day, cal.monthrange(year, month)[1])
    return date(year, month, day)


def with_data_period(period: str, nominal: date) -> ReportDate:
    span = data_period_of_label(period)
    return ReportDate(period, nominal, *(span or (None, None)))


def plan_cycle_dates(
    texts: Iterable[str], plan_date: date | None, plan_year: int, until: date
) -> list[ReportDate]:
    """The plan's own reporting cycle ("định kỳ 6 tháng, hằng năm (trước ngày 15/6 và
    15/12)") expanded up to ``until``, by date, each with its data period."""
    found: set[tuple[date, str]] = set()
    for text in texts:
        tf = parse_timeframe(text, plan_date=plan_date, plan_year=plan_year, until=until)
        found |= {(o.due, o.period) for o in tf.occurrences}
    return [with_data_period(period, due) for due, period in sorted(found)]


def month_day(year: int, month: int, day: int) -> date:
    """``day`` of the month, or its last day when the month is shorter."""
    return date(year, month, min(day, cal.monthrange(year, month)[1]))


def next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)
