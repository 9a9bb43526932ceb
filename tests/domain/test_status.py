"""Status buckets: the four official categories, in order, with the 24:00 VN boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from notifier.clock import VN_TZ
from notifier.domain.status import BUCKET_ORDER, Bucket, bucket

DEADLINE = date(2024, 5, 2)
BEFORE = datetime(2024, 4, 30, 9, 0, tzinfo=VN_TZ)
AFTER = datetime(2024, 5, 10, 9, 0, tzinfo=VN_TZ)


def test_labels_are_the_official_words_in_the_official_order() -> None:
    assert [b.label for b in BUCKET_ORDER] == [
        "Đã hoàn thành đúng hạn",
        "Đã hoàn thành quá hạn",
        "Chưa hoàn thành, trong hạn",
        "Chưa hoàn thành, quá hạn",
    ]
    assert set(BUCKET_ORDER) == set(Bucket)


@pytest.mark.parametrize(
    ("done_at", "now", "expected"),
    [
        (datetime(2024, 5, 2, 23, 59, 59, tzinfo=VN_TZ), AFTER, Bucket.DONE_ON_TIME),
        (datetime(2024, 5, 3, 0, 0, tzinfo=VN_TZ), AFTER, Bucket.DONE_ON_TIME),  # 24:00 exactly
        (datetime(2024, 5, 3, 0, 0, 1, tzinfo=VN_TZ), AFTER, Bucket.DONE_LATE),
        # 2/5 17:30 UTC is 3/5 00:30 in Vietnam: late, although it is still 2/5 in UTC
        (datetime(2024, 5, 2, 17, 30, tzinfo=UTC), AFTER, Bucket.DONE_LATE),
        (datetime(2024, 5, 2, 16, 59, tzinfo=UTC), AFTER, Bucket.DONE_ON_TIME),
        (datetime(2024, 4, 1, 10, 0, tzinfo=VN_TZ), BEFORE, Bucket.DONE_ON_TIME),
        (None, BEFORE, Bucket.OPEN_IN_TIME),
        (None, datetime(2024, 5, 2, 23, 59, tzinfo=VN_TZ), Bucket.OPEN_IN_TIME),
        (None, datetime(2024, 5, 3, 0, 0, 1, tzinfo=VN_TZ), Bucket.OPEN_OVERDUE),
        (None, datetime(2024, 5, 2, 17, 1, tzinfo=UTC), Bucket.OPEN_OVERDUE),
        (None, AFTER, Bucket.OPEN_OVERDUE),
    ],
)
def test_bucket(done_at: datetime | None, now: datetime, expected: Bucket) -> None:
    assert bucket(DEADLINE, done_at, now) == expected


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        bucket(DEADLINE, None, datetime(2024, 5, 1, 9, 0))  # noqa: DTZ001
