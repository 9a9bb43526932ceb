"""What the monitor's digest contains and when it goes out: one rule for engine and preview.

An open item belongs in the digest of a day when it is overdue or due within five
working days (:func:`digest_section`). The digest's *content* is the set of its items
with their section; under ``daily_when_changed`` a digest goes out on a working day only
when that content differs from the last digest the person got, under ``weekly`` on the
week's digest day (:func:`digest_due`). Counting days left does not make a change: a
reader needs no new message to learn that yesterday's "còn 3 ngày" is today's "còn 2".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from enum import StrEnum

from notifier.clock import VN_TZ, as_utc
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import DigestRule
from notifier.domain.status import DUE_SOON_WORKING_DAYS
from notifier.vocab import DigestMode


class Section(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"


def digest_section(
    effective: dt.date, done_at: dt.datetime | None, today: dt.date, calendar: WorkingCalendar
) -> Section | None:
    """Where an occurrence stands in the digest of ``today`` (None: not in it)."""
    if done_at is not None and as_utc(done_at).astimezone(VN_TZ).date() <= today:
        return None
    if effective < today:
        return Section.OVERDUE
    if calendar.working_days_between(today, effective) <= DUE_SOON_WORKING_DAYS:
        return Section.DUE_SOON
    return None


def digest_fingerprint(entries: Iterable[tuple[str, Section]]) -> str:
    """A short fingerprint of a digest's content: its items (by key) and their sections."""
    text = "\n".join(sorted(f"{key}\t{section}" for key, section in set(entries)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def weekly_day(today: dt.date, rule: DigestRule, calendar: WorkingCalendar) -> bool:
    """Whether ``today`` is this week's digest day: the rule's weekday, or the first
    working day after it in the same week when that day is off."""
    monday = today - dt.timedelta(days=today.weekday())
    for offset in range(rule.weekday.number, 7):
        day = monday + dt.timedelta(days=offset)
        if calendar.is_working_day(day):
            return day == today
    return False


def digest_due(
    rule: DigestRule,
    today: dt.date,
    calendar: WorkingCalendar,
    fingerprint: str,
    has_items: bool,
    last_fingerprint: str | None,
) -> bool:
    """Whether a person gets a digest today (a working day, at the digest hour)."""
    if not has_items or not calendar.is_working_day(today):
        return False
    if rule.mode == DigestMode.WEEKLY:
        return weekly_day(today, rule, calendar)
    return fingerprint != last_fingerprint
