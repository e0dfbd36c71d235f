"""Preferred half-days of sessions, which the scheduler favours.

Revision ID: 1136bc45b36e
Revises: bc5635e527ca
Create Date: 2026-12-01 21:43:09.937853

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1136bc45b36e"
down_revision = "bc5635e527ca"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server default gives existing sessions "no preference".
    with op.batch_alter_table("learning_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("preferred_half_days", sa.JSON(), server_default="[]", nullable=False)
        )


def downgrade() -> None:
    # Preferences are only a wish for the scheduler; dropping them loses no commitment.
    with op.batch_alter_table("learning_sessions", schema=None) as batch_op:
        batch_op.drop_column("preferred_half_days")
