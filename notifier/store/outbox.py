"""Writing the outbox: idempotent inserts, cancelling, and the channel of a new row.

Every row is inserted with ``INSERT ... ON CONFLICT DO NOTHING`` on the outbox key
(occurrence, step, person, channel), never select-then-insert: a sweep that runs
twice, or two sweeps at once, create each message once. The sweep, the services and
the dispatcher's fallback all write through here, below the engine and the answer
surfaces.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from notifier.channels.registry import configured_names
from notifier.settings import Settings
from notifier.store.addresses import address_of
from notifier.store.bulk import execute_many
from notifier.store.contexts import CONTEXT_OF_KIND, RowContext, dump_context
from notifier.store.models import Notification, Person
from notifier.vocab import DeliveryStatus, MessageKind, Role

# The role a row is addressed in when its creator has no task role to give.
DEFAULT_ROLE: dict[MessageKind, Role] = {
    MessageKind.DIGEST: Role.MONITOR,
    MessageKind.COMPILED_REPORT: Role.COMPILER,
    MessageKind.OBSTACLE: Role.DIRECTING,
    MessageKind.ADMIN_ALERT: Role.MONITOR,
}


def default_role(kind: MessageKind | str) -> Role:
    return DEFAULT_ROLE.get(MessageKind(kind), Role.LEAD)


def configured_channels(settings: Settings) -> frozenset[str]:
    """Channels this installation can send on (email with an SMTP host, Zalo or Telegram
    with a token, a plug-in when it says so), the console always."""
    return configured_names(settings)


def new_row(
    *,
    occurrence: str,
    step: str,
    person: Person,
    channel: str,
    kind: MessageKind,
    due_at: datetime,
    now: datetime,
    context: RowContext | None = None,
    stored_context: dict[str, Any] | None = None,
    role: Role | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Every column of a new pending row (Core inserts do not apply model defaults).

    ``context`` defaults to the empty context of ``kind``; ``stored_context``: it dumped
    already (:func:`dump_context`), one document the caller shares between rows;
    ``role`` defaults to the kind's default.
    """
    if stored_context is None:
        stored_context = dump_context(context or CONTEXT_OF_KIND[MessageKind(kind)]())
    values: dict[str, Any] = {
        "occurrence": occurrence,
        "step": step,
        "person_id": person.id,
        "channel": channel,
        "deadline_id": None,
        "kind": kind,
        "level": 0,
        "role": role or default_role(kind),
        "copy_only": False,
        "late": False,
        "due_at": due_at,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "address": address_of(person, channel),
        "subject": "",
        "body_text": "",
        "body_html": "",
        "last_error": "",
        "context": stored_context,
        "created_at": now,
        "followup_at": None,
    }
    values.update(extra)
    return values


def _insert(session: Session) -> Any:
    return _insert_of(session.get_bind().dialect.name)


@functools.cache
def _insert_of(dialect: str) -> Any:
    """The idempotent INSERT of outbox rows, built once per dialect."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(Notification.__table__).on_conflict_do_nothing(  # type: ignore[attr-defined]
        index_elements=["occurrence", "step", "person_id", "channel"]
    )


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows, ignoring those whose outbox key exists; returns the ids created.

    All rows must have the same keys (as :func:`new_row` makes them).
    """
    if not rows:
        return []
    statement = _insert(session).returning(Notification.__table__.c.id)  # type: ignore[attr-defined]
    # executemany on a Core connection: one cached statement, batched "insertmanyvalues"
    result = session.connection().execute(statement, list(rows))
    return [row[0] for row in result]


def insert_many(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """:func:`insert_rows` for bulk callers that only need how many were created.

    Without RETURNING the driver's own executemany runs one short statement (with it,
    SQLAlchemy renders pages of 1,000 rows into one SQL text that psycopg parses anew
    each time: most of a 2,000-row sweep's time on PostgreSQL), given the rows ready
    for the driver (:func:`notifier.store.bulk.execute_many`).
    """
    return execute_many(session.connection(), _insert(session), rows)


def cancel_pending(
    session: Session,
    reason: str,
    *,
    deadline_id: int | None = None,
    kinds: Collection[MessageKind] | None = None,
    occurrence: str | None = None,
    step: str | None = None,
) -> int:
    """Cancel pending rows (of a deadline, of some kinds, of one occurrence/step); how many.

    The one way rows are cancelled: a done task, a moved deadline, an answered reminder's
    follow-up. The no-answer check (``followup_at``) of a cancelled row is cleared too.
    """
    statement = update(Notification).where(col(Notification.status) == DeliveryStatus.PENDING)
    if deadline_id is not None:
        statement = statement.where(col(Notification.deadline_id) == deadline_id)
    if kinds is not None:
        statement = statement.where(col(Notification.kind).in_(list(kinds)))
    if occurrence is not None:
        statement = statement.where(col(Notification.occurrence) == occurrence)
    if step is not None:
        statement = statement.where(col(Notification.step) == step)
    values = {"status": DeliveryStatus.CANCELLED, "last_error": reason, "followup_at": None}
    result = session.execute(statement.values(**values))
    return int(result.rowcount)  # type: ignore[attr-defined]
