"""The OAuth pair of an outside service, kept in the database so every worker shares it.

Zalo's OA refresh tokens are single-use: each refresh returns a new access token *and* a
new refresh token, and the old refresh token stops working. Two workers refreshing with
the same refresh token would burn it (the second is refused and the chain is dead until
an administrator re-authorises). So a refresh happens only here, in one transaction:

1. lock the row (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every transaction is
   ``BEGIN IMMEDIATE``, which takes the write lock at once);
2. if its ``version`` moved since the caller read it, another worker already refreshed:
   return the new pair without calling the OAuth server;
3. otherwise exchange the refresh token (the HTTP call runs while the row is locked, so
   the others wait for its result instead of racing it) and store the new pair with a
   compare-and-set ``UPDATE ... WHERE version = :read``.

One failure mode no design avoids: a crash after the OAuth server answered and before
the commit loses the new pair (the old refresh token is already burnt). The row then
holds a refused token; an administrator seeds a fresh one (``NOTIFIER_ZNS_REFRESH_TOKEN``).

The functions are synchronous (SQLAlchemy sessions); async callers run them in a thread.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from notifier.store.db import is_postgres, session_scope
from notifier.store.models import OAuthToken


@dataclass(frozen=True)
class TokenPair:
    """What an OAuth server hands out."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime | None


@dataclass(frozen=True)
class TokenState:
    """A snapshot of the row: the access token to use and the version it belongs to."""

    name: str
    access_token: str | None
    access_expires_at: datetime | None
    version: int
    refused: bool


class RefreshRefused(Exception):
    """The OAuth server refused the stored refresh token (burnt, expired or revoked)."""


def seed_hash(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode("utf-8")).hexdigest()


def _state(row: OAuthToken) -> TokenState:
    return TokenState(
        name=row.name,
        access_token=row.access_token,
        access_expires_at=row.access_expires_at,
        version=row.version,
        refused=row.refused_at is not None,
    )


def _locked(session: Session, engine: Engine, name: str) -> OAuthToken | None:
    query = select(OAuthToken).where(OAuthToken.name == name)
    if is_postgres(engine):
        query = query.with_for_update()
    return session.exec(query).first()


def seed(engine: Engine, name: str, refresh_token: str, now: datetime) -> TokenState:
    """The row for ``name``, created from ``refresh_token`` if there is none.

    The environment's token seeds the table once. It replaces the stored one only when
    that one was refused *and* the environment now holds a different token (an
    administrator minted a new one); a stale copy of the old seed never overwrites a
    working chain.
    """
    digest = seed_hash(refresh_token)
    try:
        with session_scope(engine) as session:
            row = _locked(session, engine, name)
            if row is None:
                row = OAuthToken(
                    name=name, refresh_token=refresh_token, seed_hash=digest, updated_at=now
                )
                session.add(row)
            elif row.refused_at is not None and row.seed_hash != digest:
                row.refresh_token, row.seed_hash = refresh_token, digest
                row.access_token, row.access_expires_at, row.refused_at = None, None, None
                row.version, row.updated_at = row.version + 1, now
            session.flush()
            return _state(row)
    except IntegrityError:  # another worker inserted it first: read theirs
        return load(engine, name)


def load(engine: Engine, name: str) -> TokenState:
    with Session(engine) as session:
        row = session.get(OAuthToken, name)
        if row is None:
            raise LookupError(f"no OAuth token row {name!r}; seed it first")
        return _state(row)


def refresh(
    engine: Engine,
    name: str,
    read_version: int,
    exchange: Callable[[str], TokenPair],
    now: datetime,
) -> TokenState:
    """A usable pair: the one another worker stored since ``read_version``, or a new one.

    ``exchange`` turns a refresh token into a new pair (an HTTP call) or raises
    :class:`RefreshRefused`, which is recorded on the row and re-raised.
    """
    with session_scope(engine) as session:
        row = _locked(session, engine, name)
        if row is None:
            raise LookupError(f"no OAuth token row {name!r}; seed it first")
        if row.version != read_version and row.access_token and row.refused_at is None:
            return _state(row)  # someone refreshed while we waited for the lock
        if row.refused_at is not None and row.version == read_version:
            raise RefreshRefused(f"the refresh token of {name!r} was refused before")
        try:
            pair = exchange(row.refresh_token)
        except RefreshRefused:
            row.refused_at, row.updated_at = now, now
            session.flush()
            session.commit()
            raise
        result = session.execute(
            update(OAuthToken)
            .where(OAuthToken.name == name, OAuthToken.version == row.version)  # type: ignore[arg-type]
            .values(
                access_token=pair.access_token,
                refresh_token=pair.refresh_token,
                access_expires_at=pair.access_expires_at,
                version=row.version + 1,
                updated_at=now,
                refused_at=None,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise RuntimeError(f"OAuth token {name!r} changed under a held lock")
        return TokenState(name, pair.access_token, pair.access_expires_at, row.version + 1, False)
