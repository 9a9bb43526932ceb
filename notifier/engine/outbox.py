"""Writing the outbox: idempotent inserts, cancelling, and the channel of a new row.

Every row is inserted with ``INSERT ... ON CONFLICT DO NOTHING`` on the outbox key
(occurrence, step, person, channel), never select-then-insert: a sweep that runs
twice, or two sweeps at once, create each message once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from notifier.settings import Settings
from notifier.store.facts import usable_channels
from notifier.store.models import Notification, NotificationStatus, Person

CONSOLE = "console"
# Kinds whose unanswered rows get one follow-up (issue 6 §2).
FOLLOWUP_KINDS = frozenset({"reminder", "due_today", "report_request"})


def configured_channels(settings: Settings) -> frozenset[str]:
    """Channels this installation can send on: email with an SMTP host, telegram with a token."""
    out = {CONSOLE}
    if settings.file.email.host:
        out.add("email")
    if settings.telegram_token:
        out.add("telegram")
    return frozenset(out)


def person_channels(person: Person, configured: Collection[str]) -> tuple[str, ...]:
    """The person's usable channels that are configured here, preferred first."""
    return tuple(c for c in usable_channels(person) if c in configured)


def choose_channel(person: Person, configured: Collection[str]) -> str:
    """The person's first usable configured channel; else the console (embedded default)."""
    found = person_channels(person, configured)
    return found[0] if found else CONSOLE


def next_channel(person: Person, configured: Collection[str], current: str) -> str:
    """The channel after ``current`` in the person's order (cyclic); the same if only one."""
    found = person_channels(person, configured)
    if not found:
        return CONSOLE
    if current not in found:
        return found[0]
    return found[(found.index(current) + 1) % len(found)]


def address_of(person: Person, channel: str) -> str:
    """The address a row is sent to on ``channel`` (the person key for the console)."""
    if channel == "email":
        return person.email or ""
    if channel == "telegram":
        return "" if person.telegram_chat_id is None else str(person.telegram_chat_id)
    return person.key


def new_row(
    *,
    occurrence: str,
    step: str,
    person: Person,
    channel: str,
    kind: str,
    due_at: datetime,
    now: datetime,
    **extra: Any,
) -> dict[str, Any]:
    """Every column of a new pending row (Core inserts do not apply model defaults)."""
    values: dict[str, Any] = {
        "occurrence": occurrence,
        "step": step,
        "person_id": person.id,
        "channel": channel,
        "deadline_id": None,
        "kind": kind,
        "level": 0,
        "role": "",
        "copy_only": False,
        "late": False,
        "due_at": due_at,
        "status": NotificationStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "address": address_of(person, channel),
        "subject": "",
        "body_text": "",
        "body_html": "",
        "last_error": "",
        "context": {},
        "created_at": now,
        "followup_at": None,
    }
    values.update(extra)
    return values


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows, ignoring those whose outbox key exists; returns the ids created.

    All rows must have the same keys (as :func:`new_row` makes them).
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Notification.__table__)  # type: ignore[attr-defined]
        .on_conflict_do_nothing(index_elements=["occurrence", "step", "person_id", "channel"])
        .returning(Notification.__table__.c.id)  # type: ignore[attr-defined]
    )
    # executemany on a Core connection: one cached statement, batched "insertmanyvalues"
    result = session.connection().execute(statement, list(rows))
    return [row[0] for row in result]


def cancel_pending(session: Session, deadline_id: int, reason: str) -> int:
    """Cancel the deadline's pending rows (task done, deadline moved); returns how many."""
    statement = (
        update(Notification)
        .where(
            col(Notification.deadline_id) == deadline_id,
            col(Notification.status) == NotificationStatus.PENDING,
        )
        .values(status=NotificationStatus.CANCELLED.value, last_error=reason, followup_at=None)
    )
    result = session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]
