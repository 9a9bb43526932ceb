"""Claiming outbox rows: leases with a token, so no message is sent twice while its holder lives.

**The guarantee.** While the dispatcher that claimed a row is alive, no other
dispatcher sends that row: the one exception is a crash (or a lost database) between a
send and the commit of its outcome, after which the row is sent again once its lease
has expired (at-least-once, never lost). How:

1. *Small claims, right before sending.* A dispatcher lane claims only as many rows as it
   is about to send at once (its concurrency), never a batch that outlives a lease.
2. *Claimed or compare-and-set right before the network call.* Every claim writes
   ``claimed_by`` and a fresh random ``claim_token``. A row is claimed in the transaction
   that prepares it, committed just before its send; a row claimed in an earlier
   transaction is first checked by :func:`renew`, which updates it only ``WHERE
   status='claimed' AND claimed_by=me AND claim_token=mine``: when no row changed,
   another worker has taken it (our lease had expired) and the row is dropped. The same
   update renews the lease (``claimed_at = now``).
3. *Renewal while a send is slow.* The dispatcher renews every ``lease / 4`` while a send
   runs, and every send is cut off by its lane's timeout, at most :data:`MAX_SEND`,
   which is less than half of :data:`LEASE`: even a missed renewal cannot let a lease
   expire under a send that is still allowed to run.

PostgreSQL locks the candidates with ``FOR UPDATE SKIP LOCKED``; SQLite runs every
transaction as ``BEGIN IMMEDIATE`` and re-checks the condition in each UPDATE, counting
the rows it changed. A claim whose lease is older than :data:`LEASE` (its dispatcher
crashed) can be taken again: that is what makes delivery at-least-once.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, literal, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from notifier.clock import as_utc
from notifier.store.db import is_postgres
from notifier.store.models import Notification, RateSlot
from notifier.vocab import DeliveryStatus

LEASE = timedelta(minutes=5)
# The longest a single send may take before its lane gives up on it (lanes clamp their
# timeouts to this); LEASE must stay well above it (see the module docstring).
MAX_SEND = timedelta(minutes=2)
assert LEASE >= 2 * MAX_SEND
Status = DeliveryStatus
# The statements below name the tables' columns, not the models' attributes: the claim runs
# once per message sent, and a plain statement skips the ORM's handling of its result.
_OUTBOX = Notification.__table__  # type: ignore[attr-defined]
_ROW = _OUTBOX.c
_SLOT = RateSlot.__table__.c  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Lease:
    """One claimed row: who holds it and the token that proves it is still theirs."""

    row_id: int
    worker: str
    token: str


def _due(now: datetime, lease: timedelta):  # type: ignore[no-untyped-def]
    """Rows a dispatcher may take: pending and due, or claimed longer than the lease ago."""
    return _due_between(now, now - lease)


def _due_between(now: Any, stale_before: Any):  # type: ignore[no-untyped-def]
    """:func:`_due` of values or of bound parameters (the claim's cached statements)."""
    return or_(_planned_due(now), _left_behind(now, stale_before))


def _planned_due(now: Any):  # type: ignore[no-untyped-def]
    """Pending rows whose planned attempt has come (the lane index's range)."""
    return and_(_ROW.status == Status.PENDING, _ROW.next_attempt_at <= now)


def _left_behind(now: Any, stale_before: Any):  # type: ignore[no-untyped-def]
    """The rare others: claimed by a holder whose lease ran out, or pending and due with
    no planned attempt."""
    return or_(
        and_(_ROW.status == Status.CLAIMED, _ROW.claimed_at < stale_before),
        and_(
            _ROW.status == Status.PENDING,
            _ROW.next_attempt_at.is_(None),
            _ROW.due_at <= now,
        ),
    )


def _chat_held(now: Any):  # type: ignore[no-untyped-def]
    """The row's chat may not be written to yet (its rate slot, or a ``retry_after``):
    leave it and its chat's later rows, in order, for when the slot opens."""
    return exists().where(
        _SLOT.kind == literal("chat:") + _ROW.channel,
        _SLOT.key == _ROW.address,
        _SLOT.next_at > now,
    )


def _lane_due(now: datetime, channels: Collection[str], lease: timedelta):  # type: ignore[no-untyped-def]
    return and_(_due(now, lease), _ROW.channel.in_(list(channels)))


def held_until(
    session: Session, now: datetime, channels: Collection[str], lease: timedelta = LEASE
) -> datetime | None:
    """The earliest instant a chat with due rows on ``channels`` may be written to again."""
    query = (
        select(func.min(RateSlot.next_at))
        .select_from(Notification)
        .join(
            RateSlot,
            and_(
                _SLOT.kind == literal("chat:") + _ROW.channel,
                _SLOT.key == _ROW.address,
            ),
        )
        .where(_lane_due(now, channels, lease), _SLOT.next_at > now)
    )
    found = session.exec(query).one()
    return as_utc(found) if found is not None else None


def due_exists(
    session: Session, now: datetime, channels: Collection[str], lease: timedelta = LEASE
) -> bool:
    """Whether a row on ``channels`` could be claimed at ``now``."""
    query = select(Notification.id).where(_lane_due(now, channels, lease), ~_chat_held(now))
    return session.exec(query.limit(1)).first() is not None


def claim_leases(
    session: Session,
    worker_id: str,
    now: datetime,
    batch: int = 100,
    only: Collection[int] | None = None,
    *,
    channels: Collection[str] | None = None,
    not_channels: Collection[str] | None = None,
    lease: timedelta = LEASE,
) -> list[Lease]:
    """Claim up to ``batch`` due rows for ``worker_id``; the leases won.

    ``only`` restricts to these ids; ``channels`` / ``not_channels`` to rows whose channel
    is (not) among them (one dispatcher lane per channel). Call inside one transaction
    (``session_scope``).
    """
    statements = _claim_statements(
        tuple(channels) if channels is not None else None,
        tuple(not_channels or ()),
        only is not None,
        batch,
        is_postgres(session.get_bind()),  # type: ignore[arg-type]
    )
    params: dict[str, Any] = {"now": now, "stale_before": now - lease}
    if only is not None:
        params["only"] = list(only)
    found = list(session.execute(statements.find_left, params).scalars())
    if len(found) < batch:
        found += session.execute(statements.find_due, params).scalars().all()[: batch - len(found)]
    won: list[Lease] = []
    for row_id in found:
        token = uuid.uuid4().hex
        values = {"row_id": row_id, "worker": worker_id, "token": token, **params}
        result = session.execute(statements.take, values)
        if result.rowcount == 1:  # type: ignore[attr-defined]
            won.append(Lease(row_id, worker_id, token))
    return won


@dataclass(frozen=True)
class _ClaimStatements:
    """A lane's claim: rows left behind first (a crashed holder's, or pending without a
    planned attempt), then due pending rows in queue order, then the update that takes one."""

    find_left: Any
    find_due: Any
    take: Any


@functools.lru_cache(maxsize=128)
def _claim_statements(
    channels: tuple[str, ...] | None,
    not_channels: tuple[str, ...],
    with_only: bool,
    batch: int,
    postgres: bool,
) -> _ClaimStatements:
    """The claim's statements for one lane, built once (a dispatcher claims one row per
    message: building them each time cost more than running them). Parameters: ``now``,
    ``stale_before``, ``only``; the update also ``row_id``, ``worker``, ``token``.

    The due rows are found apart from the rare others so that the lane index
    (status, channel, next_attempt_at) yields them in order: one OR across statuses
    made SQLite sort every pending row of the outbox for each claim.
    """
    stamp = Notification.__table__.c.claimed_at.type  # type: ignore[attr-defined]
    now, stale_before = bindparam("now", type_=stamp), bindparam("stale_before", type_=stamp)

    def find(condition: Any) -> Any:
        query = (
            sa_select(_ROW.id)
            .where(condition, ~_chat_held(now))
            .order_by(_ROW.next_attempt_at, _ROW.id)
            .limit(batch)
        )
        if with_only:
            query = query.where(_ROW.id.in_(bindparam("only", expanding=True)))
        if channels is not None:
            query = query.where(_ROW.channel.in_(list(channels)))
        if not_channels:
            query = query.where(_ROW.channel.not_in(list(not_channels)))
        return query.with_for_update(skip_locked=True) if postgres else query

    take = (
        update(_OUTBOX)
        .where(_ROW.id == bindparam("row_id"))
        .where(_due_between(now, stale_before))
        .values(
            status=Status.CLAIMED,
            claimed_by=bindparam("worker"),
            claimed_at=now,
            claim_token=bindparam("token"),
        )
    )
    return _ClaimStatements(find(_left_behind(now, stale_before)), find(_planned_due(now)), take)


def claim(
    session: Session,
    worker_id: str,
    now: datetime,
    batch: int = 100,
    only: Collection[int] | None = None,
) -> list[int]:
    """Claim up to ``batch`` due rows (among ``only``); the ids won (see :func:`claim_leases`)."""
    return [lease.row_id for lease in claim_leases(session, worker_id, now, batch, only)]


def _mine(lease: Lease):  # type: ignore[no-untyped-def]
    return and_(
        _ROW.id == lease.row_id,
        _ROW.status == Status.CLAIMED,
        _ROW.claimed_by == lease.worker,
        _ROW.claim_token == lease.token,
    )


def renew(session: Session, lease: Lease, now: datetime) -> bool:
    """Compare-and-set: still ours? Then the lease restarts at ``now``; False = taken."""
    result = session.execute(update(_OUTBOX).where(_mine(lease)).values(claimed_at=now))
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def release(session: Session, lease: Lease) -> bool:
    """Give one row back (pending again, its place in the queue kept) if it is still ours."""
    result = session.execute(
        update(_OUTBOX)
        .where(_mine(lease))
        .values(status=Status.PENDING, claimed_by=None, claimed_at=None, claim_token=None)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def release_claims(session: Session, worker_id: str) -> int:
    """Give back every row ``worker_id`` still holds (clean shutdown)."""
    result = session.execute(
        update(_OUTBOX)
        .where(_ROW.status == Status.CLAIMED)
        .where(_ROW.claimed_by == worker_id)
        .values(status=Status.PENDING, claimed_by=None, claimed_at=None, claim_token=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
