"""Notification kind for a run entering its teachers' calendars.

On publishing, or when a run is placed after publishing, each teacher is told and
mailed the run's invitation.

Revision ID: 9b4e2f7a6c31
Revises: 3c7a9e1d5b20
Create Date: 2026-12-02 10:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "9b4e2f7a6c31"
down_revision = "3c7a9e1d5b20"
branch_labels = None
depends_on = None

OLD_KINDS = (
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
    "signed_up",
    "waitlisted",
    "reminder",
    "signup_cancelled",
    "switched",
    "offer_accepted",
    "place_changed",
    "co_teacher_added",
    "co_teacher_removed",
    "passed_over",
    "seat_released",
    "session_withdrawn",
)
NEW_KINDS = ("run_scheduled",)


def _allow_notification_kinds(kinds: tuple[str, ...]) -> None:
    # A non-native enum is a CHECK constraint, which autogenerate does not compare.
    allowed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_notificationkind"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_notifications_notificationkind"), f"kind IN ({allowed})"
        )


def upgrade() -> None:
    _allow_notification_kinds((*OLD_KINDS, *NEW_KINDS))


def downgrade() -> None:
    # Messages of the new kind cannot be kept under the old constraint.
    allowed = ", ".join(f"'{kind}'" for kind in NEW_KINDS)
    op.execute(f"DELETE FROM notifications WHERE kind IN ({allowed})")
    _allow_notification_kinds(OLD_KINDS)
