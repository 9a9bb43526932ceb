"""browser admin: plan uploads kept between check and confirm, aliases picked in the
browser, agencies created there, local calendar days

Revision ID: 0016
Revises: 0013

``plan_upload`` holds an uploaded document (random id, the account that uploaded it)
until it is imported. ``agency_alias`` holds the names a plan wrote for an agency,
picked on the upload page; ``sync`` rewrites ``agency.aliases`` from directory.yaml but
never touches this table. ``calendar_day`` holds days off and make-up working days
added on the calendar page; they override ``config/calendar.yaml`` for their date.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import notifier.store.types

revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = notifier.store.types.UTCDateTime(timezone=True)
    op.create_table(
        "agency_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agency_alias_agency_id", "agency_alias", ["agency_id"])
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "plan_upload",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_upload_account_id", "plan_upload", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_upload_account_id", table_name="plan_upload")
    op.drop_table("plan_upload")
    op.drop_table("calendar_day")
    op.drop_index("ix_agency_alias_agency_id", table_name="agency_alias")
    op.drop_table("agency_alias")
