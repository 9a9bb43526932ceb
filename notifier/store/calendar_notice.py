"""From 1 October: is next year's Tết only the ``holidays`` package's estimate?

The government announces each year's Tết days off (and swaps) late in the year before;
the package computes them by rule. Until an admin confirms the year in
``config/calendar.yaml`` (``confirmed_years``, after adding what the announcement
changed), every deadline of that year rests on an estimate. :func:`estimate_notice` is
the sentence ``status`` shows; :func:`queue_estimate_alert` tells the admins once per
year, through the outbox like every other message.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, as_utc
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import SendWindow
from notifier.store.addresses import choose_channel
from notifier.store.contexts import NoteContext
from notifier.store.models import Person
from notifier.store.outbox import insert_rows, new_row
from notifier.textfmt import vn_date
from notifier.vocab import MessageKind

NOTICE_FROM = (10, 1)  # month, day: from 1 October the next year's schedule matters
TOPIC = "Lịch nghỉ Tết năm {year} chưa được xác nhận"


def estimate_notice(calendar: WorkingCalendar, today: date) -> str | None:
    """The notice for next year's Tết, or None (before 1 October, or confirmed)."""
    if (today.month, today.day) < NOTICE_FROM:
        return None
    year = today.year + 1
    if calendar.confirmation(year) is not None:
        return None
    days = calendar.tet_days(year)
    shown = f" ({vn_date(days[0])} – {vn_date(days[-1])})" if days else ""
    return (
        f"Lịch nghỉ Tết Nguyên Đán năm {year}{shown} mới là ước tính của gói holidays, "
        f"chưa được xác nhận theo thông báo chính thức; các thời hạn năm {year} có thể thay "
        f"đổi. Khi có thông báo, bổ sung ngày nghỉ, ngày làm bù và mục confirmed_years "
        f"(year: {year}) vào config/calendar.yaml rồi chạy `notifier calendar apply`."
    )


def queue_estimate_alert(
    session: Session,
    calendar: WorkingCalendar,
    admins: Collection[str],
    configured: Collection[str],
    now: datetime,
    window: SendWindow | None = None,
) -> int:
    """One admin alert per admin and year while the notice holds (in office hours when
    ``window`` is given); rows created."""
    today = as_utc(now).astimezone(VN_TZ).date()
    note = estimate_notice(calendar, today)
    if note is None or not admins:
        return 0
    year = today.year + 1
    people = session.exec(select(Person).where(col(Person.key).in_(list(admins)))).all()
    rows = [
        new_row(
            occurrence=f"calendar-estimate:{year}",
            step=MessageKind.ADMIN_ALERT,
            person=admin,
            channel=choose_channel(admin, configured),
            kind=MessageKind.ADMIN_ALERT,
            due_at=now,
            now=now,
            context=NoteContext(note=note, topic=TOPIC.format(year=year)),
            next_attempt_at=_opening(now, calendar, window),
        )
        for admin in people
        if admin.active
    ]
    return len(insert_rows(session, rows))


def _opening(now: datetime, calendar: WorkingCalendar, window: SendWindow | None) -> datetime:
    """``now`` inside the send window, else its next opening."""
    if window is None:
        return now
    local = as_utc(now).astimezone(VN_TZ)
    day, clock = local.date(), local.time()
    if calendar.is_working_day(day) and window.start <= clock < window.end:
        return now
    if calendar.is_working_day(day) and clock < window.start:
        return as_utc(datetime.combine(day, window.start, tzinfo=VN_TZ))
    return as_utc(datetime.combine(calendar.next_working_day(day), window.start, tzinfo=VN_TZ))
