"""no-answer follow-up cursor on the outbox

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import notifier.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.add_column(
            sa.Column("followup_at", notifier.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_notification_followup_at", ["followup_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_index("ix_notification_followup_at")
        batch_op.drop_column("followup_at")
