"""the service's heartbeat; the data period of each reporting deadline

Revision ID: 0009
Revises: 0006

``heartbeat`` holds one row per running loop (the sweep writes ``sweep`` each time it
runs): a gap between two sweeps is downtime, which catch-up messages name truthfully.
``deadline.data_from`` / ``data_to`` are a reporting period's data cut-off (Decree
09/2019 art. 12), stated in each report request; existing rows keep NULL until the next
import or calendar apply fills them.
"""

import sqlalchemy as sa
from alembic import op

import notifier.store.types

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = notifier.store.types.UTCDateTime(timezone=True)
    op.create_table(
        "heartbeat",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_seen", utc, nullable=False),
        sa.Column("started_at", utc, nullable=False),
        sa.Column("horizon_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.add_column(sa.Column("data_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("data_to", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.drop_column("data_to")
        batch_op.drop_column("data_from")
    op.drop_table("heartbeat")
