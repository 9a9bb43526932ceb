"""where each directory record comes from; a person's phone number

Revision ID: 0013
Revises: 0011

``agency.source`` and ``agency_group.source`` say who manages the record, as
``person.source`` already does: ``config`` (directory.yaml, managed by ``sync``) or
``web`` (created or edited on the admin pages; ``sync`` leaves it alone). Existing rows
came from the file. ``person.phone`` is the number shown in the directory.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("agency", "agency_group"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "source",
                    sqlmodel.sql.sqltypes.AutoString(),
                    nullable=False,
                    server_default="config",
                )
            )
    with op.batch_alter_table("person") as batch_op:
        batch_op.add_column(sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch_op:
        batch_op.drop_column("phone")
    for table in ("agency_group", "agency"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("source")
