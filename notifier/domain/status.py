"""The four status buckets every official follow-up report uses, in their fixed order.

A deadline ends at 24:00 (Asia/Ho_Chi_Minh) of its effective day (Civil Code
art. 148); a task completed at that instant or before is on time.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from notifier.clock import VN_TZ, as_utc


class Bucket(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    OPEN_IN_TIME = "open_in_time"
    OPEN_OVERDUE = "open_overdue"

    @property
    def label(self) -> str:
        """The Vietnamese words reports must show."""
        return _LABELS[self]


# The digest lists open items due within this many working days ("sắp đến hạn").
DUE_SOON_WORKING_DAYS = 5


_LABELS = {
    Bucket.DONE_ON_TIME: "Đã hoàn thành đúng hạn",
    Bucket.DONE_LATE: "Đã hoàn thành quá hạn",
    Bucket.OPEN_IN_TIME: "Chưa hoàn thành, trong hạn",
    Bucket.OPEN_OVERDUE: "Chưa hoàn thành, quá hạn",
}

BUCKET_ORDER: tuple[Bucket, ...] = (
    Bucket.DONE_ON_TIME,
    Bucket.DONE_LATE,
    Bucket.OPEN_IN_TIME,
    Bucket.OPEN_OVERDUE,
)


def deadline_end(effective_deadline: dt.date) -> dt.datetime:
    """24:00 of the effective deadline in Vietnam, i.e. 00:00 of the next day."""
    return dt.datetime.combine(effective_deadline + dt.timedelta(days=1), dt.time(0), tzinfo=VN_TZ)


def bucket(effective_deadline: dt.date, done_at: dt.datetime | None, now: dt.datetime) -> Bucket:
    """Classify a task (or one reporting period of an ongoing task) at ``now``."""
    end = deadline_end(effective_deadline)
    if done_at is not None:
        return Bucket.DONE_ON_TIME if as_utc(done_at) <= end else Bucket.DONE_LATE
    return Bucket.OPEN_IN_TIME if as_utc(now) <= end else Bucket.OPEN_OVERDUE
