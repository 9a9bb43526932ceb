"""link_attempt: every /start CODE, counted by the invite-code guessing limits

Revision ID: 0014
Revises: 0010

Append-only like ``login_attempt``: the limits (per chat and overall, per hour) are
counted from it, so a restart forgets nothing and several workers share one count.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import notifier.store.types

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("at", notifier.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("link_attempt") as batch_op:
        batch_op.create_index("ix_link_attempt_chat_at", ["platform", "chat_id", "at"])
        batch_op.create_index("ix_link_attempt_at", ["at"])
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER link_attempt_no_{verb.lower()} BEFORE {verb} ON link_attempt "
                "BEGIN SELECT RAISE(ABORT, 'link_attempt is append-only'); END"
            )
    else:
        op.execute(
            "CREATE TRIGGER link_attempt_append_only BEFORE UPDATE OR DELETE ON link_attempt "
            "FOR EACH ROW EXECUTE FUNCTION notifier_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS link_attempt_no_{verb}")
    else:
        op.execute("DROP TRIGGER IF EXISTS link_attempt_append_only ON link_attempt")
    with op.batch_alter_table("link_attempt") as batch_op:
        batch_op.drop_index("ix_link_attempt_at")
        batch_op.drop_index("ix_link_attempt_chat_at")
    op.drop_table("link_attempt")
