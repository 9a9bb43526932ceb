"""the open deadline rows of a task through an index of their own

Revision ID: 0018
Revises: 0017

``ix_deadline_open`` indexes ``task_id`` of the rows not completed (a partial index,
``completed_at IS NULL``): the digest reads the open rows it lists without reading the
done ones, however many years of them the table holds.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

WHERE = sa.text("completed_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_deadline_open",
        "deadline",
        ["task_id"],
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_deadline_open", table_name="deadline")
