"""Sign-ups and waitlists; each edition's promotion mode; per-run seat limits.

Revision ID: deaf0ce8a8f3
Revises: 1136bc45b36e
Create Date: 2026-12-01 21:31:25.996263

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "deaf0ce8a8f3"
down_revision = "1136bc45b36e"
branch_labels = None
depends_on = None

OLD_NOTIFICATION_KINDS = (
    "proposal_accepted",
    "proposal_rejected",
    "changes_requested",
    "session_cancelled",
    "run_moved",
    "run_cancelled",
)
NEW_NOTIFICATION_KINDS = ("seat_confirmed", "seat_offered", "offer_expired", "back_on_waitlist")
ACTIVE = sa.text("status IN ('confirmed', 'offered', 'waitlisted')")


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
        "signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "confirmed",
                "waitlisted",
                "offered",
                "cancelled",
                "declined",
                "expired",
                "run_cancelled",
                name="signupstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("is_bumped", sa.Boolean(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "attendance",
            sa.Enum(
                "attended",
                "no_show",
                name="attendance",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'offered') = (offer_expires_at IS NOT NULL)",
            name=op.f("ck_signups_offer_has_expiry"),
        ),
        sa.CheckConstraint(
            "attendance IS NULL OR status = 'confirmed'",
            name=op.f("ck_signups_attendance_only_when_confirmed"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_signups_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_signups_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_signups_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signups")),
    )
    with op.batch_alter_table("signups", schema=None) as batch_op:
        batch_op.create_index("ix_signups_run_id_status", ["run_id", "status"], unique=False)
        batch_op.create_index("ix_signups_user_id_status", ["user_id", "status"], unique=False)
        batch_op.create_index(
            "uq_signups_one_active_per_session",
            ["session_id", "user_id"],
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        )

    # Existing editions keep today's behaviour: automatic promotion, offers held a day.
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "promotion_mode",
                sa.String(length=20),
                nullable=False,
                server_default="automatic",
            )
        )
        batch_op.add_column(
            sa.Column("offer_hours", sa.Integer(), nullable=False, server_default="24")
        )
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.alter_column("promotion_mode", server_default=None)
        batch_op.alter_column("offer_hours", server_default=None)
        batch_op.create_check_constraint(
            op.f("ck_editions_promotionmode"), "promotion_mode IN ('automatic', 'offer')"
        )
        batch_op.create_check_constraint(
            op.f("ck_editions_offer_hours_range"), "offer_hours BETWEEN 1 AND 168"
        )

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seat_limit", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_runs_seat_limit_range"), "seat_limit IS NULL OR seat_limit BETWEEN 1 AND 5000"
        )


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_runs_seat_limit_range"), type_="check")
        batch_op.drop_column("seat_limit")

    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_editions_offer_hours_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_editions_promotionmode"), type_="check")
        batch_op.drop_column("offer_hours")
        batch_op.drop_column("promotion_mode")

    with op.batch_alter_table("signups", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_signups_one_active_per_session", sqlite_where=ACTIVE, postgresql_where=ACTIVE
        )
        batch_op.drop_index("ix_signups_user_id_status")
        batch_op.drop_index("ix_signups_run_id_status")

    op.drop_table("signups")
    # Messages about seats cannot exist without sign-ups; the old constraint forbids them.
    kinds = ", ".join(f"'{kind}'" for kind in NEW_NOTIFICATION_KINDS)
    op.execute(f"DELETE FROM notifications WHERE kind IN ({kinds})")
    _allow_notification_kinds(OLD_NOTIFICATION_KINDS)
