"""Attendees' answers about a run and their ratings per objective."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learningweek.core.database import utcnow
from learningweek.extensions import Model

RATING_MIN = 1
RATING_MAX = 5
RATINGS = range(RATING_MIN, RATING_MAX + 1)
COMMENT_MAX_LENGTH = 2000
_RATING = f"BETWEEN {RATING_MIN} AND {RATING_MAX}"


class Feedback(Model):
    """One attendee's answer about one run.

    `user_id` exists only to keep one answer per person and let them edit it; no page
    shows it to anyone else.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "user_id"),
        sa.CheckConstraint(f"overall {_RATING}", name="overall_range"),
        sa.CheckConstraint(f"useful {_RATING}", name="useful_range"),
        sa.CheckConstraint(
            f"length(worked) <= {COMMENT_MAX_LENGTH} AND length(improve) <= {COMMENT_MAX_LENGTH}",
            name="comment_length",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique (run, user) index also serves lookups by run.
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    overall: Mapped[int]
    useful: Mapped[int]
    would_recommend: Mapped[bool]
    worked: Mapped[str] = mapped_column(sa.Text, default="")
    improve: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    objective_ratings: Mapped[list[ObjectiveRating]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Feedback {self.id} run={self.run_id}>"


class ObjectiveRating(Model):
    """How much the run helped one attendee reach one of its learning objectives."""

    __tablename__ = "objective_ratings"
    __table_args__ = (
        sa.UniqueConstraint("feedback_id", "objective_id"),
        sa.CheckConstraint(f"rating {_RATING}", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback.id", ondelete="CASCADE"))
    objective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_objectives.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int]

    feedback: Mapped[Feedback] = relationship(back_populates="objective_ratings")

    def __repr__(self) -> str:
        return f"<ObjectiveRating {self.id} objective={self.objective_id} {self.rating}>"
