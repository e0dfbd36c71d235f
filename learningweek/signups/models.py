"""Sign-ups: a person's seat in a run, or their place on its waitlist."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learningweek.accounts.models import User
from learningweek.core.database import enum_column, utcnow
from learningweek.core.enums import ACTIVE_SIGNUP_STATUSES, Attendance, SignupStatus
from learningweek.extensions import Model
from learningweek.schedule.models import Run

_ACTIVE = "status IN ({})".format(", ".join(f"'{s.value}'" for s in sorted(ACTIVE_SIGNUP_STATUSES)))


class Signup(Model):
    """One person's sign-up for one run: confirmed, offered a seat, or waiting.

    `session_id` repeats the run's session so the database itself can hold "one
    active sign-up per person and session" with a partial unique index. Waitlist
    order is (is_bumped first, queued_at, id): people an organizer's forced shrink
    put back wait at the head, everyone else first come, first served.
    """

    __tablename__ = "signups"
    __table_args__ = (
        sa.Index(
            "uq_signups_one_active_per_session",
            "session_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text(_ACTIVE),
            postgresql_where=sa.text(_ACTIVE),
        ),
        sa.Index("ix_signups_run_id_status", "run_id", "status"),
        sa.Index("ix_signups_user_id_status", "user_id", "status"),
        sa.CheckConstraint(
            "(status = 'offered') = (offer_expires_at IS NOT NULL)", name="offer_has_expiry"
        ),
        sa.CheckConstraint(
            "attendance IS NULL OR status = 'confirmed'", name="attendance_only_when_confirmed"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[SignupStatus] = mapped_column(enum_column(SignupStatus))
    is_bumped: Mapped[bool] = mapped_column(default=False)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    attendance: Mapped[Attendance | None] = mapped_column(enum_column(Attendance))
    checked_in_at: Mapped[datetime | None]
    # When the day-before reminder went out: set once, so a second pass sends none.
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    run: Mapped[Run] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        """Holding a seat, an offer or a waitlist place."""
        return self.status in ACTIVE_SIGNUP_STATUSES

    @hybrid_method
    def has_open_offer(self, now: datetime) -> bool:
        """Offered a seat whose hold has not run out at `now`: an expired offer holds
        nothing, even before the cron job or the next write has passed it on."""
        return (
            self.status == SignupStatus.OFFERED
            and self.offer_expires_at is not None
            and now < self.offer_expires_at
        )

    @has_open_offer.expression
    @classmethod
    def _has_open_offer_expression(cls, now: datetime) -> sa.ColumnElement[bool]:
        return sa.and_(cls.status == SignupStatus.OFFERED, cls.offer_expires_at > now)

    @hybrid_property
    def counts_as_attendee(self) -> bool:
        """Held a seat and was not marked a no-show: may give feedback, counts in reports."""
        return self.status == SignupStatus.CONFIRMED and self.attendance != Attendance.NO_SHOW

    @counts_as_attendee.inplace.expression
    @classmethod
    def _counts_as_attendee_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(
            cls.status == SignupStatus.CONFIRMED,
            sa.or_(cls.attendance.is_(None), cls.attendance != Attendance.NO_SHOW),
        )

    # Status changes: each goes through `_enter`, which sets every field a status implies,
    # so no path can leave an old offer's expiry or a check-in mark behind.

    def confirm(self, now: datetime) -> None:
        """Hold a seat from `now`: no offer, not bumped, not checked in yet."""
        self._enter(SignupStatus.CONFIRMED, confirmed_at=now, offer_expires_at=None, ended_at=None)

    def offer(self, until: datetime) -> None:
        """Hold a freed seat for this person until `until`."""
        self._enter(SignupStatus.OFFERED, confirmed_at=None, offer_expires_at=until, ended_at=None)

    def wait(self, *, at_head: bool = False) -> None:
        """Wait for a seat, in line by `queued_at`; `at_head` for a seat a forced shrink took."""
        self._enter(
            SignupStatus.WAITLISTED,
            confirmed_at=None,
            offer_expires_at=None,
            ended_at=None,
            is_bumped=at_head,
        )

    def end(self, status: SignupStatus, now: datetime) -> None:
        """End the sign-up with an ended `status`; when it was confirmed and whether it was
        bumped stay, as its history."""
        if status in ACTIVE_SIGNUP_STATUSES:
            raise ValueError(f"{status} is not an ended status")
        self._enter(
            status,
            confirmed_at=self.confirmed_at,
            offer_expires_at=None,
            ended_at=now,
            is_bumped=self.is_bumped,
        )

    def mark_attendance(self, mark: Attendance | None, now: datetime) -> None:
        """Mark a confirmed attendee attended or no-show at `now`; None clears the mark."""
        self.attendance = mark
        self.checked_in_at = now if mark else None

    def _enter(
        self,
        status: SignupStatus,
        *,
        confirmed_at: datetime | None,
        offer_expires_at: datetime | None,
        ended_at: datetime | None,
        is_bumped: bool = False,
    ) -> None:
        # A new status always clears the check-in: only a confirmed seat is marked, and
        # only after the change.
        self.status = status
        self.confirmed_at = confirmed_at
        self.offer_expires_at = offer_expires_at
        self.ended_at = ended_at
        self.is_bumped = is_bumped
        self.attendance = None
        self.checked_in_at = None

    def __repr__(self) -> str:
        return f"<Signup {self.id} run={self.run_id} user={self.user_id} {self.status}>"
