"""When each edition was published: feeds never show runs cancelled before then.

Revision ID: 7c1d2e9f4a10
Revises: 0ab334d6d44c
Create Date: 2026-12-01 22:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c1d2e9f4a10"
down_revision = "0ab334d6d44c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    # The last change of a published edition is the best record of when it went out.
    op.execute("UPDATE editions SET published_at = updated_at WHERE is_published")


def downgrade() -> None:
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.drop_column("published_at")
