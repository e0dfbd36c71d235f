"""Feed versions: one counter per edition, raised at each commit that changes its feeds.

Revision ID: 83c95177b2f6
Revises: 6bc033387685
Create Date: 2026-12-02 00:52:36.250000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "83c95177b2f6"
down_revision = "6bc033387685"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No rows to fill in: an edition without one is at version 0, and the feeds'
    # validators are new in shape, so no ETag a client holds can match by accident.
    op.create_table(
        "feed_versions",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_feed_versions_edition_id_editions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("edition_id", name=op.f("pk_feed_versions")),
    )


def downgrade() -> None:
    op.drop_table("feed_versions")
