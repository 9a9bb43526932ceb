"""a lease token on each claimed outbox row

Revision ID: 0010
Revises: 0016

``notification.claim_token`` is a random value written with every claim. The
dispatcher re-checks it (compare-and-set on ``claimed_by`` + ``claim_token``) right
before each network call and while a slow send runs, so a row whose lease expired and
was taken by another worker is dropped instead of being sent a second time.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_column("claim_token")
