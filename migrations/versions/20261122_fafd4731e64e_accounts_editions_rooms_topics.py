"""Accounts, editions, rooms and topics: the initial schema.

Revision ID: fafd4731e64e
Revises:
Create Date: 2026-11-22 11:36:01.744333

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "fafd4731e64e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "editions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("day_starts_at", sa.Time(), nullable=False),
        sa.Column("day_ends_at", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("proposals_open_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposals_close_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signup_opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signup_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("feedback_days", sa.Integer(), nullable=False),
        sa.Column("is_published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "day_ends_at > day_starts_at", name=op.f("ck_editions_day_grid_in_order")
        ),
        sa.CheckConstraint(
            "feedback_days BETWEEN 0 AND 90", name=op.f("ck_editions_feedback_days_range")
        ),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_editions_days_in_order")),
        sa.CheckConstraint(
            "proposals_close_at > proposals_open_at", name=op.f("ck_editions_proposal_window")
        ),
        sa.CheckConstraint(
            "signup_closes_at > signup_opens_at", name=op.f("ck_editions_signup_window")
        ),
        sa.CheckConstraint(
            "slot_minutes BETWEEN 5 AND 240", name=op.f("ck_editions_slot_minutes_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editions")),
        sa.UniqueConstraint("slug", name=op.f("uq_editions_slug")),
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "physical",
                "online",
                name="roomkind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("equipment", sa.JSON(), nullable=False),
        sa.Column("meeting_url", sa.String(length=500), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'online' OR meeting_url IS NOT NULL",
            name=op.f("ck_rooms_online_room_has_meeting_url"),
        ),
        sa.CheckConstraint("capacity BETWEEN 1 AND 5000", name=op.f("ck_rooms_capacity_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("name", name=op.f("uq_rooms_name")),
    )
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sa.UniqueConstraint("name", name=op.f("uq_topics_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_topics_slug")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("department", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_organizer", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("login_generation", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )


def downgrade() -> None:
    op.drop_table("users")
    op.drop_table("topics")
    op.drop_table("rooms")
    op.drop_table("editions")
