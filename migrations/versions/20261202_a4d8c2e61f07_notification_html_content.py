"""Notifications keep the HTML of their kind's template.

The mail wraps it in its frame; older messages (and rows written without it) keep an
empty value and their HTML is made from the text's paragraphs, as before.

Revision ID: a4d8c2e61f07
Revises: 9b4e2f7a6c31
Create Date: 2026-12-02 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a4d8c2e61f07"
down_revision = "9b4e2f7a6c31"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("html_content", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("html_content")
