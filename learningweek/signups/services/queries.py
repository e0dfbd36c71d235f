"""Read-only lookups: seats taken, waitlist places, who is signed up where, due offers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import ACTIVE_SIGNUP_STATUSES, SignupStatus
from learningweek.editions.models import Edition
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup


@dataclass(frozen=True)
class SeatCount:
    """A run's seats as pages show them."""

    capacity: int
    taken: int
    waiting: int

    @property
    def free(self) -> int:
        """Seats nobody holds."""
        return max(0, self.capacity - self.taken)

    @property
    def percent_taken(self) -> int:
        """How full the run is, 0 to 100, for the seat bar."""
        return 100 if self.capacity == 0 else min(100, round(100 * self.taken / self.capacity))


def holds_seat(now: datetime) -> sa.ColumnElement[bool]:
    """Confirmed, or offered and not yet expired."""
    return sa.or_(Signup.status == SignupStatus.CONFIRMED, Signup.has_open_offer(now))


def seat_counts(db_session: DbSession, runs: Iterable[Run], now: datetime) -> dict[int, SeatCount]:
    """Capacity, seats taken and people waiting for each run, in one query."""
    runs = list(runs)
    counts = {run.id: (0, 0) for run in runs}
    if runs:
        rows = db_session.execute(
            sa.select(
                Signup.run_id,
                sa.func.count().filter(holds_seat(now)),
                sa.func.count().filter(Signup.status == SignupStatus.WAITLISTED),
            )
            .where(Signup.run_id.in_(counts), Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
            .group_by(Signup.run_id)
        )
        for run_id, taken, waiting in rows:
            counts[run_id] = (taken, waiting)
    return {run.id: SeatCount(run.capacity, *counts[run.id]) for run in runs}


def seats_taken(db_session: DbSession, run: Run, now: datetime) -> int:
    """How many seats of the run are held now."""
    return db_session.execute(
        sa.select(sa.func.count()).where(Signup.run_id == run.id, holds_seat(now))
    ).scalar_one()


def waitlist_order() -> tuple[sa.ColumnExpressionArgument[Any], ...]:
    """The waitlist's order: put back by a forced shrink first, then first come."""
    return (Signup.is_bumped.desc(), Signup.queued_at, Signup.id)


def waitlist(db_session: DbSession, run: Run) -> list[Signup]:
    """The run's waiting sign-ups, in waitlist order."""
    return list(
        db_session.scalars(
            sa.select(Signup)
            .where(Signup.run_id == run.id, Signup.status == SignupStatus.WAITLISTED)
            .order_by(*waitlist_order())
        )
    )


def waitlist_positions(db_session: DbSession, run_ids: Iterable[int]) -> dict[int, int]:
    """Each waiting sign-up's place (1, 2, …) on its run's waitlist, in one query."""
    run_ids = list(run_ids)
    if not run_ids:
        return {}
    position = (
        sa.func.row_number().over(partition_by=Signup.run_id, order_by=waitlist_order())
    ).label("position")
    rows = db_session.execute(
        sa.select(Signup.id, position).where(
            Signup.run_id.in_(run_ids), Signup.status == SignupStatus.WAITLISTED
        )
    )
    return {signup_id: place for signup_id, place in rows}


def waiting_people(db_session: DbSession, runs: Iterable[Run]) -> set[int]:
    """Who waits for these runs: the people a freed seat may go to."""
    run_ids = [run.id for run in runs]
    if not run_ids:
        return set()
    return set(
        db_session.scalars(
            sa.select(Signup.user_id).where(
                Signup.run_id.in_(run_ids), Signup.status == SignupStatus.WAITLISTED
            )
        )
    )


def active_signups_of(
    db_session: DbSession, user: User, session_ids: Iterable[int]
) -> dict[int, Signup]:
    """The person's active sign-up per session, for the given sessions."""
    session_ids = list(session_ids)
    if not session_ids:
        return {}
    signups = db_session.scalars(
        sa.select(Signup).where(
            Signup.user_id == user.id,
            Signup.session_id.in_(session_ids),
            Signup.status.in_(ACTIVE_SIGNUP_STATUSES),
        )
    )
    return {signup.session_id: signup for signup in signups}


def people_signed_up(db_session: DbSession, run: Run) -> list[User]:
    """Everyone with a seat, an offer or a waitlist place in the run."""
    return list(
        db_session.scalars(
            sa.select(User)
            .join(Signup, Signup.user_id == User.id)
            .where(Signup.run_id == run.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
            .order_by(User.id)
        )
    )


def people_seated(db_session: DbSession, run: Run) -> set[int]:
    """Who has a confirmed seat in the run."""
    return set(
        db_session.scalars(
            sa.select(Signup.user_id).where(
                Signup.run_id == run.id, Signup.status == SignupStatus.CONFIRMED
            )
        )
    )


def runs_with_signups(db_session: DbSession, run_ids: Iterable[int]) -> set[int]:
    """Which of the runs hold anyone's seat, offer or waitlist place."""
    run_ids = list(run_ids)
    if not run_ids:
        return set()
    return set(
        db_session.scalars(
            sa.select(Signup.run_id)
            .where(Signup.run_id.in_(run_ids), Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
            .distinct()
        )
    )


def _is_due_offer(now: datetime) -> sa.ColumnElement[bool]:
    """An offer whose time is up but that nobody has passed on yet."""
    return sa.and_(Signup.status == SignupStatus.OFFERED, Signup.offer_expires_at <= now)


def due_offers(db_session: DbSession, run: Run, now: datetime) -> list[Signup]:
    """The run's offers whose time is up."""
    return list(
        db_session.scalars(sa.select(Signup).where(Signup.run_id == run.id, _is_due_offer(now)))
    )


def runs_with_due_offers(
    db_session: DbSession,
    now: datetime,
    *,
    edition: Edition | None = None,
    session_id: int | None = None,
    user: User | None = None,
) -> list[int]:
    """Runs holding offers whose time is up, in id order: all, or those of an edition,
    a session, or a person's offers."""
    query = sa.select(Signup.run_id).where(_is_due_offer(now))
    if edition is not None:
        query = query.join(LearningSession, LearningSession.id == Signup.session_id).where(
            LearningSession.edition_id == edition.id
        )
    if session_id is not None:
        query = query.where(Signup.session_id == session_id)
    if user is not None:
        query = query.where(Signup.user_id == user.id)
    return list(db_session.scalars(query.distinct().order_by(Signup.run_id)))
