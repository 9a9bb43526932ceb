"""bot state in its own tables (chat_session, bot_cursor); every outbox row has a role

Revision ID: 0004
Revises: 0003

The Telegram bot kept its polling offset and the message awaiting a reason in the
append-only event log; they move to tables of their own (the old events stay, as the
log is append-only). ``chat_state`` (keyed by a Telegram chat number) becomes
``chat_session`` keyed by (platform, chat id as text), for any chat platform. Outbox
rows created without a role get their kind's default role, so the column always
holds a vocab.Role.
"""

import json

import sqlalchemy as sa
from alembic import op

import notifier.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DEFAULT_ROLES = {
    "digest": "monitor",
    "compiled_report": "compiler",
    "obstacle": "directing",
    "admin_alert": "monitor",
}


def _json(value):
    if isinstance(value, str):
        return json.loads(value or "{}")
    return value or {}


def upgrade() -> None:
    utc = notifier.store.types.UTCDateTime(timezone=True)
    op.create_table(
        "chat_session",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("awaiting", sa.String(), nullable=False),
        sa.Column("notification_id", sa.Integer(), sa.ForeignKey("notification.id"), nullable=True),
        sa.Column("deadline_id", sa.Integer(), sa.ForeignKey("deadline.id"), nullable=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("message_html", sa.String(), nullable=False),
        sa.Column("expires_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("platform", "chat_id"),
    )
    op.create_table(
        "bot_cursor",
        sa.Column("bot", sa.String(length=32), nullable=False),
        sa.Column("next_update", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("bot"),
    )
    bind = op.get_bind()
    _move_chat_state(bind)
    _move_offset(bind)
    op.drop_table("chat_state")
    for kind, role in DEFAULT_ROLES.items():
        bind.execute(
            sa.text("UPDATE notification SET role = :role WHERE role = '' AND kind = :kind"),
            {"role": role, "kind": kind},
        )
    bind.execute(sa.text("UPDATE notification SET role = 'lead' WHERE role = ''"))


def _move_chat_state(bind) -> None:
    shown = {}
    events = bind.execute(
        sa.text("SELECT data FROM event WHERE kind = 'telegram.awaiting_reason' ORDER BY id")
    )
    for (data,) in events:
        data = _json(data)
        shown[(data.get("chat_id"), data.get("notification_id"))] = data
    rows = bind.execute(
        sa.text(
            "SELECT chat_id, awaiting, notification_id, deadline_id, person_id, expires_at "
            "FROM chat_state"
        )
    ).all()
    for chat_id, awaiting, notification_id, deadline_id, person_id, expires_at in rows:
        seen = shown.get((chat_id, notification_id), {})
        bind.execute(
            sa.text(
                "INSERT INTO chat_session (platform, chat_id, awaiting, notification_id, "
                "deadline_id, person_id, message_id, message_html, expires_at) VALUES "
                "('telegram', :chat, :awaiting, :n, :d, :p, :mid, :html, :exp)"
            ),
            {
                "chat": str(chat_id), "awaiting": awaiting, "n": notification_id,
                "d": deadline_id, "p": person_id, "mid": str(seen.get("message_id", "")),
                "html": str(seen.get("html", "")), "exp": expires_at,
            },
        )


def _move_offset(bind) -> None:
    row = bind.execute(
        sa.text("SELECT data, at FROM event WHERE kind = 'telegram.offset' ORDER BY id DESC")
    ).first()
    if row is None:
        return
    data, at = row
    bind.execute(
        sa.text("INSERT INTO bot_cursor (bot, next_update, updated_at) VALUES ('telegram', :o, :t)"),
        {"o": int(_json(data).get("offset", 0)), "t": at},
    )


def downgrade() -> None:
    op.create_table(
        "chat_state",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("awaiting", sa.String(), nullable=False),
        sa.Column("notification_id", sa.Integer(), sa.ForeignKey("notification.id"), nullable=True),
        sa.Column("deadline_id", sa.Integer(), sa.ForeignKey("deadline.id"), nullable=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("expires_at", notifier.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.drop_table("bot_cursor")
    op.drop_table("chat_session")
