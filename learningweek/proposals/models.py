"""Sessions teachers propose, with their objectives, resources, history and interest."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from learningweek.accounts.models import User
from learningweek.core.database import enum_column, utcnow
from learningweek.core.enums import (
    Level,
    ProposalStatus,
    ResourceKind,
    ResourceTiming,
    SessionFormat,
)
from learningweek.editions.models import Edition, Topic
from learningweek.extensions import Model, db
from learningweek.proposals.limits import (
    MAX_PARTICIPANTS_MAX,
    MAX_PARTICIPANTS_MIN,
    OBJECTIVE_MAX_LENGTH,
    RUNS_MAX,
    RUNS_MIN,
    TITLE_MAX_LENGTH,
)

if TYPE_CHECKING:
    from learningweek.schedule.models import Run


def _session_link_table(name: str, column: str, target: str, *extra: sa.Index) -> sa.Table:
    """A many-to-many link from sessions to `target`; a link goes when either side does."""
    return sa.Table(
        name,
        db.metadata,
        sa.Column(
            "session_id",
            sa.ForeignKey("learning_sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(column, sa.ForeignKey(target, ondelete="CASCADE"), primary_key=True),
        *extra,
    )


session_topics = _session_link_table("session_topics", "topic_id", "topics.id")
session_co_teachers = _session_link_table(
    "session_co_teachers",
    "user_id",
    "users.id",
    sa.Index("ix_session_co_teachers_user_id", "user_id"),
)


class LearningSession(Model):
    """What a teacher offers: a proposal until accepted, then a session of the programme."""

    __tablename__ = "learning_sessions"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint(
            f"max_participants BETWEEN {MAX_PARTICIPANTS_MIN} AND {MAX_PARTICIPANTS_MAX}",
            name="max_participants_range",
        ),
        sa.CheckConstraint(f"runs_offered BETWEEN {RUNS_MIN} AND {RUNS_MAX}", name="runs_range"),
        sa.Index("ix_learning_sessions_edition_status", "edition_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id"))
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX_LENGTH))
    abstract: Mapped[str] = mapped_column(sa.Text, default="")
    format: Mapped[SessionFormat] = mapped_column(enum_column(SessionFormat))
    duration_minutes: Mapped[int]
    max_participants: Mapped[int]
    runs_offered: Mapped[int] = mapped_column(default=1)
    level: Mapped[Level] = mapped_column(enum_column(Level))
    language: Mapped[str] = mapped_column(sa.String(40), default="English")
    prerequisites: Mapped[str] = mapped_column(sa.Text, default="")
    equipment: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Half-days the teachers cannot teach, as "YYYY-MM-DD am" / "YYYY-MM-DD pm".
    # Storing the exceptions keeps "available all week" true if the edition's days move.
    unavailable_half_days: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Half-days that suit the teachers best, among those they can teach; the scheduler
    # favours them last of all its aims. Empty means no preference.
    preferred_half_days: Mapped[list[str]] = mapped_column(
        sa.JSON, default=list, server_default="[]"
    )
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus), default=ProposalStatus.DRAFT
    )
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    edition: Mapped[Edition] = relationship()
    lead: Mapped[User] = relationship(foreign_keys=[lead_id])
    co_teachers: Mapped[list[User]] = relationship(
        secondary=session_co_teachers, order_by=User.display_name
    )
    topics: Mapped[list[Topic]] = relationship(secondary=session_topics, order_by=Topic.name)
    objectives: Mapped[list[LearningObjective]] = relationship(
        back_populates="learning_session",
        order_by="LearningObjective.position",
        cascade="all, delete-orphan",
    )
    resources: Mapped[list[SessionResource]] = relationship(
        back_populates="learning_session",
        order_by="SessionResource.position",
        cascade="all, delete-orphan",
    )
    events: Mapped[list[ProposalEvent]] = relationship(
        back_populates="learning_session",
        order_by="ProposalEvent.id",
        cascade="all, delete-orphan",
    )
    # Defined in the schedule feature; mapped once learningweek.models imports it.
    runs: Mapped[list[Run]] = relationship(
        back_populates="learning_session", order_by="Run.id", cascade="all, delete-orphan"
    )

    @property
    def teachers(self) -> list[User]:
        return [self.lead, *self.co_teachers]

    def __repr__(self) -> str:
        return f"<LearningSession {self.id} {self.title!r} {self.status}>"


class _PositionedPart:
    """The columns of a proposal's numbered list items: one row per (session, position)."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[sa.UniqueConstraint]:
        return (sa.UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_sessions.id", ondelete="CASCADE")
    )
    position: Mapped[int]


class LearningObjective(_PositionedPart, Model):
    """ "After this session you can …": feedback later asks whether each was met."""

    __tablename__ = "learning_objectives"

    text: Mapped[str] = mapped_column(sa.String(OBJECTIVE_MAX_LENGTH))

    learning_session: Mapped[LearningSession] = relationship(back_populates="objectives")

    def __repr__(self) -> str:
        return f"<LearningObjective {self.id} {self.text!r}>"


class SessionResource(_PositionedPart, Model):
    """A link the teacher recommends before or after the session."""

    __tablename__ = "session_resources"

    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX_LENGTH))
    url: Mapped[str] = mapped_column(sa.String(500))
    kind: Mapped[ResourceKind] = mapped_column(enum_column(ResourceKind))
    timing: Mapped[ResourceTiming] = mapped_column(enum_column(ResourceTiming))

    learning_session: Mapped[LearningSession] = relationship(back_populates="resources")

    def __repr__(self) -> str:
        return f"<SessionResource {self.id} {self.url!r}>"


class ProposalEvent(Model):
    """One entry of a proposal's history: a state change, who made it, when and why."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_sessions.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    from_status: Mapped[ProposalStatus | None] = mapped_column(
        enum_column(ProposalStatus, name="from_status")
    )
    to_status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus, name="to_status"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    by_organizer: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    learning_session: Mapped[LearningSession] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ProposalEvent {self.id} {self.from_status}->{self.to_status}>"


class Interest(Model):
    """A star: someone would like to attend. The count predicts demand before sign-up."""

    __tablename__ = "interests"

    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Interest session={self.session_id} user={self.user_id}>"
