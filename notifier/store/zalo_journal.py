"""The Zalo bot's journal (``zalo_update``): each update written down before it is acted on.

Zalo's ``getUpdates`` has no offset: the update it hands out is gone from Zalo, so
unlike Telegram's ``bot_cursor`` there is nothing to resume from. The journal is the
copy. An update is **recorded** in its own transaction as soon as it arrives, then
**handled**: :func:`mark_handled` runs inside the transaction of what the update
changes (an answer, a link), so either both commit or neither does. A restart
handles again exactly the rows left unhandled: nothing applied twice, nothing
recorded lost. What cannot be helped: an update lost between Zalo's answer and the
record's commit, and a reply not sent when the process dies after the commit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from notifier.store.db import session_scope
from notifier.store.models import ZaloUpdate

MAX_ATTEMPTS = 3  # an update whose handling keeps failing is set aside, with its error


def message_key(payload: dict[str, Any]) -> str:
    """Zalo's message id, else a hash of the update (a redelivered webhook has the same)."""
    message = payload.get("message")
    if isinstance(message, dict) and message.get("message_id"):
        return str(message["message_id"])[:128]
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    engine: Engine, bot: str, chat_id: str, payload: dict[str, Any], now: datetime
) -> tuple[int, bool]:
    """Write the update down (committed); returns (row id, new). An update already
    recorded (a webhook delivered twice) is not written again."""
    key = message_key(payload)
    try:
        with session_scope(engine) as session:
            row = ZaloUpdate(
                bot=bot, message_key=key, chat_id=chat_id[:128], payload=payload, received_at=now
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            return row.id, True
    except IntegrityError:
        with Session(engine) as session:
            found = session.exec(
                select(ZaloUpdate).where(ZaloUpdate.bot == bot, ZaloUpdate.message_key == key)
            ).one()
            assert found.id is not None
            return found.id, False


def load(engine: Engine, row_id: int) -> ZaloUpdate | None:
    with Session(engine) as session:
        return session.get(ZaloUpdate, row_id)


def mark_handled(session: Session, row_id: int, now: datetime) -> bool:
    """Inside the caller's transaction: the update is handled (False if it already was)."""
    done = session.execute(
        update(ZaloUpdate)
        .where(col(ZaloUpdate.id) == row_id, col(ZaloUpdate.handled_at).is_(None))
        .values(handled_at=now)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def mark_failed(engine: Engine, row_id: int, error: str, now: datetime) -> None:
    """Count a failed handling; after MAX_ATTEMPTS the row is set aside (handled, with
    the error) so one bad update cannot stop the bot."""
    with session_scope(engine) as session:
        row = session.get(ZaloUpdate, row_id)
        if row is None or row.handled_at is not None:
            return
        row.attempts += 1
        row.error = error[:1000]
        if row.attempts >= MAX_ATTEMPTS:
            row.handled_at = now
        session.add(row)


def unhandled(engine: Engine, bot: str, limit: int = 100) -> list[int]:
    """Rows recorded but not handled (a crash, a failure), oldest first."""
    with Session(engine) as session:
        query = (
            select(ZaloUpdate.id)
            .where(ZaloUpdate.bot == bot, col(ZaloUpdate.handled_at).is_(None))
            .order_by(col(ZaloUpdate.id))
            .limit(limit)
        )
        return [i for i in session.exec(query).all() if i is not None]
