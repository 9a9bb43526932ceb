"""Zalo bot: the person's Zalo chat, plug-in channel addresses, the update journal

Revision ID: 0012
Revises: 0014

``person.zalo_chat_id`` / ``zalo_unusable`` are the Zalo Bot chat a person linked and
why it stopped working; ``person.addresses`` / ``addresses_unusable`` (JSON objects)
hold the addresses of plug-in channels. ``zalo_update`` records each Zalo update
before the bot acts on it (Zalo's getUpdates has no offset).
"""

import sqlalchemy as sa
from alembic import op

import notifier.store.types

revision = "0012"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = notifier.store.types.UTCDateTime(timezone=True)
    with op.batch_alter_table("person") as batch_op:
        batch_op.add_column(sa.Column("zalo_chat_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("zalo_unusable", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("addresses", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column(
                "addresses_unusable", sa.JSON(), nullable=False, server_default=sa.text("'{}'")
            )
        )
        batch_op.create_index("ix_person_zalo_chat_id", ["zalo_chat_id"])
    op.create_table(
        "zalo_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bot", sa.String(length=32), nullable=False),
        sa.Column("message_key", sa.String(length=128), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", utc, nullable=False),
        sa.Column("handled_at", utc, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bot", "message_key"),
    )
    op.create_index("ix_zalo_update_handled_at", "zalo_update", ["handled_at"])


def downgrade() -> None:
    op.drop_index("ix_zalo_update_handled_at", table_name="zalo_update")
    op.drop_table("zalo_update")
    with op.batch_alter_table("person") as batch_op:
        batch_op.drop_index("ix_person_zalo_chat_id")
        batch_op.drop_column("addresses_unusable")
        batch_op.drop_column("addresses")
        batch_op.drop_column("zalo_unusable")
        batch_op.drop_column("zalo_chat_id")
