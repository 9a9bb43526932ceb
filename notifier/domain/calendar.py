"""The working calendar of Vietnamese public agencies, and when a deadline really ends.

Working days are Monday to Friday (QĐ 188/1999/QĐ-TTg), minus public holidays
and announced days off, plus make-up Saturdays. Holidays, days in lieu and most
swaps come from the ``holidays`` package; ``config/calendar.yaml`` adds what the
package does not know yet (it lags new announcements).

Arithmetic is O(1): per covered year range the calendar precomputes a flag per
day, the running count of working days, and the list of working days, so the
preview can ask millions of questions cheaply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

import holidays
from pydantic import BaseModel, ConfigDict, Field, model_validator

from notifier.textfmt import vn_date
from notifier.yamlconf import load_yaml_model

_WEEKDAY_NAMES = {5: "Thứ Bảy", 6: "Chủ nhật"}
_EMPTY: Mapping[dt.date, str] = MappingProxyType({})


class DeadlineRule(StrEnum):
    """What a deadline falling on a non-working day becomes."""

    NEXT_WORKING_DAY = "next_working_day"  # Civil Code 2015 art. 148 (default)
    PREVIOUS_WORKING_DAY = "previous_working_day"
    EXACT = "exact"


class _Day(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: dt.date
    reason: str = Field(min_length=1)


class _Confirmed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2100)
    source: str = Field(min_length=1)


class CalendarFile(BaseModel):
    """Schema of ``config/calendar.yaml``."""

    model_config = ConfigDict(extra="forbid")
    days_off: list[_Day] = []
    working_days: list[_Day] = []
    # Years whose official schedule (Tết days off, swaps) an admin has checked against
    # the government's announcement and written above: the package's rule is then no
    # longer just an estimate for that year.
    confirmed_years: list[_Confirmed] = []

    @model_validator(mode="after")
    def _not_both(self) -> CalendarFile:
        both = {d.date for d in self.days_off} & {d.date for d in self.working_days}
        if both:
            listed = ", ".join(vn_date(d) for d in sorted(both))
            raise ValueError(f"vừa là ngày nghỉ vừa là ngày làm việc: {listed}")
        return self


class Source(StrEnum):
    """Where a day off or a make-up working day comes from."""

    PACKAGE = "package"  # the holidays package (rules and announced swaps it knows)
    CONFIG = "config"  # config/calendar.yaml
    LOCAL = "local"  # added on the calendar page (table calendar_day); wins over the file
    WEEKEND = "weekend"


SOURCE_LABELS = {
    Source.PACKAGE: "gói holidays",
    Source.CONFIG: "calendar.yaml",
    Source.LOCAL: "thêm trên trang Lịch làm việc",
    Source.WEEKEND: "cuối tuần",
}


@dataclass(frozen=True)
class CalendarDay:
    """One day that is not what its weekday says: a weekday off or a weekend worked."""

    date: dt.date
    working: bool  # True: a make-up working day
    reason: str
    source: Source


class WorkingCalendar:
    """Working days, day-off reasons and working-day arithmetic."""

    def __init__(
        self,
        extra_days_off: Mapping[dt.date, str] = _EMPTY,
        extra_working_days: Mapping[dt.date, str] = _EMPTY,
        confirmed_years: Mapping[int, str] | None = None,
    ) -> None:
        self._extra_off = dict(extra_days_off)
        self._extra_work = dict(extra_working_days)
        self._confirmed = dict(confirmed_years or {})
        self._local: frozenset[dt.date] = frozenset()
        self._names: dict[dt.date, str] = {}
        self._year_lo = 0
        self._year_hi = -1
        self._base = 0  # ordinal of day index 0
        self._last = -1  # ordinal of the last covered day
        self._work = bytearray()  # 1 if working, per day index
        self._cum: list[int] = []  # working days in [base, base+i]
        self._days: list[int] = []  # ordinals of working days, ascending

    @classmethod
    def from_yaml(cls, path: Path) -> WorkingCalendar:
        """Calendar with the additions of ``path``; a missing file means no additions."""
        if not path.exists():
            return cls()
        data = load_yaml_model(path, CalendarFile)
        return cls(
            {d.date: d.reason for d in data.days_off},
            {d.date: d.reason for d in data.working_days},
            {c.year: c.source for c in data.confirmed_years},
        )

    def with_local_days(self, days: Mapping[dt.date, tuple[bool, str]]) -> WorkingCalendar:
        """A new calendar with the days added on the calendar page (date -> (working,
        reason)): each one wins over ``calendar.yaml`` and the package for its date."""
        off = {d: r for d, r in self._extra_off.items() if d not in days}
        work = {d: r for d, r in self._extra_work.items() if d not in days}
        off.update({d: reason for d, (working, reason) in days.items() if not working})
        work.update({d: reason for d, (working, reason) in days.items() if working})
        calendar = WorkingCalendar(off, work, self._confirmed)
        calendar._local = frozenset(days)
        return calendar

    def local_days(self) -> frozenset[dt.date]:
        return self._local

    # --- what an admin reads ---------------------------------------------

    def year_days(self, year: int) -> list[CalendarDay]:
        """Every weekday off and every weekend day worked in ``year``, with its source."""
        self._ensure(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal())
        out = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            working = self.is_working_day(day)
            weekend = day.weekday() >= 5
            if working == weekend:  # a weekday off, or a weekend worked
                out.append(CalendarDay(day, working, self._reason(day, working), self._source(day)))
            elif not working and day in self._extra_off:
                out.append(CalendarDay(day, False, self._extra_off[day], self._source(day)))
            elif working and day in self._local:  # a weekday made a working day again
                out.append(CalendarDay(day, True, self._extra_work[day], Source.LOCAL))
            day += dt.timedelta(days=1)
        return out

    def _reason(self, day: dt.date, working: bool) -> str:
        if working:
            return self._extra_work.get(day, "Ngày làm việc bù")
        return self.day_off_reason(day) or ""

    def _source(self, day: dt.date) -> Source:
        if day in self._local:
            return Source.LOCAL
        if day in self._extra_off or day in self._extra_work:
            return Source.CONFIG
        return Source.PACKAGE

    def tet_days(self, year: int) -> list[dt.date]:
        """The Tết Nguyên Đán days off of ``year`` as this calendar has them."""
        return [
            d.date
            for d in self.year_days(year)
            if not d.working and "Tết" in d.reason and "Dương lịch" not in d.reason
        ]

    def confirmation(self, year: int) -> str | None:
        """The official source an admin recorded for ``year``'s schedule, or None."""
        return self._confirmed.get(year)

    # --- precomputation -------------------------------------------------

    def _ensure(self, lo: int, hi: int) -> None:
        """Cover the ordinals lo..hi (with a year of margin each side)."""
        if self._base <= lo and hi <= self._last:
            return
        if self._year_lo <= self._year_hi:
            y_lo = min(self._year_lo, dt.date.fromordinal(lo).year - 1)
            y_hi = max(self._year_hi, dt.date.fromordinal(hi).year + 1)
        else:
            y_lo = dt.date.fromordinal(lo).year - 1
            y_hi = dt.date.fromordinal(hi).year + 1
        self._build(max(y_lo, 1900), min(y_hi, 9998))

    def _build(self, y_lo: int, y_hi: int) -> None:
        vn = holidays.country_holidays("VN", language="vi", years=range(y_lo, y_hi + 1))
        makeup = set(getattr(vn, "weekend_workdays", set()))
        self._names = {day: str(name) for day, name in vn.items()}
        base = dt.date(y_lo, 1, 1).toordinal()
        end = dt.date(y_hi, 12, 31).toordinal()
        work = bytearray(end - base + 1)
        cum: list[int] = []
        days: list[int] = []
        count = 0
        for i in range(end - base + 1):
            day = dt.date.fromordinal(base + i)
            if self._compute_working(day, makeup):
                work[i] = 1
                count += 1
                days.append(base + i)
            cum.append(count)
        self._year_lo, self._year_hi = y_lo, y_hi
        self._base, self._work, self._cum, self._days = base, work, cum, days
        self._last = end

    def _compute_working(self, day: dt.date, makeup: set[dt.date]) -> bool:
        if day in self._extra_work:
            return True
        if day in self._extra_off or day in self._names:
            return False
        return day.weekday() < 5 or day in makeup

    def _index(self, d: dt.date) -> int:
        o = d.toordinal()
        self._ensure(o, o)
        return o - self._base

    # --- questions ------------------------------------------------------

    def is_working_day(self, d: dt.date) -> bool:
        i = self._index(d)  # first: it may rebuild the tables
        return bool(self._work[i])

    def day_off_reason(self, d: dt.date) -> str | None:
        """Why ``d`` is not a working day ("Thứ Bảy", "Chủ nhật", a holiday name), or None."""
        if self.is_working_day(d):
            return None
        if d in self._extra_off:
            return self._extra_off[d]
        if d in self._names:
            return self._names[d]
        return _WEEKDAY_NAMES.get(d.weekday(), "Ngày nghỉ")

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: dt.date) -> dt.date:
        """The last working day strictly before ``d``."""
        return self.add_working_days(d, -1)

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """``d`` moved by ``n`` working days; from a non-working day, counting starts from it.

        So ``add_working_days(saturday, 1)`` is Monday and ``(saturday, -1)`` is Friday.
        """
        if n == 0:
            return d
        o = d.toordinal()
        margin = 3 * abs(n) + 30  # generous: a year never has fewer than 1/3 working days
        self._ensure(o - margin if n < 0 else o, o + margin if n > 0 else o)
        i = o - self._base
        count = self._cum[i]
        if n > 0:
            return dt.date.fromordinal(self._days[count + n - 1])
        idx = count + n - (1 if self._work[i] else 0)
        return dt.date.fromordinal(self._days[idx])

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Signed number of working days in (a, b]; negative when b is before a."""
        oa, ob = a.toordinal(), b.toordinal()
        self._ensure(min(oa, ob), max(oa, ob))
        return self._cum[ob - self._base] - self._cum[oa - self._base]

    def effective_deadline(
        self, nominal: dt.date, rule: DeadlineRule = DeadlineRule.NEXT_WORKING_DAY
    ) -> dt.date:
        """The day a deadline really ends (at 24:00) under ``rule``."""
        if rule == DeadlineRule.EXACT or self.is_working_day(nominal):
            return nominal
        if rule == DeadlineRule.PREVIOUS_WORKING_DAY:
            return self.previous_working_day(nominal)
        return self.next_working_day(nominal)
