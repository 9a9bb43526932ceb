"""extension requests ("Xin gia hạn") and the date a bot holds while it asks the reason

Revision ID: 0011a
Revises: 0012

``extension_request`` holds each recipient's request (proposed date, reason) and the
office's decision (approved / refused, by which account, when, with what note);
``chat_session.proposed_date`` keeps the date a bot got while it asks for the reason.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import notifier.store.types

revision = "0011a"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = notifier.store.types.UTCDateTime(timezone=True)
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "extension_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("ack_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("proposed_date", sa.Date(), nullable=False),
        sa.Column("reason", text(), nullable=False),
        sa.Column("status", text(length=16), nullable=False),
        sa.Column("requested_at", utc, nullable=False),
        sa.Column("decided_at", utc, nullable=True),
        sa.Column("decided_by", text(length=64), nullable=False),
        sa.Column("decision_note", text(), nullable=False),
        sa.ForeignKeyConstraint(["ack_id"], ["acknowledgement.id"]),
        sa.ForeignKeyConstraint(["deadline_id"], ["deadline.id"]),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_extension_request_deadline_id", "extension_request", ["deadline_id"])
    op.add_column("chat_session", sa.Column("proposed_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_session") as batch_op:
        batch_op.drop_column("proposed_date")
    op.drop_index("ix_extension_request_deadline_id", table_name="extension_request")
    op.drop_table("extension_request")
