"""A test message to check one address: queued like any message, read back as a result.

``notifier send-test`` and the person page both queue it here; the dispatcher sends it
(at once: tests ignore the send window) through the same channels as real messages.
The CLI dispatches the row itself; the web page lets the running service's dispatcher
take it and shows :func:`read_test_message` as it changes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from notifier.store.models import DeliveryAttempt, Notification, Person
from notifier.store.outbox import insert_rows, new_row
from notifier.vocab import DeliveryStatus, MessageKind


def queue_test_message(session: Session, person: Person, channel: str, now: datetime) -> int:
    """The id of a new pending test row for ``person`` on ``channel``, due now."""
    values = new_row(
        occurrence=f"test:{uuid.uuid4()}",
        step=MessageKind.TEST,
        person=person,
        channel=channel,
        kind=MessageKind.TEST,
        due_at=now,
        now=now,
    )
    (row_id,) = insert_rows(session, [values])
    return int(row_id)


@dataclass(frozen=True)
class TestMessageResult:
    row_id: int
    person_id: int
    channel: str  # as asked
    sent_via: str  # the channel of the last attempt ("" before the first): console if not set up
    status: DeliveryStatus
    address: str
    provider_id: str
    error: str
    next_attempt_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status != DeliveryStatus.PENDING and self.status != DeliveryStatus.CLAIMED


def read_test_message(session: Session, row_id: int) -> TestMessageResult | None:
    """What became of a test row (None if there is no such test message)."""
    row = session.get(Notification, row_id)
    if row is None or row.kind != MessageKind.TEST:
        return None
    attempt = session.exec(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.notification_id == row_id)
        .order_by(col(DeliveryAttempt.id).desc())
    ).first()
    return TestMessageResult(
        row_id=row_id,
        person_id=row.person_id,
        channel=row.channel,
        sent_via=attempt.channel if attempt is not None else "",
        status=row.status,
        address=row.address,
        provider_id=row.provider_id or "",
        error=row.last_error,
        next_attempt_at=row.next_attempt_at,
    )
