"""Runs: the times a session takes place, each with a start and a room once placed."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learningweek.accounts.models import User
from learningweek.core.database import utcnow
from learningweek.core.enums import ProposalStatus
from learningweek.editions.models import Room
from learningweek.extensions import Model
from learningweek.proposals.models import LearningSession

SEAT_LIMIT_MAX = 5000


class Run(Model):
    """One time a session takes place. Unplaced while it has no start and room.

    Its id is what calendar UIDs derive from, so it is never reused or renumbered;
    `sequence` rises whenever its time or place changes after publishing.
    """

    __tablename__ = "runs"
    __table_args__ = (
        sa.CheckConstraint(
            "(starts_at IS NULL) = (room_id IS NULL)", name="placed_with_start_and_room"
        ),
        sa.CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        sa.CheckConstraint("NOT is_pinned OR starts_at IS NOT NULL", name="pinned_is_placed"),
        sa.CheckConstraint(
            f"seat_limit IS NULL OR seat_limit BETWEEN 1 AND {SEAT_LIMIT_MAX}",
            name="seat_limit_range",
        ),
        sa.Index("ix_runs_room_id_starts_at", "room_id", "starts_at"),
        # Calendar UIDs derive from the id: SQLite must never hand out a deleted one again.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_sessions.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime | None]
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id"))
    is_pinned: Mapped[bool] = mapped_column(default=False)
    # An organizer's cap for this run alone, below the session's maximum and the room.
    seat_limit: Mapped[int | None]
    sequence: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    # When its attendees were asked for feedback: set once, so nobody is asked twice.
    feedback_requested_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    learning_session: Mapped[LearningSession] = relationship(back_populates="runs")
    room: Mapped[Room | None] = relationship()
    changes: Mapped[list[RunChange]] = relationship(
        back_populates="run", order_by="RunChange.id", cascade="all, delete-orphan"
    )

    @hybrid_property
    def is_placed(self) -> bool:
        """It has a start and a room."""
        return self.starts_at is not None

    @is_placed.inplace.expression
    @classmethod
    def _is_placed_expression(cls) -> sa.ColumnElement[bool]:
        return cls.starts_at.is_not(None)

    @hybrid_property
    def is_cancelled(self) -> bool:
        """It was cancelled: it keeps its time for calendars, but holds no room."""
        return self.cancelled_at is not None

    @is_cancelled.inplace.expression
    @classmethod
    def _is_cancelled_expression(cls) -> sa.ColumnElement[bool]:
        return cls.cancelled_at.is_not(None)

    @hybrid_property
    def is_live(self) -> bool:
        """Placed, not cancelled, and its session accepted: a run people can attend.

        In SQL it names `LearningSession`, so a query must join `Run.learning_session`.
        """
        return (
            self.is_placed
            and not self.is_cancelled
            and self.learning_session.status == ProposalStatus.ACCEPTED
        )

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(
            cls.is_placed, ~cls.is_cancelled, LearningSession.status == ProposalStatus.ACCEPTED
        )

    @property
    def spot(self) -> tuple[datetime, int] | None:
        """Its start and room id once placed (a constraint sets both or neither), else None."""
        if self.starts_at is None or self.room_id is None:
            return None
        return self.starts_at, self.room_id

    @property
    def capacity(self) -> int:
        """Effective capacity: the teachers' maximum, the room's seats and any seat limit."""
        if self.room is None:
            return 0
        limits = [self.learning_session.max_participants, self.room.capacity]
        if self.seat_limit is not None:
            limits.append(self.seat_limit)
        return min(limits)

    @property
    def ends_at(self) -> datetime | None:
        """When it ends, once placed."""
        if self.starts_at is None:
            return None
        return self.starts_at + timedelta(minutes=self.learning_session.duration_minutes)

    def has_started(self, now: datetime) -> bool:
        """Placed and begun: too late to sign up or move into it, time to check people in."""
        return self.starts_at is not None and now >= self.starts_at

    def __repr__(self) -> str:
        return f"<Run {self.id} session={self.session_id} at={self.starts_at} room={self.room_id}>"


class RunChange(Model):
    """A run's move, placement or cancellation: old and new time and place, who and when."""

    __tablename__ = "run_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    old_starts_at: Mapped[datetime | None]
    old_room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="SET NULL"))
    new_starts_at: Mapped[datetime | None]
    new_room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="SET NULL"))
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    run: Mapped[Run] = relationship(back_populates="changes")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<RunChange {self.id} run={self.run_id}>"
