"""oauth_token: the Zalo OA access/refresh pair shared by every worker (ZNS)

Revision ID: 0006
Revises: 0005_accounts
"""

import sqlalchemy as sa
from alembic import op

import notifier.store.types

revision = "0006"
down_revision = "0005_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_token",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("access_token", sa.String(), nullable=True),
        sa.Column("access_expires_at", notifier.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refresh_token", sa.String(), nullable=False),
        sa.Column("seed_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", notifier.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("refused_at", notifier.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("oauth_token")
