"""Feedback on runs with ratings per objective; private reflections; feedback requests.

Revision ID: 0ab334d6d44c
Revises: 52f3de0acd0a
Create Date: 2026-12-01 22:31:05.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0ab334d6d44c"
down_revision = "52f3de0acd0a"
branch_labels = None
depends_on = None

OLD_NOTIFICATION_KINDS = (
    "proposal_accepted",
    "proposal_rejected",
    "changes_requested",
    "session_cancelled",
    "run_moved",
    "run_cancelled",
    "seat_confirmed",
    "seat_offered",
    "offer_expired",
    "back_on_waitlist",
)
NEW_NOTIFICATION_KINDS = ("feedback_request",)


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
        "reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("try_at_work", sa.Text(), nullable=False),
        sa.Column("practise", sa.Text(), nullable=False),
        sa.Column("ask_teacher", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_reflections_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reflections_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reflections")),
        sa.UniqueConstraint("user_id", "session_id", name=op.f("uq_reflections_user_id")),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("overall", sa.Integer(), nullable=False),
        sa.Column("useful", sa.Integer(), nullable=False),
        sa.Column("would_recommend", sa.Boolean(), nullable=False),
        sa.Column("worked", sa.Text(), nullable=False),
        sa.Column("improve", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(worked) <= 2000 AND length(improve) <= 2000",
            name=op.f("ck_feedback_comment_length"),
        ),
        sa.CheckConstraint("overall BETWEEN 1 AND 5", name=op.f("ck_feedback_overall_range")),
        sa.CheckConstraint("useful BETWEEN 1 AND 5", name=op.f("ck_feedback_useful_range")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_feedback_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_feedback_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_feedback_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("run_id", "user_id", name=op.f("uq_feedback_run_id")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_user_id"), ["user_id"], unique=False)
    op.create_table(
        "objective_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "rating BETWEEN 1 AND 5", name=op.f("ck_objective_ratings_rating_range")
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_objective_ratings_feedback_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["learning_objectives.id"],
            name=op.f("fk_objective_ratings_objective_id_learning_objectives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective_ratings")),
        sa.UniqueConstraint(
            "feedback_id", "objective_id", name=op.f("uq_objective_ratings_feedback_id")
        ),
    )
    with op.batch_alter_table("objective_ratings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objective_ratings_objective_id"), ["objective_id"], unique=False
        )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("feedback_requested_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Runs that already took place were before feedback existed: ask nobody about them.
    op.execute(
        "UPDATE runs SET feedback_requested_at = CURRENT_TIMESTAMP "
        "WHERE starts_at IS NOT NULL AND starts_at < CURRENT_TIMESTAMP"
    )


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("feedback_requested_at")
    with op.batch_alter_table("objective_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objective_ratings_objective_id"))
    op.drop_table("objective_ratings")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_user_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_session_id"))
    op.drop_table("feedback")
    op.drop_table("reflections")
    kinds = ", ".join(f"'{kind}'" for kind in NEW_NOTIFICATION_KINDS)
    op.execute(f"DELETE FROM notifications WHERE kind IN ({kinds})")
    _allow_notification_kinds(OLD_NOTIFICATION_KINDS)
