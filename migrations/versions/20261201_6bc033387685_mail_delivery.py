"""Mail delivery: notification state, attempts, claims; mail preferences; reminders.

Revision ID: 6bc033387685
Revises: 7c1d2e9f4a10
Create Date: 2026-12-01 23:02:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6bc033387685"
down_revision = "7c1d2e9f4a10"
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
    "feedback_request",
)
NEW_NOTIFICATION_KINDS = ("signed_up", "waitlisted", "reminder")


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
    _add_mail_preferences()
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("html_body", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("calendar_method", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("state", sa.String(length=20), nullable=False, server_default="pending")
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    # Messages from before mail delivery were read in the app; mailing them now, long
    # after the fact, would only confuse. They are marked done, and say why.
    op.execute(
        "UPDATE notifications SET state = 'sent', next_attempt_at = created_at, "
        "last_error = 'queued before mail delivery existed; shown in the app only'"
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("html_body", server_default=None)
        batch_op.alter_column("state", server_default=None)
        batch_op.alter_column("attempts", server_default=None)
        batch_op.alter_column("next_attempt_at", nullable=False)
        batch_op.create_check_constraint(
            op.f("ck_notifications_deliverystate"),
            "state IN ('pending', 'sent', 'failed', 'skipped')",
        )
        batch_op.create_check_constraint(
            op.f("ck_notifications_attempts_not_negative"), "attempts >= 0"
        )
        batch_op.create_index(
            "ix_notifications_state_next_attempt_at", ["state", "next_attempt_at"], unique=False
        )
        batch_op.create_foreign_key(
            op.f("fk_notifications_run_id_runs"), "runs", ["run_id"], ["id"], ondelete="SET NULL"
        )


def _add_mail_preferences() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in ("wants_reminder_mail", "wants_feedback_mail"):
            batch_op.add_column(
                sa.Column(column, sa.Boolean(), nullable=False, server_default=sa.true())
            )
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in ("wants_reminder_mail", "wants_feedback_mail"):
            batch_op.alter_column(column, server_default=None)
    with op.batch_alter_table("signups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_notifications_run_id_runs"), type_="foreignkey")
        batch_op.drop_index("ix_notifications_state_next_attempt_at")
        batch_op.drop_constraint(op.f("ck_notifications_attempts_not_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_notifications_deliverystate"), type_="check")
        for column in (
            "sent_at",
            "claimed_until",
            "claimed_by",
            "next_attempt_at",
            "last_error",
            "attempts",
            "state",
            "calendar_method",
            "run_id",
            "html_body",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("signups", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("wants_feedback_mail")
        batch_op.drop_column("wants_reminder_mail")
    kinds = ", ".join(f"'{kind}'" for kind in NEW_NOTIFICATION_KINDS)
    op.execute(f"DELETE FROM notifications WHERE kind IN ({kinds})")
    _allow_notification_kinds(OLD_NOTIFICATION_KINDS)
