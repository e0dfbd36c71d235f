"""A feed version row for every edition, so raising a version never inserts one.

Revision ID: 5e0b7d2c41a9
Revises: 83c95177b2f6
Create Date: 2026-12-02 02:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5e0b7d2c41a9"
down_revision = "83c95177b2f6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Editions made since feed versions exist got their row in the commit that made
    # them; older ones get it here. Inserting it later, in the commit of a first
    # change, checks the foreign key with a KEY SHARE lock on the edition row, which a
    # board change holding that row FOR UPDATE blocks while it waits for the insert:
    # a deadlock. Version 0 with the edition's own time is what no row meant, so no
    # feed's ETag or Last-Modified changes.
    op.execute(
        "INSERT INTO feed_versions (edition_id, version, changed_at)"
        " SELECT id, 0, updated_at FROM editions"
        " WHERE id NOT IN (SELECT edition_id FROM feed_versions)"
    )


def downgrade() -> None:
    pass  # a row at version 0 and no row read the same
