"""rate_slot: the rate limits shared by every dispatcher (per bot, per chat, per group)

Revision ID: 0017
Revises: 0011a

One row per key: the instant the next message through it may go. Kept in the database
so that several ``notifier run`` workers of one bot together stay under the platform's
limits, and a provider's ``retry_after`` for a chat holds that chat for all of them.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import notifier.store.types

revision = "0017"
down_revision = "0011a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_slot",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("next_at", notifier.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key"),
    )


def downgrade() -> None:
    op.drop_table("rate_slot")
