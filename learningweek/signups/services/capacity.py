"""Seats changing under people: capacity changes, an extra run for the waitlist, and the
sign-ups of a cancelled run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import ACTIVE_SIGNUP_STATUSES, NotificationKind, SignupStatus
from learningweek.core.errors import DomainError, NotAllowed
from learningweek.notifications.tidings import announce, run_label, tiding
from learningweek.schedule.models import SEAT_LIMIT_MAX, Run
from learningweek.schedule.news import ROLE_OF_STATUS, cancel_tiding
from learningweek.signups.models import Signup
from learningweek.signups.services.eligibility import clashes_of
from learningweek.signups.services.errors import SeatsWouldBeLost
from learningweek.signups.services.locking import lock_people_for, lock_runs
from learningweek.signups.services.promotion import (
    fill_free_seats,
    give_seat,
    lapse_due_offers,
)
from learningweek.signups.services.queries import holds_seat, seats_taken, waitlist_order


@dataclass
class CapacityChange:
    """What a capacity change did: who got a seat, who went back to the waitlist."""

    promoted: list[Signup]
    bumped: list[Signup]


def rebalance_seats(
    db_session: DbSession, runs: Iterable[Run], *, now: datetime, force: bool = False
) -> CapacityChange:
    """Match the people holding seats to each run's capacity after it changed.

    More seats promote as many waiting people as fit. Fewer seats than people holding
    them is refused (`SeatsWouldBeLost`) unless `force`: then the latest sign-ups go
    back to the head of the waitlist, offers first, and are told. The caller applied
    the change (room, limit or maximum) in this transaction and rolls back on refusal.
    """
    runs = [run for run in runs if run.is_placed and not run.is_cancelled]
    lock_runs(db_session, runs)
    lock_people_for(db_session, runs)
    change = CapacityChange(promoted=[], bumped=[])
    for run in runs:
        lapse_due_offers(db_session, run, now=now)
        holders = list(
            db_session.scalars(
                sa.select(Signup)
                .where(Signup.run_id == run.id, holds_seat(now))
                .order_by(
                    (Signup.status == SignupStatus.OFFERED).desc(),
                    Signup.confirmed_at.desc(),
                    Signup.id.desc(),
                )
            )
        )
        excess = len(holders) - run.capacity
        if excess <= 0:
            change.promoted += fill_free_seats(db_session, run, now=now)
            continue
        if not force:
            raise SeatsWouldBeLost(len(holders), run.capacity, run_label(run))
        for signup in holders[:excess]:
            _put_back(db_session, signup, run)
            change.bumped.append(signup)
    db_session.flush()
    return change


def _put_back(db_session: DbSession, signup: Signup, run: Run) -> None:
    """Move a seat holder back to the head of the waitlist, and tell them."""
    had_seat = signup.status == SignupStatus.CONFIRMED
    signup.wait(at_head=True)
    announce(
        db_session,
        [tiding(NotificationKind.BACK_ON_WAITLIST, signup.user, run, was_in_calendar=had_seat)],
    )


def set_seat_limit(
    db_session: DbSession,
    run: Run,
    seat_limit: int | None,
    *,
    actor: User,
    now: datetime,
    force: bool = False,
) -> CapacityChange:
    """An organizer caps this run's seats (None lifts the cap); see `rebalance_seats`."""
    if not actor.is_organizer:
        raise NotAllowed("Only organizers can change a run's seats.")
    if seat_limit is not None and not 1 <= seat_limit <= SEAT_LIMIT_MAX:
        raise DomainError(f"Choose between 1 and {SEAT_LIMIT_MAX} seats.", field="seat_limit")
    lock_runs(db_session, [run])
    run.seat_limit = seat_limit
    db_session.flush()
    return rebalance_seats(db_session, [run], now=now, force=force)


def offer_run_to_waitlist(db_session: DbSession, new_run: Run, *, now: datetime) -> list[Signup]:
    """Move the session's waiting people, in order, into a newly added run while it has
    seats; anyone it would put in a clash keeps their place. Returns who moved."""
    runs = [run for run in new_run.learning_session.runs if not run.is_cancelled]
    lock_runs(db_session, runs)
    lock_people_for(db_session, runs)
    waiting = list(
        db_session.scalars(
            sa.select(Signup)
            .where(
                Signup.session_id == new_run.session_id,
                Signup.run_id != new_run.id,
                Signup.status == SignupStatus.WAITLISTED,
            )
            .order_by(*waitlist_order())
        )
    )
    clashes = clashes_of(db_session, [signup.user_id for signup in waiting], new_run)
    free = new_run.capacity - seats_taken(db_session, new_run, now)
    moved: list[Signup] = []
    for signup in waiting:
        if len(moved) >= free:
            break
        if signup.user_id in clashes:
            continue
        signup.run_id = new_run.id
        db_session.expire(signup, ["run"])
        give_seat(db_session, signup, new_run, now=now)
        moved.append(signup)
    db_session.flush()
    return moved


def end_signups_of_cancelled_run(
    db_session: DbSession, run: Run, *, now: datetime, comment: str = "", comment_author: str
) -> int:
    """A cancelled run's sign-ups end and their people are told, with `comment_author`'s
    comment if there is one. The rows stay (as run_cancelled) so calendars can show the
    run cancelled, and their people may sign up for another run of the session. Returns
    how many ended."""
    signups = list(
        db_session.scalars(
            sa.select(Signup)
            .options(joinedload(Signup.user))
            .where(Signup.run_id == run.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
        )
    )
    news = []
    for signup in signups:
        role = ROLE_OF_STATUS[signup.status]
        signup.end(SignupStatus.RUN_CANCELLED, now)
        news.append(
            cancel_tiding(signup.user, run, role, comment=comment, comment_author=comment_author)
        )
    announce(db_session, news)
    db_session.flush()
    return len(signups)
