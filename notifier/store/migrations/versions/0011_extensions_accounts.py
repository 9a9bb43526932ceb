"""deadline extensions keep the original date; answers name the web account

Revision ID: 0011
Revises: 0009

``deadline.original_date`` is the effective deadline a deadline had before the office
first extended it (NULL: never extended); on-time figures and reports read it;
``deadline.original_nominal`` the plan's own date it came from.
``acknowledgement.account`` is the login of the web account that recorded an answer
or an action in the browser (empty for the bots, answer links and the CLI). Plain
``ADD COLUMN`` (no table rebuild), so the append-only triggers stay in place.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deadline", sa.Column("original_date", sa.Date(), nullable=True))
    op.add_column("deadline", sa.Column("original_nominal", sa.Date(), nullable=True))
    op.add_column(
        "acknowledgement",
        sa.Column(
            "account", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
            server_default="",
        ),
    )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("acknowledgement") as batch_op:
        batch_op.drop_column("account")
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.drop_column("original_nominal")
        batch_op.drop_column("original_date")
