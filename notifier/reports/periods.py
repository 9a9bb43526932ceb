"""Reporting periods and their data windows (Decree 09/2019/NĐ-CP, art. 12).

A periodic report states the period it covers and the window its figures come from:

- month M: the 15th of the previous month to the 14th of M;
- quarter: the 15th of the month before the quarter to the 14th of its last month;
- 6 months: 15/12 of the previous year to 14/6; 9 months: 15/12 to 14/9;
- year: 15/12 of the previous year to 14/12.

The decree has no "6 tháng cuối năm"; the second half used by the reporting policy is
given the rest of the year's window, 15/6 to 14/12 (our decision, said where it is used).

:func:`parse_period` reads what a person types (``2024``, ``2024-H1``, ``Quý II/2024``,
``tháng 5/2024``, ``9 tháng 2024`` ...) and the labels the importer stores on report rows.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from notifier.domain.reporting import PeriodKind as DomainPeriod
from notifier.domain.reporting import data_period
from notifier.textfmt import capfirst, vn_date, vn_plan_date

ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_LABELS = ("I", "II", "III", "IV")

VALID_FORMS = (
    "năm: 2024, Năm 2024",
    "6 tháng đầu năm: 2024-H1, 6 tháng đầu năm 2024",
    "6 tháng cuối năm: 2024-H2, 6 tháng cuối năm 2024",
    "9 tháng: 2024-9T, 9 tháng đầu năm 2024",
    "quý: 2024-Q2, Quý II/2024",
    "tháng: 2024-05, Tháng 5/2024",
)


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    FIRST_HALF = "first_half"
    NINE_MONTHS = "nine_months"
    SECOND_HALF = "second_half"
    YEAR = "year"


class PeriodError(ValueError):
    """A period the program cannot read; the message lists the forms it can."""


@dataclass(frozen=True, order=True)
class ReportingPeriod:
    """One reporting period; ``index`` is the month (1-12) or the quarter (1-4), else 0."""

    year: int
    kind: PeriodKind
    index: int = 0

    @property
    def label(self) -> str:
        """What reports call it: "6 tháng đầu năm 2024", "Quý II/2024", "Tháng 5/2024"."""
        y = self.year
        match self.kind:
            case PeriodKind.MONTH:
                return capfirst(vn_plan_date(f"{y}-{self.index:02d}"))
            case PeriodKind.QUARTER:
                return f"Quý {_QUARTER_LABELS[self.index - 1]}/{y}"
            case PeriodKind.FIRST_HALF:
                return f"6 tháng đầu năm {y}"
            case PeriodKind.NINE_MONTHS:
                return f"9 tháng đầu năm {y}"
            case PeriodKind.SECOND_HALF:
                return f"6 tháng cuối năm {y}"
        return f"Năm {y}"

    @property
    def span(self) -> tuple[date, date]:
        """The calendar days the period names (1/4 to 30/6 for Quý II)."""
        y = self.year
        first, last = {
            PeriodKind.MONTH: (self.index, self.index),
            PeriodKind.QUARTER: (3 * self.index - 2, 3 * self.index),
            PeriodKind.FIRST_HALF: (1, 6),
            PeriodKind.NINE_MONTHS: (1, 9),
            PeriodKind.SECOND_HALF: (7, 12),
            PeriodKind.YEAR: (1, 12),
        }[self.kind]
        return date(y, first, 1), date(y, last, calendar.monthrange(y, last)[1])

    @property
    def data_window(self) -> tuple[date, date]:
        """First and last day of the figures (Decree 09/2019 art. 12; see the module): the
        domain's rule, which the report requests of the sweep state too."""
        return data_period(DomainPeriod(self.kind.value), self.year, self.index)

    @property
    def data_text(self) -> str:
        """ "Số liệu từ 15/12/2023 đến 14/6/2024"."""
        start, end = self.data_window
        return f"Số liệu từ {vn_date(start)} đến {vn_date(end)}"

    def contains(self, other: ReportingPeriod) -> bool:
        """Whether ``other`` closes inside this period (Quý II/2024 closes in Năm 2024)."""
        start, end = self.span
        return start <= other.span[1] <= end


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: "Quý II/2024" -> "quy ii/2024"."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


_Y = r"(?P<y>\d{4})"
_OF = r"(?:\s*/\s*|\s+nam\s+|\s+|\s*-\s*)"
_Q = r"(?P<r>[1-4]|iv|i{1,3})"
_RAW_PATTERNS = (
    (rf"^(?:nam\s+|ca nam\s+)?{_Y}$", PeriodKind.YEAR),
    (rf"^{_Y}\s*-\s*h1$", PeriodKind.FIRST_HALF),
    (rf"^h1\s*/\s*{_Y}$", PeriodKind.FIRST_HALF),
    (rf"^6 thang(?: dau)?(?: nam)? {_Y}$", PeriodKind.FIRST_HALF),
    (rf"^{_Y}\s*-\s*h2$", PeriodKind.SECOND_HALF),
    (rf"^h2\s*/\s*{_Y}$", PeriodKind.SECOND_HALF),
    (rf"^6 thang cuoi(?: nam)? {_Y}$", PeriodKind.SECOND_HALF),
    (rf"^{_Y}\s*-\s*9[mt]$", PeriodKind.NINE_MONTHS),
    (rf"^9 thang(?: dau)?(?: nam)? {_Y}$", PeriodKind.NINE_MONTHS),
    (rf"^{_Y}\s*-\s*q(?P<r>[1-4])$", PeriodKind.QUARTER),
    (rf"^(?:quy|q)\s*{_Q}{_OF}{_Y}$", PeriodKind.QUARTER),
    (rf"^{_Y}\s*-\s*(?P<m>\d{{1,2}})$", PeriodKind.MONTH),
    (rf"^thang\s*(?P<m>\d{{1,2}}){_OF}{_Y}$", PeriodKind.MONTH),
)
_PATTERNS = tuple((re.compile(p), kind) for p, kind in _RAW_PATTERNS)


def _index(kind: PeriodKind, groups: dict[str, str | None]) -> int:
    if kind == PeriodKind.QUARTER:
        raw = groups.get("r") or ""
        return int(raw) if raw.isdigit() else ROMAN_QUARTERS[raw]
    if kind == PeriodKind.MONTH:
        return int(groups.get("m") or 0)
    return 0


def parse_period(text: str) -> ReportingPeriod:
    """The period ``text`` names; :class:`PeriodError` listing the valid forms otherwise."""
    folded = fold(text)
    for pattern, kind in _PATTERNS:
        found = pattern.match(folded)
        if found is None:
            continue
        groups = found.groupdict()
        year, index = int(groups["y"] or 0), _index(kind, groups)
        if 1900 <= year <= 2999 and (kind != PeriodKind.MONTH or 1 <= index <= 12):
            return ReportingPeriod(year, kind, index)
    raise PeriodError(
        f"Kỳ báo cáo '{text}' không hợp lệ. Các cách viết được chấp nhận: "
        + "; ".join(VALID_FORMS)
        + "."
    )


def period_of_label(label: str) -> ReportingPeriod | None:
    """The period of a stored report-row label, or None when it names no known period."""
    try:
        return parse_period(label)
    except PeriodError:
        return None
