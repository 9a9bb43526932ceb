"""Where each bot's long polling resumes (the ``bot_cursor`` table).

Saved after every handled update, so a restart resumes after the last one handled
instead of replaying it; at most the update in flight when the process died is seen
again. Any chat platform with polling uses it, under its own bot name.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from notifier.store.models import BotCursor


def load_cursor(session: Session, bot: str) -> int:
    """The next update id to ask for (0: whatever the platform holds)."""
    row = session.get(BotCursor, bot)
    return row.next_update if row is not None else 0


def save_cursor(session: Session, bot: str, next_update: int, now: datetime) -> None:
    row = session.get(BotCursor, bot) or BotCursor(bot=bot, updated_at=now)
    row.next_update, row.updated_at = next_update, now
    session.add(row)
