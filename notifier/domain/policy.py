"""The follow-up policy: who is reminded, warned and escalated to, and when.

Defaults live in the model so that a missing ``config/policy.yaml`` still gives
the documented behaviour; a plan or a task may override any part through
:meth:`Policy.merged` (a deep merge that is validated again, so an override can
never produce a policy the file itself could not).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from notifier.domain.calendar import DeadlineRule
from notifier.domain.reporting import PeriodKind, ReportDate, data_period, month_day
from notifier.errors import ConfigError
from notifier.vocab import DigestMode, PersonRole, Role
from notifier.yamlconf import describe_error, load_yaml_model

__all__ = ["DigestMode", "PeriodKind", "PersonRole", "Policy", "Role", "Weekday", "load_policy"]


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """0 for Monday .. 6 for Sunday, as ``date.weekday()``."""
        return list(Weekday).index(self)


def _parse_hhmm(value: Any) -> Any:
    """Accept "8:00", "08:00" and "08:00:00"; anything else fails as a time."""
    if isinstance(value, str):
        parts = value.strip().split(":")
        if 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts):
            hour, minute = int(parts[0]), int(parts[1])
            second = int(parts[2]) if len(parts) == 3 else 0
            if hour < 24 and minute < 60 and second < 60:
                return dt.time(hour, minute, second)
    return value


HHMM = Annotated[dt.time, BeforeValidator(_parse_hhmm)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReminderRule(_Strict):
    """A reminder N working days before the effective deadline."""

    working_days_before: int = Field(ge=1)
    to: list[Role]
    cc: list[Role] = []


class NoticeRule(_Strict):
    """The message on the deadline day."""

    enabled: bool = True
    to: list[Role] = [Role.LEAD]
    cc: list[Role] = []
    addressed_roles: list[PersonRole] | None = None


class OverdueRule(NoticeRule):
    """The first notice once the deadline has passed."""

    working_days_after: int = Field(default=1, ge=1)
    cc: list[Role] = [Role.MONITOR]


class EscalationLevel(_Strict):
    """Escalation to a higher authority after N working days overdue."""

    level: int = Field(ge=1)
    working_days_overdue: int = Field(ge=1)
    to: list[Role]
    cc: list[Role] = []
    addressed_roles: list[PersonRole] | None = None


class Escalation(_Strict):
    levels: list[EscalationLevel] = [
        EscalationLevel(level=1, working_days_overdue=2, to=[Role.MONITOR]),
        EscalationLevel(
            level=2,
            working_days_overdue=5,
            to=[Role.DIRECTING],
            cc=[Role.COMPILER],
            addressed_roles=[PersonRole.HEAD],
        ),
    ]
    repeat_every_working_days: int = Field(default=5, ge=1)
    max_repeats: int = Field(default=3, ge=0)

    @field_validator("levels")
    @classmethod
    def _ordered(cls, levels: list[EscalationLevel]) -> list[EscalationLevel]:
        days = [lv.working_days_overdue for lv in levels]
        if days != sorted(days) or len({lv.level for lv in levels}) != len(levels):
            raise ValueError("các cấp phải có số thứ tự khác nhau và working_days_overdue tăng dần")
        return levels


class ReportPeriod(_Strict):
    """One reporting cycle: its kind and when each report is due.

    ``due`` ("dd/mm") fixes the day for kinds that happen once a year (six_months,
    nine_months, year, first_half, second_half, q1-q4); ``due_next_year`` puts it in the
    following year (a yearly report due 10/01). ``day`` is the day of the period's last
    month (``in_next_month``: of the month after) for any kind; with neither, the
    reporting's ``submission_day`` of the period's last month.
    """

    period: PeriodKind
    due: str | None = Field(default=None, pattern=r"^\d{1,2}/\d{1,2}$")
    day: int | None = Field(default=None, ge=1, le=31)
    due_next_year: bool = False
    in_next_month: bool = False

    @field_validator("due")
    @classmethod
    def _real_day(cls, value: str | None) -> str | None:
        if value is None:
            return value
        day, month = (int(p) for p in value.split("/"))
        try:
            dt.date(2023, month, day)  # a non-leap year: 29/02 would vanish three years in four
        except ValueError:
            raise ValueError(
                f"'{value}' không phải là một ngày trong năm (cần dạng dd/mm)"
            ) from None
        return value

    @model_validator(mode="after")
    def _due_fits_kind(self) -> ReportPeriod:
        if self.due is not None and len(self.period.instances()) > 1:
            raise ValueError(f"'due' là một ngày mỗi năm; với kỳ {self.period} hãy dùng 'day'")
        if self.due is not None and self.day is not None:
            raise ValueError("chỉ ghi một trong hai: 'due' (dd/mm) hoặc 'day'")
        return self

    def nominal(self, year: int, n: int = 0, submission_day: int = 25) -> dt.date:
        """The nominal due date of period ``n`` of ``year``."""
        shift = 1 if self.due_next_year else 0
        if self.due is not None:
            day, month = (int(p) for p in self.due.split("/"))
            return dt.date(year + shift, month, day)
        month = self.period.last_month(n)
        due_year = year + shift
        if self.in_next_month:
            month, due_year = (1, due_year + 1) if month == 12 else (month + 1, due_year)
        return month_day(due_year, month, self.day or submission_day)

    def dates(self, year: int, submission_day: int) -> list[ReportDate]:
        """Every period of this cycle in ``year``, with its data period."""
        out = []
        for n in self.period.instances():
            start, end = data_period(self.period, year, n)
            label = self.period.label(year, n)
            out.append(ReportDate(label, self.nominal(year, n, submission_day), start, end))
        return out


class CompiledReport(_Strict):
    """The compiled status sent to the compiler after each reporting deadline."""

    enabled: bool = True
    working_days_after: int = Field(default=1, ge=1)
    to: list[Role] = [Role.COMPILER]
    cc: list[Role] = []


class Reporting(_Strict):
    periods: list[ReportPeriod] = [
        ReportPeriod(period=PeriodKind.SIX_MONTHS, due="15/06"),
        ReportPeriod(period=PeriodKind.YEAR, due="15/12"),
    ]
    # Decree 09/2019 art. 13 leaves the day to the agency asking; a period without
    # its own day is due on this day of its last month.
    submission_day: int = Field(default=25, ge=1, le=31)
    compiled_report: CompiledReport = CompiledReport()


class DigestRule(_Strict):
    """When the monitor's digest goes out: on a working day whose content changed
    (``daily_when_changed``), or once a week on ``weekday`` (the next working day of
    that week when it is a day off)."""

    mode: DigestMode = DigestMode.DAILY_WHEN_CHANGED
    weekday: Weekday = Weekday.MONDAY


class SendWindow(_Strict):
    """Messages go out on working days between ``start`` and ``end`` only."""

    start: HHMM = dt.time(7, 30)
    end: HHMM = dt.time(17, 0)

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.time, info: Any) -> dt.time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError("giờ kết thúc phải sau giờ bắt đầu")
        return end


def _default_reminders() -> list[ReminderRule]:
    return [
        ReminderRule(working_days_before=5, to=[Role.LEAD], cc=[Role.COORDINATING]),
        ReminderRule(working_days_before=2, to=[Role.LEAD]),
    ]


class Policy(_Strict):
    """Everything that decides which messages a task produces."""

    deadline_rule: DeadlineRule = DeadlineRule.NEXT_WORKING_DAY
    remind_at: HHMM = dt.time(8, 0)
    addressed_roles: list[PersonRole] = [PersonRole.HEAD, PersonRole.FOCAL_POINT]
    reminders: list[ReminderRule] = Field(default_factory=_default_reminders)
    due_today: NoticeRule = NoticeRule()
    overdue: OverdueRule = OverdueRule()
    escalation: Escalation = Escalation()
    reporting: Reporting = Reporting()
    send_window: SendWindow = SendWindow()
    no_answer_followup_working_days: int = Field(default=1, ge=0)
    digest_at: HHMM = dt.time(7, 30)
    digest: DigestRule = DigestRule()
    catch_up_after_working_days: int = Field(default=1, ge=0)
    # A task done by its extended deadline counts as on time (False: judged by the
    # deadline before the extension; reports show the extension either way).
    extensions_count: bool = True

    def merged(self, override: Mapping[str, Any], source: str = "policy override") -> Policy:
        """A copy with ``override`` deep-merged in (mappings merge, lists replace)."""
        data = _deep_merge(self.model_dump(mode="python"), override)
        try:
            return Policy.model_validate(data)
        except ValidationError as exc:
            problems = [f"{source}: {describe_error(Policy, e)}" for e in exc.errors()]
            raise ConfigError(problems) from exc


def _deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_policy(path: Path) -> Policy:
    """The policy in ``path``; a missing file gives the defaults."""
    if not path.exists():
        return Policy()
    return load_yaml_model(path, Policy)
