"""sweep cursor on deadlines; chat state for the bot

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import notifier.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.add_column(
            sa.Column("processed_until", notifier.store.types.UTCDateTime(timezone=True), nullable=True)
        )
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


def downgrade() -> None:
    op.drop_table("chat_state")
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.drop_column("processed_until")
