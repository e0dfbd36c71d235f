"""Calendar feed tokens; change times of users, rooms and topics for feed validators.

Revision ID: 52f3de0acd0a
Revises: deaf0ce8a8f3
Create Date: 2026-12-01 22:06:46.097882

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "52f3de0acd0a"
down_revision = "deaf0ce8a8f3"
branch_labels = None
depends_on = None

# Each table with what its existing rows count as their last change.
CHANGE_TIMED = {"users": "created_at", "rooms": "created_at", "topics": "CURRENT_TIMESTAMP"}


def upgrade() -> None:
    op.create_table(
        "calendar_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_tokens_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_tokens_user_id")),
    )
    for table, since in CHANGE_TIMED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE {table} SET updated_at = {since}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("updated_at", nullable=False)


def downgrade() -> None:
    for table in CHANGE_TIMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
    op.drop_table("calendar_tokens")
