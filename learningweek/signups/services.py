"""Seats and waitlists: signing up, cancelling, switching, offers and capacity changes.

Every function takes the database session, the objects and `now`, never a request.
The rules hold under concurrency because every write locks what it decides on, in
one order, so two writers can neither overbook a run nor deadlock each other:
runs first (by id), then people (by id). PostgreSQL takes row locks; on SQLite the
caller starts the transaction with `begin_write_transaction` (write requests do so
before anything is read), which holds the database lock from BEGIN IMMEDIATE on.
Behind the locks, a partial unique index keeps one active sign-up per person and
session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession, unique_or_raise
from learningweek.core.enums import (
    ACTIVE_SIGNUP_STATUSES,
    Attendance,
    NotificationKind,
    PromotionMode,
    ProposalStatus,
    SignupStatus,
)
from learningweek.core.errors import DomainError, NotAllowed
from learningweek.core.localtime import format_local
from learningweek.editions.models import Edition
from learningweek.notifications.services import (
    queue_notification,
    with_comment,
)
from learningweek.proposals import permissions
from learningweek.proposals.models import LearningSession, session_co_teachers
from learningweek.schedule.models import SEAT_LIMIT_MAX, Run
from learningweek.signups.models import Signup


class SignupRefused(DomainError):
    """The run cannot take this person now (window, start, own session, state)."""


class ScheduleClash(DomainError):
    """The run overlaps one the person is confirmed for or teaches."""


class AlreadyDone(DomainError):
    """A repeated request (double click, replayed form): nothing changed."""

    flash_category = "info"


class SeatsWouldBeLost(DomainError):
    """A change would leave fewer seats than people holding them."""

    def __init__(self, holders: int, capacity: int, run_label: str) -> None:
        super().__init__(
            f"{holders} people hold seats in {run_label}, but it would seat only {capacity}."
        )
        self.excess = holders - capacity


@dataclass(frozen=True)
class Clash:
    """A run someone is confirmed for or teaches that overlaps the one asked about."""

    title: str
    starts_at: datetime
    teaching: bool


@dataclass(frozen=True)
class SeatCount:
    """A run's seats as pages show them."""

    capacity: int
    taken: int
    waiting: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def percent_taken(self) -> int:
        return 100 if self.capacity == 0 else min(100, round(100 * self.taken / self.capacity))


@dataclass
class CapacityChange:
    """What a capacity change did: who got a seat, who went back to the waitlist."""

    promoted: list[Signup]
    bumped: list[Signup]


# --- reading ----------------------------------------------------------------------------


def _holds_seat(now: datetime) -> sa.ColumnElement[bool]:
    """Confirmed, or offered and not yet expired: an expired offer holds nothing,
    even before the cron job or the next write has passed it on."""
    return sa.or_(
        Signup.status == SignupStatus.CONFIRMED,
        sa.and_(Signup.status == SignupStatus.OFFERED, Signup.offer_expires_at > now),
    )


