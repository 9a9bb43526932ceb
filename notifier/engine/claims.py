"""Claiming outbox rows: a compare-and-set, so no two dispatchers send the same message.

PostgreSQL locks the candidates with ``FOR UPDATE SKIP LOCKED``; SQLite runs every
transaction as ``BEGIN IMMEDIATE`` and re-checks the condition in each UPDATE, counting
the rows it changed. A claim older than :data:`LEASE` (its dispatcher crashed) can be
taken again: that is what makes delivery at-least-once rather than at-most-once.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from notifier.store.db import is_postgres
from notifier.store.models import Notification
from notifier.vocab import DeliveryStatus

LEASE = timedelta(minutes=5)
Status = DeliveryStatus


def _due(now: datetime):  # type: ignore[no-untyped-def]
    """Rows a dispatcher may take: pending and due, or claimed longer than the lease ago."""
    pending_due = and_(
        col(Notification.status) == Status.PENDING,
        or_(
            col(Notification.next_attempt_at) <= now,
            and_(col(Notification.next_attempt_at).is_(None), col(Notification.due_at) <= now),
        ),
    )
    stale = and_(
        col(Notification.status) == Status.CLAIMED, col(Notification.claimed_at) < now - LEASE
    )
    return or_(pending_due, stale)


def claim(
    session: Session,
    worker_id: str,
    now: datetime,
    batch: int = 100,
    only: Collection[int] | None = None,
) -> list[int]:
    """Claim up to ``batch`` due rows for ``worker_id`` (among ``only``); the ids won.

    Call inside one transaction (``session_scope``). PostgreSQL: the candidates are
    locked with SKIP LOCKED, so two dispatchers never see the same row. SQLite: the
    transaction is BEGIN IMMEDIATE (one writer at a time) and each UPDATE re-checks the
    condition, counting the rows it changed.
    """
    query = (
        select(Notification.id)
        .where(_due(now))
        .order_by(col(Notification.next_attempt_at), col(Notification.id))
        .limit(batch)
    )
    if only is not None:
        query = query.where(col(Notification.id).in_(list(only)))
    if is_postgres(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update(skip_locked=True)
    won: list[int] = []
    for row_id in session.exec(query).all():
        assert row_id is not None
        result = session.execute(
            update(Notification)
            .where(col(Notification.id) == row_id)
            .where(_due(now))
            .values(status=Status.CLAIMED, claimed_by=worker_id, claimed_at=now)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            won.append(row_id)
    return won


def release_claims(session: Session, worker_id: str) -> int:
    """Give back every row ``worker_id`` still holds (clean shutdown)."""
    result = session.execute(
        update(Notification)
        .where(col(Notification.status) == Status.CLAIMED)
        .where(col(Notification.claimed_by) == worker_id)
        .values(status=Status.PENDING, claimed_by=None, claimed_at=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
