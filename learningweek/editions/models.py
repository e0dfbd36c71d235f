"""Editions of the Learning Week, and the rooms and topics they use."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column

from learningweek.core.database import enum_column, utcnow
from learningweek.core.enums import Equipment, PromotionMode, RoomKind
from learningweek.extensions import Model

SLUG_MAX_LENGTH = 60
ROOM_CAPACITY_MIN = 1
ROOM_CAPACITY_MAX = 5000
SLOT_MINUTES_MIN = 5
SLOT_MINUTES_MAX = 240
FEEDBACK_DAYS_MAX = 90
OFFER_HOURS_MIN = 1
OFFER_HOURS_MAX = 168
EDITION_MAX_DAYS = 31


def programme_end(last_day: date, day_ends_at: time, time_zone: str) -> datetime:
    """When an edition's last day ends, as a UTC instant (for rows read without the ORM)."""
    return datetime.combine(last_day, day_ends_at, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


class Edition(Model):
    """One Learning Week: its days, daily time grid and windows.

    Days and the daily grid are wall-clock values in the edition's time zone; the
    windows are instants, stored in UTC.
    """

    __tablename__ = "editions"
    __table_args__ = (
        sa.CheckConstraint("last_day >= first_day", name="days_in_order"),
        sa.CheckConstraint("day_ends_at > day_starts_at", name="day_grid_in_order"),
        sa.CheckConstraint(
            f"slot_minutes BETWEEN {SLOT_MINUTES_MIN} AND {SLOT_MINUTES_MAX}",
            name="slot_minutes_range",
        ),
        sa.CheckConstraint("proposals_close_at > proposals_open_at", name="proposal_window"),
        sa.CheckConstraint("signup_closes_at > signup_opens_at", name="signup_window"),
        sa.CheckConstraint(
            f"feedback_days BETWEEN 0 AND {FEEDBACK_DAYS_MAX}", name="feedback_days_range"
        ),
        sa.CheckConstraint(
            f"offer_hours BETWEEN {OFFER_HOURS_MIN} AND {OFFER_HOURS_MAX}",
            name="offer_hours_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(SLUG_MAX_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    time_zone: Mapped[str] = mapped_column(sa.String(64))
    first_day: Mapped[date]
    last_day: Mapped[date]
    day_starts_at: Mapped[time]
    day_ends_at: Mapped[time]
    slot_minutes: Mapped[int]
    proposals_open_at: Mapped[datetime]
    proposals_close_at: Mapped[datetime]
    signup_opens_at: Mapped[datetime]
    signup_closes_at: Mapped[datetime]
    # How many days after a run ends its attendees may still give feedback.
    feedback_days: Mapped[int] = mapped_column(default=14)
    promotion_mode: Mapped[PromotionMode] = mapped_column(
        enum_column(PromotionMode), default=PromotionMode.AUTOMATIC
    )
    # How long a seat offered to the next person on a waitlist is held for them.
    offer_hours: Mapped[int] = mapped_column(default=24)
    is_published: Mapped[bool] = mapped_column(default=False)
    # Runs cancelled before this never reached a published programme or any feed.
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @hybrid_method
    def is_open_to_employees(self, now: datetime) -> bool:
        """Published, or taking proposals (or past that): employees may see it."""
        return self.is_published or self.proposals_open_at <= now

    @is_open_to_employees.expression
    @classmethod
    def _is_open_to_employees_expression(cls, now: datetime) -> sa.ColumnElement[bool]:
        return sa.or_(cls.is_published, cls.proposals_open_at <= now)

    @property
    def starts_at(self) -> datetime:
        """The first day's programme start, as a UTC instant."""
        local = datetime.combine(self.first_day, self.day_starts_at, tzinfo=self.zone)
        return local.astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        """The last day's programme end, as a UTC instant."""
        return programme_end(self.last_day, self.day_ends_at, self.time_zone)

    @property
    def day_minutes(self) -> int:
        """Length of one day's grid in minutes."""
        start, end = self.day_starts_at, self.day_ends_at
        return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)

    @property
    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [date.fromordinal(self.first_day.toordinal() + i) for i in range(count)]

    def is_proposal_window_open(self, now: datetime) -> bool:
        return self.proposals_open_at <= now < self.proposals_close_at

    def is_signup_window_open(self, now: datetime) -> bool:
        return self.signup_opens_at <= now < self.signup_closes_at

    def __repr__(self) -> str:
        return f"<Edition {self.id} {self.slug!r}>"


class Room(Model):
    """A place a run can take place in: a physical room or an online meeting room.

    An online room's capacity is the meeting tool's participant limit.
    """

    __tablename__ = "rooms"
    __table_args__ = (
        sa.CheckConstraint(
            f"capacity BETWEEN {ROOM_CAPACITY_MIN} AND {ROOM_CAPACITY_MAX}",
            name="capacity_range",
        ),
        sa.CheckConstraint(
            "kind <> 'online' OR meeting_url IS NOT NULL", name="online_room_has_meeting_url"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[RoomKind] = mapped_column(enum_column(RoomKind))
    capacity: Mapped[int]
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    equipment: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    meeting_url: Mapped[str | None] = mapped_column(sa.String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Feeds show rooms: a change must change the feeds' validators.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_online(self) -> bool:
        return self.kind == RoomKind.ONLINE

    @property
    def equipment_labels(self) -> list[str]:
        known = {tag.value: tag for tag in Equipment}
        return [known[tag].label for tag in self.equipment if tag in known]

    def __repr__(self) -> str:
        return f"<Room {self.id} {self.name!r}>"


class Topic(Model):
    """A subject area; sessions are tagged with topics and feeds are offered per topic."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(SLUG_MAX_LENGTH), unique=True)
    colour: Mapped[str] = mapped_column(sa.String(7), default="#4f6d7a")
    # Feeds list topics as categories: a change must change the feeds' validators.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Topic {self.id} {self.slug!r}>"
