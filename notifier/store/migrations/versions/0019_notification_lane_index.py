"""the due rows of one dispatcher lane, in order, through an index

Revision ID: 0019
Revises: 0018

``ix_notification_lane`` (status, channel, next_attempt_at): a lane's claim finds its
next due row by walking the index in queue order, instead of sorting every pending row
of the outbox for each message (on a busy day, thousands per claim).
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_notification_lane", "notification", ["status", "channel", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_notification_lane", table_name="notification")
