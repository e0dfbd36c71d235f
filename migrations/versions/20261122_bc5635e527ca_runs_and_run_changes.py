"""Runs of sessions (time, room, pin, sequence) and their change log.

Revision ID: bc5635e527ca
Revises: 10b3f75f41b5
Create Date: 2026-11-22 12:32:54.644042

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "bc5635e527ca"
down_revision = "10b3f75f41b5"
branch_labels = None
depends_on = None


OLD_NOTIFICATION_KINDS = (
    "proposal_accepted",
    "proposal_rejected",
    "changes_requested",
    "session_cancelled",
)
NEW_NOTIFICATION_KINDS = ("run_moved", "run_cancelled")


def _allow_notification_kinds(kinds: tuple[str, ...]) -> None:
    # A non-native enum is a CHECK constraint, which autogenerate does not compare.
    allowed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_notificationkind"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_notifications_notificationkind"), f"kind IN ({allowed})"
        )


def upgrade() -> None:
    _allow_notification_kinds((*OLD_NOTIFICATION_KINDS, *NEW_NOTIFICATION_KINDS))
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("is_pinned", sa.Boolean(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(starts_at IS NULL) = (room_id IS NULL)",
            name=op.f("ck_runs_placed_with_start_and_room"),
        ),
        sa.CheckConstraint(
            "NOT is_pinned OR starts_at IS NOT NULL", name=op.f("ck_runs_pinned_is_placed")
        ),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_runs_sequence_not_negative")),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_runs_room_id_rooms")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_runs_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_room_id_starts_at", ["room_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_runs_session_id"), ["session_id"], unique=False)

    op.create_table(
        "run_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("old_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("old_room_id", sa.Integer(), nullable=True),
        sa.Column("new_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("new_room_id", sa.Integer(), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_run_changes_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["new_room_id"],
            ["rooms.id"],
            name=op.f("fk_run_changes_new_room_id_rooms"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["old_room_id"],
            ["rooms.id"],
            name=op.f("fk_run_changes_old_room_id_rooms"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_changes_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_changes")),
    )
    with op.batch_alter_table("run_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_changes_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    # Messages about runs cannot exist without runs; the old constraint forbids them.
    kinds = ", ".join(f"'{kind}'" for kind in NEW_NOTIFICATION_KINDS)
    op.execute(f"DELETE FROM notifications WHERE kind IN ({kinds})")
    _allow_notification_kinds(OLD_NOTIFICATION_KINDS)
    with op.batch_alter_table("run_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_changes_run_id"))

    op.drop_table("run_changes")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_session_id"))
        batch_op.drop_index("ix_runs_room_id_starts_at")

    op.drop_table("runs")