def seat_counts(db_session: DbSession, runs: Iterable[Run], now: datetime) -> dict[int, SeatCount]:
    """Capacity, seats taken and people waiting for each run, in one query."""
    runs = list(runs)
    counts = {run.id: [0, 0] for run in runs}
    if runs:
        rows = db_session.execute(
            sa.select(
                Signup.run_id,
                sa.func.count().filter(_holds_seat(now)),
                sa.func.count().filter(Signup.status == SignupStatus.WAITLISTED),
            )
            .where(Signup.run_id.in_(counts), Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
            .group_by(Signup.run_id)
        )
        for run_id, taken, waiting in rows:
            counts[run_id] = [taken, waiting]
    return {run.id: SeatCount(run.capacity, *counts[run.id]) for run in runs}


def waitlist_order() -> tuple:
    """The waitlist's order: put back by a forced shrink first, then first come."""
    return (Signup.is_bumped.desc(), Signup.queued_at, Signup.id)


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
    return dict(rows.all())


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


def can_see_meeting_link(user: User, run: Run, signup: Signup | None) -> bool:
    """The link is for the run's confirmed attendees, its teachers and organizers."""
    if user.is_organizer or permissions.is_teacher(user, run.learning_session):
        return True
    return (
        signup is not None and signup.run_id == run.id and signup.status == SignupStatus.CONFIRMED
    )


def can_see_roster(user: User, learning_session: LearningSession) -> bool:
    """Rosters and check-in belong to the session's teachers and the organizers."""
    return user.is_organizer or permissions.is_teacher(user, learning_session)


def signup_refusal(run: Run, user: User, now: datetime) -> str | None:
    """Why `user` cannot sign up for `run` now, or None; pages show it in place of the button."""
    learning_session = run.learning_session
    edition = learning_session.edition
    if run.is_cancelled:
        return "This run is cancelled."
    if learning_session.status != ProposalStatus.ACCEPTED:
        return "This session is not on the programme."
    if not edition.is_published or not run.is_placed:
        return "The programme is not published yet."
    if permissions.is_teacher(user, learning_session):
        return "You teach this session."
    if now >= run.starts_at:
        return "This run has already started."
    if now < edition.signup_opens_at:
        return f"Sign-up opens {format_local(edition.signup_opens_at, edition.zone)}."
    if now >= edition.signup_closes_at:
        return f"Sign-up closed {format_local(edition.signup_closes_at, edition.zone)}."
    return None


def clashes_of(
    db_session: DbSession, user_ids: Iterable[int], run: Run, *, ignore_session: bool = True
) -> dict[int, Clash]:
    """For each person, a run they are confirmed for or teach that overlaps `run`.

    Runs of `run`'s own session are ignored when switching between them.
    """
    user_ids = list(user_ids)
    if not user_ids or not run.is_placed:
        return {}
    window_start = run.starts_at - timedelta(days=1)
    window_end = run.ends_at + timedelta(days=1)
    candidates = (
        sa.select(Run)
        .join(Run.learning_session)
        .where(
            Run.cancelled_at.is_(None),
            Run.starts_at >= window_start,
            Run.starts_at < window_end,
            LearningSession.status == ProposalStatus.ACCEPTED,
        )
        .options(joinedload(Run.learning_session))
    )
    if ignore_session:
        candidates = candidates.where(Run.session_id != run.session_id)
    # Every run these people hold a seat in or teach, in one query with the candidates.
    involved = sa.union_all(
        sa.select(Signup.run_id, Signup.user_id, sa.false().label("teaching")).where(
            Signup.user_id.in_(user_ids), Signup.status == SignupStatus.CONFIRMED
        ),
        sa.select(Run.id, LearningSession.lead_id, sa.true())
        .join(Run.learning_session)
        .where(LearningSession.lead_id.in_(user_ids)),
        sa.select(Run.id, session_co_teachers.c.user_id, sa.true())
        .join(session_co_teachers, session_co_teachers.c.session_id == Run.session_id)
        .where(session_co_teachers.c.user_id.in_(user_ids)),
    ).subquery()
    involvements = db_session.execute(
        candidates.add_columns(involved.c.user_id, involved.c.teaching).join(
            involved, involved.c.run_id == Run.id
        )
    ).all()
    teaching = [(other, user_id) for other, user_id, teaches in involvements if teaches]
    attending = [(other, user_id) for other, user_id, teaches in involvements if not teaches]
    found: dict[int, Clash] = {}
    for rows, is_teaching in ((teaching, True), (attending, False)):
        for other, user_id in rows:
            if other.id == run.id or user_id in found:
                continue
            if other.starts_at < run.ends_at and run.starts_at < other.ends_at:
                found[user_id] = Clash(other.learning_session.title, other.starts_at, is_teaching)
    return found


def clash_message(clash: Clash, edition: Edition) -> str:
    """The refusal for a clash, naming the other session and its time."""
    when = format_local(clash.starts_at, edition.zone)
    if clash.teaching:
        return f"You teach “{clash.title}” at that time ({when})."
    return f"It overlaps “{clash.title}” ({when}), which you are signed up for."


# --- locking ----------------------------------------------------------------------------
#
# One order everywhere, so no two writers wait on each other in a circle: a session's
# row, then its edition (proposal and board changes take these), then runs by id, then
# people by id. Each group is locked in one statement, and nothing after the people.


class SignupChanged(DomainError):
    """The sign-up moved to another run while this request waited; nothing changed."""


def lock_runs(db_session: DbSession, runs: Iterable[Run]) -> None:
    """Re-read runs under a lock, in id order, with what their capacity depends on."""
    runs = list(runs)
    if not runs:
        return
    # The session, its edition and the room come in the same statement, read afresh
    # like the runs; only the runs' rows are locked.
    db_session.execute(
        sa.select(Run)
        .where(Run.id.in_([run.id for run in runs]))
        .order_by(Run.id)
        .options(
            joinedload(Run.learning_session).joinedload(LearningSession.edition),
            joinedload(Run.room),
        )
        .with_for_update(of=Run)
        .execution_options(populate_existing=True)
    ).unique().all()


def _lock_people(db_session: DbSession, user_ids: Iterable[int]) -> None:
    """Lock people in id order: a person's seats are decided one transaction at a time,
    so a promotion and their own sign-up elsewhere cannot both put them in a clash."""
    ids = sorted(set(user_ids))
    if ids:
        db_session.execute(
            sa.select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update()
        ).all()


def _waiting_people(db_session: DbSession, runs: Iterable[Run]) -> set[int]:
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


def _due_offers(db_session: DbSession, run: Run, now: datetime) -> list[Signup]:
    return list(
        db_session.scalars(
            sa.select(Signup).where(
                Signup.run_id == run.id,
                Signup.status == SignupStatus.OFFERED,
                Signup.offer_expires_at <= now,
            )
        )
    )


def _lock_signup(db_session: DbSession, signup: Signup, *also: Run) -> Signup:
    """Lock the sign-up's run (and `also`), then re-read the sign-up under the lock."""
    run = signup.run
    lock_runs(db_session, [run, *also])
    signup = db_session.execute(
        sa.select(Signup)
        .where(Signup.id == signup.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if signup.run_id != run.id:
        raise SignupChanged("Your sign-up changed a moment ago; look at it again and retry.")
    return signup


def _taken(db_session: DbSession, run: Run, now: datetime) -> int:
    return db_session.scalar(
        sa.select(sa.func.count()).where(Signup.run_id == run.id, _holds_seat(now))
    )


def _waitlist(db_session: DbSession, run: Run) -> list[Signup]:
    return list(
        db_session.scalars(
            sa.select(Signup)
            .where(Signup.run_id == run.id, Signup.status == SignupStatus.WAITLISTED)
            .order_by(*waitlist_order())
        )
    )


# --- telling people ---------------------------------------------------------------------


def _tell(
    db_session: DbSession,
    user: User,
    kind: NotificationKind,
    run: Run,
    subject: str,
    body: str,
    *,
    invitation: str | None = None,
) -> None:
    """Queue a message about a run; `invitation` (REQUEST or CANCEL) attaches the run's."""
    queue_notification(
        db_session,
        recipient=user,
        kind=kind,
        subject=subject,
        body=body,
        session_id=run.session_id,
        run_id=run.id if invitation else None,
        calendar_method=invitation,
    )


def _run_label(run: Run) -> str:
    learning_session = run.learning_session
    when = format_local(run.starts_at, learning_session.edition.zone)
    return f"“{learning_session.title}” on {when}"


def _give_seat(db_session: DbSession, signup: Signup, run: Run, *, now: datetime) -> None:
    """Hand a freed seat to a waiting person, as the edition's promotion mode says."""
    edition = run.learning_session.edition
    signup.is_bumped = False
    if edition.promotion_mode == PromotionMode.OFFER:
        signup.status = SignupStatus.OFFERED
        signup.offer_expires_at = now + timedelta(hours=edition.offer_hours)
        until = format_local(signup.offer_expires_at, edition.zone)
        _tell(
            db_session,
            signup.user,
            NotificationKind.SEAT_OFFERED,
            run,
            f"A seat is free for you: {run.learning_session.title}",
            f"A seat in {_run_label(run)} is held for you until {until}. Accept or "
            "decline it on your agenda. If you do nothing, it passes to the next person "
            "waiting.",
        )
    else:
        signup.status = SignupStatus.CONFIRMED
        signup.confirmed_at = now
        _tell(
            db_session,
            signup.user,
            NotificationKind.SEAT_CONFIRMED,
            run,
            f"You are in: {run.learning_session.title}",
            f"A seat freed up in {_run_label(run)} and it is yours: you are signed up.",
            invitation="REQUEST",
        )


def _fill_free_seats(db_session: DbSession, run: Run, *, now: datetime) -> list[Signup]:
    """Give free seats to the earliest waiting people who would not be put in a clash.

    People who would clash keep their place. The caller holds the run's lock and the
    locks of everyone waiting for it.
    """
    if run.is_cancelled or not run.is_placed or now >= run.starts_at:
        return []
    free = run.capacity - _taken(db_session, run, now)
    if free <= 0:
        return []
    waiting = _waitlist(db_session, run)
    clashes = clashes_of(db_session, [signup.user_id for signup in waiting], run)
    promoted = []
    for signup in waiting:
        if len(promoted) == free:
            break
        if signup.user_id in clashes:
            continue
        _give_seat(db_session, signup, run, now=now)
        promoted.append(signup)
    db_session.flush()
    return promoted


def _lapse_due_offers(db_session: DbSession, run: Run, *, now: datetime) -> None:
    """End the run's offers whose time is up and tell their people. Caller holds the lock."""
    for signup in _due_offers(db_session, run, now):
        signup.status = SignupStatus.EXPIRED
        signup.offer_expires_at = None
        signup.ended_at = now
        _tell(
            db_session,
            signup.user,
            NotificationKind.OFFER_EXPIRED,
            run,
            f"Your held seat has passed on: {run.learning_session.title}",
            f"The seat held for you in {_run_label(run)} was not accepted in time and "
            "has passed to the next person waiting.",
        )
    db_session.flush()


def _settle(db_session: DbSession, run: Run, *, now: datetime) -> list[Signup]:
    """Lapse due offers and hand free seats on; returns who got one. Caller holds locks."""
    _lapse_due_offers(db_session, run, now=now)
    return _fill_free_seats(db_session, run, now=now)


def _lock_people_for(db_session: DbSession, runs: Iterable[Run], *, people: Iterable[int] = ()):
    """Lock `people` and everyone a seat in `runs` may go to now (after their locks)."""
    _lock_people(db_session, {*people, *_waiting_people(db_session, runs)})


# --- signing up and cancelling ----------------------------------------------------------


def sign_up(db_session: DbSession, run: Run, user: User, *, now: datetime) -> Signup:
    """Take a seat in the run, or a place on its waitlist when it is full.

    Refused outside the sign-up window, once the run started, for its teachers, for a
    cancelled or unpublished run, and when it overlaps a run the person is confirmed
    for or teaches. A repeat of the same request changes nothing (`AlreadyDone`).
    Offers of this run that ran out are passed on first: waiting people come first.
    """
    lock_runs(db_session, [run])
    has_due_offers = bool(_due_offers(db_session, run, now))
    _lock_people_for(db_session, [run] if has_due_offers else [], people=[user.id])
    if has_due_offers:
        _settle(db_session, run, now=now)
    refusal = signup_refusal(run, user, now)
    if refusal:
        raise SignupRefused(refusal)
    existing = active_signups_of(db_session, user, [run.session_id]).get(run.session_id)
    if existing is not None:
        if existing.run_id == run.id:
            raise AlreadyDone(_already_text(existing))
        raise SignupRefused(
            "You are already signed up for another run of this session; switch to this "
            "one from there instead."
        )
    clash = clashes_of(db_session, [user.id], run).get(user.id)
    if clash:
        raise ScheduleClash(clash_message(clash, run.learning_session.edition))
    taken, last_queued = db_session.execute(
        sa.select(
            sa.func.count().filter(_holds_seat(now)),
            sa.func.max(Signup.queued_at).filter(Signup.status == SignupStatus.WAITLISTED),
        ).where(Signup.run_id == run.id)
    ).one()
    has_seat = taken < run.capacity
    # Under the run's lock, whoever comes later queues later, whatever the clock said
    # when their request began: the place they are told below stays theirs.
    queued_at = now if has_seat or last_queued is None else max(now, last_queued)
    signup = Signup(
        run_id=run.id,
        session_id=run.session_id,
        user_id=user.id,
        status=SignupStatus.CONFIRMED if has_seat else SignupStatus.WAITLISTED,
        queued_at=queued_at,
        confirmed_at=now if has_seat else None,
        created_at=now,
    )
    # Locks serialise one person's requests; the index catches any path that skips them.
    with unique_or_raise(db_session, AlreadyDone("You are already signed up for this session.")):
        db_session.add(signup)
    if has_seat:
        _tell(
            db_session,
            user,
            NotificationKind.SIGNED_UP,
            run,
            f"You are signed up: {run.learning_session.title}",
            f"You have a seat in {_run_label(run)}. Cancel on your agenda if you cannot come, "
            "so the seat goes to someone waiting.",
            invitation="REQUEST",
        )
    else:
        position = waitlist_positions(db_session, [run.id]).get(signup.id)
        _tell(
            db_session,
            user,
            NotificationKind.WAITLISTED,
            run,
            f"On the waitlist: {run.learning_session.title}",
            f"{_run_label(run)} is full; you are number {position} on its waitlist. If a "
            "seat frees up you will hear from us.",
        )
    return signup


def _already_text(signup: Signup) -> str:
    """What a repeated sign-up request is told, by where the person already is."""
    if signup.status == SignupStatus.WAITLISTED:
        return "You are already on the waitlist for this run."
    if signup.status == SignupStatus.OFFERED:
        return "A seat in this run is already held for you: accept it on your agenda."
    return "You already have a seat in this run."


def _check_own(signup: Signup, actor: User) -> None:
    if signup.user_id != actor.id and not actor.is_organizer:
        raise NotAllowed("This is not your sign-up.")


def cancel_signup(
    db_session: DbSession, signup: Signup, *, actor: User, now: datetime
) -> list[Signup]:
    """Give up a seat or a waitlist place; a freed seat goes to the next person waiting.

    Returns whoever got a seat. Cancelling twice changes nothing (`AlreadyDone`).
    """
    _check_own(signup, actor)
    signup = _lock_signup(db_session, signup)
    run = signup.run
    if not signup.is_active:
        raise AlreadyDone("This sign-up is already cancelled.")
    if run.is_placed and now >= run.starts_at:
        raise SignupRefused("This run has already started.")
    _lock_people_for(db_session, [run])
    _end(signup, SignupStatus.CANCELLED, now)
    db_session.flush()
    return _settle(db_session, run, now=now)


def _end(signup: Signup, status: SignupStatus, now: datetime) -> None:
    signup.status = status
    signup.offer_expires_at = None
    signup.attendance = None
    signup.checked_in_at = None
    signup.ended_at = now


def switch_run(
    db_session: DbSession, signup: Signup, target: Run, *, actor: User, now: datetime
) -> list[Signup]:
    """Move a sign-up to another run of the same session, in one step.

    The old seat is kept until the new one is secured: when the other run has no free
    seat, nothing changes. Returns whoever got the freed seat.
    """
    _check_own(signup, actor)
    source = signup.run
    if target.session_id != source.session_id or target.id == source.id:
        raise SignupRefused("Choose another run of the same session.")
    signup = _lock_signup(db_session, signup, target)
    if not signup.is_active:
        raise AlreadyDone("This sign-up is no longer active.")
    if source.is_placed and now >= source.starts_at:
        raise SignupRefused("Your run has already started, so it cannot be switched.")
    _lock_people_for(db_session, [source, target], people=[signup.user_id])
    _settle(db_session, target, now=now)
    refusal = signup_refusal(target, signup.user, now)
    if refusal:
        raise SignupRefused(refusal)
    clash = clashes_of(db_session, [signup.user_id], target).get(signup.user_id)
    if clash:
        raise ScheduleClash(clash_message(clash, target.learning_session.edition))
    if _taken(db_session, target, now) >= target.capacity:
        raise SignupRefused("The other run has no free seat, so you keep your place in this one.")
    signup.run_id = target.id
    signup.status = SignupStatus.CONFIRMED
    signup.confirmed_at = now
    signup.offer_expires_at = None
    signup.is_bumped = False
    signup.attendance = None
    signup.checked_in_at = None
    db_session.flush()
    db_session.expire(signup, ["run"])
    return _settle(db_session, source, now=now)


def accept_offer(db_session: DbSession, signup: Signup, *, actor: User, now: datetime) -> None:
    """Take the seat held for you, while the offer lasts."""
    if signup.user_id != actor.id:
        raise NotAllowed("This offer is for someone else.")
    signup = _lock_signup(db_session, signup)
    run = signup.run
    if signup.status == SignupStatus.CONFIRMED:
        raise AlreadyDone("You already have this seat.")
    if signup.status != SignupStatus.OFFERED or signup.offer_expires_at <= now:
        raise SignupRefused("This offer has expired; the seat goes to the next person waiting.")
    if run.is_cancelled or now >= run.starts_at:
        raise SignupRefused("This run is cancelled or has started.")
    _lock_people(db_session, [signup.user_id])
    clash = clashes_of(db_session, [signup.user_id], run).get(signup.user_id)
    if clash:
        raise ScheduleClash(
            clash_message(clash, run.learning_session.edition)
            + " Cancel that one first, or decline this offer."
        )
    signup.status = SignupStatus.CONFIRMED
    signup.offer_expires_at = None
    signup.confirmed_at = now
    db_session.flush()


def decline_offer(
    db_session: DbSession, signup: Signup, *, actor: User, now: datetime
) -> list[Signup]:
    """Turn down a held seat; it passes to the next person waiting."""
    if signup.user_id != actor.id:
        raise NotAllowed("This offer is for someone else.")
    signup = _lock_signup(db_session, signup)
    run = signup.run
    if signup.status != SignupStatus.OFFERED:
        raise AlreadyDone("There is no open offer to decline.")
    _lock_people_for(db_session, [run])
    _end(signup, SignupStatus.DECLINED, now)
    db_session.flush()
    return _settle(db_session, run, now=now)


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
    query = sa.select(Signup.run_id).where(
        Signup.status == SignupStatus.OFFERED, Signup.offer_expires_at <= now
    )
    if edition is not None:
        query = query.join(LearningSession, LearningSession.id == Signup.session_id).where(
            LearningSession.edition_id == edition.id
        )
    if session_id is not None:
        query = query.where(Signup.session_id == session_id)
    if user is not None:
        query = query.where(Signup.user_id == user.id)
    return list(db_session.scalars(query.distinct().order_by(Signup.run_id)))


def pass_on_due_offers(db_session: DbSession, run: Run, *, now: datetime) -> int:
    """End the run's offers whose time is up and hand their seats to the next people
    waiting (the cron command and pages that show the run). Returns how many ended."""
    lock_runs(db_session, [run])
    due = len(_due_offers(db_session, run, now))
    if due:
        _lock_people_for(db_session, [run])
        _settle(db_session, run, now=now)
    return due


# --- capacity ---------------------------------------------------------------------------


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
    _lock_people_for(db_session, runs)
    change = CapacityChange(promoted=[], bumped=[])
    for run in runs:
        _lapse_due_offers(db_session, run, now=now)
        holders = list(
            db_session.scalars(
                sa.select(Signup)
                .where(Signup.run_id == run.id, _holds_seat(now))
                .order_by(
                    (Signup.status == SignupStatus.OFFERED).desc(),
                    Signup.confirmed_at.desc(),
                    Signup.id.desc(),
                )
            )
        )
        excess = len(holders) - run.capacity
        if excess <= 0:
            change.promoted += _fill_free_seats(db_session, run, now=now)
            continue
        if not force:
            raise SeatsWouldBeLost(len(holders), run.capacity, _run_label(run))
        for signup in holders[:excess]:
            _put_back(db_session, signup, run)
            change.bumped.append(signup)
    db_session.flush()
    return change


def _put_back(db_session: DbSession, signup: Signup, run: Run) -> None:
    """Move a seat holder back to the head of the waitlist, and tell them."""
    signup.status = SignupStatus.WAITLISTED
    signup.offer_expires_at = None
    signup.confirmed_at = None
    signup.attendance = None
    signup.checked_in_at = None
    signup.is_bumped = True
    _tell(
        db_session,
        signup.user,
        NotificationKind.BACK_ON_WAITLIST,
        run,
        f"You are back on the waitlist: {run.learning_session.title}",
        f"{_run_label(run)} now has fewer seats, and as one of the latest to sign up "
        "you are back on its waitlist, at the head of the line.",
        invitation="CANCEL",
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
    _lock_people_for(db_session, runs)
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
    free = new_run.capacity - _taken(db_session, new_run, now)
    moved = []
    for signup in waiting:
        if len(moved) >= free:
            break
        if signup.user_id in clashes:
            continue
        signup.run_id = new_run.id
        db_session.expire(signup, ["run"])
        _give_seat(db_session, signup, new_run, now=now)
        moved.append(signup)
    db_session.flush()
    return moved


def end_signups_of_cancelled_run(
    db_session: DbSession, run: Run, *, now: datetime, comment: str = "", comment_author: str = ""
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
    when = _run_label(run) if run.is_placed else f"“{run.learning_session.title}”"
    body = with_comment(
        f"{when} is cancelled, so your sign-up for it has ended.", comment, author=comment_author
    )
    for signup in signups:
        _end(signup, SignupStatus.RUN_CANCELLED, now)
        _tell(
            db_session,
            signup.user,
            NotificationKind.RUN_CANCELLED,
            run,
            f"Cancelled: {run.learning_session.title}",
            body,
            invitation="CANCEL",
        )
    db_session.flush()
    return len(signups)


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


# --- rosters and check-in ---------------------------------------------------------------


@dataclass
class Roster:
    """Who comes to a run: confirmed by name, open offers, the waitlist in order."""

    run: Run
    confirmed: list[Signup]
    offered: list[Signup]
    waiting: list[Signup]


def roster(db_session: DbSession, run: Run, *, now: datetime) -> Roster:
    """A run's confirmed attendees by name, open offers, and the waitlist in order."""
    signups = db_session.scalars(
        sa.select(Signup)
        .options(joinedload(Signup.user))
        .where(Signup.run_id == run.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
        .order_by(*waitlist_order())
    ).all()
    by_status = defaultdict(list)
    for signup in signups:
        if signup.status == SignupStatus.OFFERED and signup.offer_expires_at <= now:
            continue
        by_status[signup.status].append(signup)
    confirmed = sorted(
        by_status[SignupStatus.CONFIRMED], key=lambda s: (s.user.display_name.lower(), s.id)
    )
    return Roster(
        run=run,
        confirmed=confirmed,
        offered=by_status[SignupStatus.OFFERED],
        waiting=by_status[SignupStatus.WAITLISTED],
    )


def record_attendance(
    db_session: DbSession,
    run: Run,
    marks: dict[int, Attendance | None],
    *,
    actor: User,
    now: datetime,
) -> int:
    """Mark confirmed attendees attended or no-show (None clears), from the run's start on.

    `marks` maps sign-up ids to the mark; ids that are not confirmed in this run are
    refused. Returns how many marks changed.
    """
    if not can_see_roster(actor, run.learning_session):
        raise NotAllowed("Only the session's teachers and organizers can check people in.")
    if not run.is_placed or now < run.starts_at:
        raise SignupRefused("Check-in opens when the run starts.")
    lock_runs(db_session, [run])
    signups = {
        signup.id: signup
        for signup in db_session.scalars(
            sa.select(Signup).where(
                Signup.run_id == run.id, Signup.status == SignupStatus.CONFIRMED
            )
        )
    }
    unknown = set(marks) - set(signups)
    if unknown:
        raise SignupRefused("Some of those people are not confirmed for this run.")
    changed = 0
    for signup_id, mark in marks.items():
        signup = signups[signup_id]
        if signup.attendance != mark:
            signup.attendance = mark
            signup.checked_in_at = now if mark else None
            changed += 1
    db_session.flush()
    return changed


def send_reminders(db_session: DbSession, *, now: datetime) -> int:
    """Remind everyone with a seat in a run that starts tomorrow (in its edition's time
    zone), once each: a second pass the same day, or the next, reminds nobody again."""
    soon = list(
        db_session.scalars(
            sa.select(Signup)
            .join(Run, Run.id == Signup.run_id)
            .options(
                joinedload(Signup.user),
                joinedload(Signup.run)
                .joinedload(Run.learning_session)
                .joinedload(LearningSession.edition),
            )
            .where(
                Signup.status == SignupStatus.CONFIRMED,
                # Never reminded, or reminded of a time the run has since moved from.
                sa.or_(Signup.reminded_at.is_(None), Signup.reminded_at < Run.changed_at),
                Run.cancelled_at.is_(None),
                Run.starts_at > now,
                # Tomorrow ends up to 49 hours from now where clocks go back tonight.
                Run.starts_at < now + timedelta(days=3),
            )
            .order_by(Signup.id)
            .with_for_update(of=Signup, skip_locked=True)
        )
    )
    reminded = 0
    for signup in soon:
        run = signup.run
        zone = run.learning_session.edition.zone
        if (
            run.starts_at.astimezone(zone).date()
            != (now.astimezone(zone) + timedelta(days=1)).date()
        ):
            continue
        signup.reminded_at = now
        _tell(
            db_session,
            signup.user,
            NotificationKind.REMINDER,
            run,
            f"Tomorrow: {run.learning_session.title}",
            f"A reminder: you have a seat in {_run_label(run)}. If you cannot come, cancel "
            "on your agenda so the seat goes to someone waiting.",
        )
        reminded += 1
    db_session.flush()
    return reminded
