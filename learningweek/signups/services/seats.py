"""A person's own seat: signing up, cancelling, switching runs, accepting or declining
an offer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from learningweek.accounts.models import User
from learningweek.core.database import DbSession, unique_or_raise
from learningweek.core.enums import ACTIVE_SIGNUP_STATUSES, NotificationKind, SignupStatus
from learningweek.core.errors import NotAllowed
from learningweek.notifications.tidings import announce, tiding
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup
from learningweek.signups.services.eligibility import (
    clash_message,
    clashes_of,
    overlapping_seats,
    signup_refusal,
)
from learningweek.signups.services.errors import (
    AlreadyDone,
    ScheduleClash,
    SignupChanged,
    SignupRefused,
)
from learningweek.signups.services.locking import (
    lock_people,
    lock_people_for,
    lock_runs,
    lock_signup,
)
from learningweek.signups.services.promotion import settle
from learningweek.signups.services.queries import (
    active_signups_of,
    due_offers,
    holds_seat,
    seats_taken,
    waitlist_positions,
)


def sign_up(db_session: DbSession, run: Run, user: User, *, now: datetime) -> Signup:
    """Take a seat in the run, or a place on its waitlist when it is full.

    Refused outside the sign-up window, once the run started, for its teachers, for a
    cancelled or unpublished run, and when it overlaps a run the person is confirmed
    for or teaches. A repeat of the same request changes nothing (`AlreadyDone`).
    Offers of this run that ran out are passed on first: waiting people come first.
    """
    lock_runs(db_session, [run])
    has_due_offers = bool(due_offers(db_session, run, now))
    lock_people_for(db_session, [run] if has_due_offers else [], people=[user.id])
    if has_due_offers:
        settle(db_session, run, now=now)
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
    _refuse_clash(db_session, user.id, run)
    taken, last_queued = db_session.execute(
        sa.select(
            sa.func.count().filter(holds_seat(now)),
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
        queued_at=queued_at,
        created_at=now,
    )
    if has_seat:
        signup.confirm(now)
    else:
        signup.wait()
    # Locks serialise one person's requests; the index catches any path that skips them.
    with unique_or_raise(db_session, AlreadyDone("You are already signed up for this session.")):
        db_session.add(signup)
    if has_seat:
        news = tiding(NotificationKind.SIGNED_UP, user, run, is_in_calendar=True)
    else:
        position = waitlist_positions(db_session, [run.id]).get(signup.id)
        news = tiding(NotificationKind.WAITLISTED, user, run, position=position)
    announce(db_session, [news])
    return signup


def _already_text(signup: Signup) -> str:
    """What a repeated sign-up request is told, by where the person already is."""
    if signup.status == SignupStatus.WAITLISTED:
        return "You are already on the waitlist for this run."
    if signup.status == SignupStatus.OFFERED:
        return "A seat in this run is already held for you: accept it on your agenda."
    return "You already have a seat in this run."


def _refuse_clash(db_session: DbSession, user_id: int, run: Run, *, advice: str = "") -> None:
    """Refuse when the run overlaps one the person is confirmed for or teaches."""
    clash = clashes_of(db_session, [user_id], run).get(user_id)
    if clash:
        raise ScheduleClash(clash_message(clash, run.learning_session.edition) + advice)


def _check_own(signup: Signup, actor: User) -> None:
    if signup.user_id != actor.id and not actor.is_organizer:
        raise NotAllowed("This is not your sign-up.")


def _check_offer_is_theirs(signup: Signup, actor: User) -> None:
    if signup.user_id != actor.id:
        raise NotAllowed("This offer is for someone else.")


def cancel_signup(
    db_session: DbSession, signup: Signup, *, actor: User, now: datetime
) -> list[Signup]:
    """Give up a seat or a waitlist place; a freed seat goes to the next person waiting.

    The person is told (a seat's event is cancelled in their calendar), and so is whoever
    gets the seat. Returns whoever got a seat. Cancelling twice changes nothing
    (`AlreadyDone`).
    """
    _check_own(signup, actor)
    signup = lock_signup(db_session, signup)
    run = signup.run
    if not signup.is_active:
        raise AlreadyDone("This sign-up is already cancelled.")
    if run.has_started(now):
        raise SignupRefused("This run has already started.")
    status = signup.status
    promoted = _end_and_settle(db_session, signup, SignupStatus.CANCELLED, now=now)
    announce(
        db_session,
        [
            tiding(
                NotificationKind.SIGNUP_CANCELLED,
                signup.user,
                run,
                was_in_calendar=status == SignupStatus.CONFIRMED,
                had_seat=status == SignupStatus.CONFIRMED,
                was_offered=status == SignupStatus.OFFERED,
                by_organizer=actor.id != signup.user_id,
            )
        ],
    )
    return promoted


def _end_and_settle(
    db_session: DbSession, signup: Signup, status: SignupStatus, *, now: datetime
) -> list[Signup]:
    """End the sign-up and hand its seat on; returns who got one."""
    run = signup.run
    lock_people_for(db_session, [run])
    signup.end(status, now)
    db_session.flush()
    return settle(db_session, run, now=now)


def switch_run(
    db_session: DbSession, signup: Signup, target: Run, *, actor: User, now: datetime
) -> list[Signup]:
    """Move a sign-up to another run of the same session, in one step.

    The old seat is kept until the new one is secured: when the other run has no free
    seat, nothing changes. The person's calendar gets the new run and loses the old one
    (a message each). Returns whoever got the freed seat.
    """
    _check_own(signup, actor)
    source = signup.run
    if target.session_id != source.session_id or target.id == source.id:
        raise SignupRefused("Choose another run of the same session.")
    signup = lock_signup(db_session, signup, target)
    if not signup.is_active:
        raise AlreadyDone("This sign-up is no longer active.")
    if source.has_started(now):
        raise SignupRefused("Your run has already started, so it cannot be switched.")
    lock_people_for(db_session, [source, target], people=[signup.user_id])
    settle(db_session, target, now=now)
    refusal = signup_refusal(target, signup.user, now)
    if refusal:
        raise SignupRefused(refusal)
    _refuse_clash(db_session, signup.user_id, target)
    if seats_taken(db_session, target, now) >= target.capacity:
        raise SignupRefused("The other run has no free seat, so you keep your place in this one.")
    had_seat = signup.status == SignupStatus.CONFIRMED
    signup.run_id = target.id
    signup.confirm(now)
    db_session.flush()
    db_session.expire(signup, ["run"])
    news = [
        tiding(
            NotificationKind.SWITCHED,
            signup.user,
            target,
            is_in_calendar=True,
            old_run=source,
            had_seat=had_seat,
        )
    ]
    if had_seat:
        news.append(
            tiding(
                NotificationKind.SWITCHED,
                signup.user,
                source,
                was_in_calendar=True,
                template="switched_away",
                new_run=target,
            )
        )
    announce(db_session, news)
    return settle(db_session, source, now=now)


def _overlapping_seats_of(db_session: DbSession, signup: Signup) -> list[Signup]:
    """The person's confirmed seats in other live runs overlapping the sign-up's run."""
    this = aliased(Run)
    return list(
        db_session.scalars(
            sa.select(Signup)
            .where(
                Signup.user_id == signup.user_id,
                Signup.status == SignupStatus.CONFIRMED,
                Signup.run_id.in_(
                    overlapping_seats(signup.user_id, this).where(this.id == signup.run_id)
                ),
            )
            .order_by(Signup.run_id)
        )
    )


def keep_seat(db_session: DbSession, kept: Signup, *, actor: User, now: datetime) -> list[Signup]:
    """Keep this seat of two that overlap (an organizer moved a run onto the other) and
    give up the other, as cancelling it would (`cancel_signup`): the person is told and
    its event leaves their calendar, and the next person waiting gets the seat.

    Both runs are locked before either seat is read, so keeping each of the two at once
    leaves one seat, not none. Returns whoever got the released seat.
    """
    _check_own(kept, actor)
    others = _overlapping_seats_of(db_session, kept)
    kept = lock_signup(db_session, kept, *(other.run for other in others))
    if kept.status != SignupStatus.CONFIRMED:
        raise AlreadyDone("You no longer hold this seat.")
    others = _overlapping_seats_of(db_session, kept)
    if not others:
        raise AlreadyDone("This seat no longer overlaps another of yours.")
    promoted: list[Signup] = []
    for other in others:
        promoted += cancel_signup(db_session, other, actor=actor, now=now)
    return promoted


def accept_offer(db_session: DbSession, signup: Signup, *, actor: User, now: datetime) -> None:
    """Take the seat held for you, while the offer lasts; the run joins your calendar."""
    _check_offer_is_theirs(signup, actor)
    signup = lock_signup(db_session, signup)
    run = signup.run
    if signup.status == SignupStatus.CONFIRMED:
        raise AlreadyDone("You already have this seat.")
    if not signup.has_open_offer(now):
        raise SignupRefused("This offer has expired; the seat goes to the next person waiting.")
    if run.is_cancelled or run.starts_at is None or run.has_started(now):
        raise SignupRefused("This run is cancelled or has started.")
    lock_people(db_session, [signup.user_id])
    _refuse_clash(
        db_session, signup.user_id, run, advice=" Cancel that one first, or decline this offer."
    )
    signup.confirm(now)
    db_session.flush()
    announce(
        db_session, [tiding(NotificationKind.OFFER_ACCEPTED, signup.user, run, is_in_calendar=True)]
    )


def decline_offer(
    db_session: DbSession, signup: Signup, *, actor: User, now: datetime
) -> list[Signup]:
    """Turn down a held seat; it passes to the next person waiting."""
    _check_offer_is_theirs(signup, actor)
    signup = lock_signup(db_session, signup)
    if signup.status != SignupStatus.OFFERED:
        raise AlreadyDone("There is no open offer to decline.")
    return _end_and_settle(db_session, signup, SignupStatus.DECLINED, now=now)


def release_signups_of(
    db_session: DbSession, user: User, *, now: datetime, also_lock: Iterable[int] = ()
) -> list[Signup]:
    """Give up every seat, offer and waitlist place a deactivated person holds in runs to
    come: each freed seat goes to the next person waiting, and the person is told (the
    events leave their calendar). Runs they teach stay, for organizers to handle.
    `also_lock` are more people the caller decides on, locked with everyone else.
    Returns whoever got a seat."""
    held_to_come = (
        sa.select(Signup)
        .join(Signup.run)
        .where(
            Signup.user_id == user.id,
            Signup.status.in_(ACTIVE_SIGNUP_STATUSES),
            ~Run.is_cancelled,
            Run.starts_at > now,
        )
        .execution_options(populate_existing=True)
    )
    signups = list(db_session.scalars(held_to_come))
    runs = [signup.run for signup in signups]
    lock_runs(db_session, runs)
    lock_people_for(db_session, runs, people=[user.id, *also_lock])
    # Read again under the person's lock: a sign-up that committed in between, in a run
    # not locked here, would otherwise keep its seat.
    signups = list(db_session.scalars(held_to_come))
    if {signup.run_id for signup in signups} - {run.id for run in runs}:
        raise SignupChanged("Their sign-ups changed a moment ago; try again.")
    promoted: list[Signup] = []
    news = []
    for signup in signups:
        db_session.refresh(signup)
        if not signup.is_active:
            continue
        status = signup.status
        signup.end(SignupStatus.CANCELLED, now)
        db_session.flush()
        promoted += settle(db_session, signup.run, now=now)
        news.append(
            tiding(
                NotificationKind.SEAT_RELEASED,
                user,
                signup.run,
                was_in_calendar=status == SignupStatus.CONFIRMED,
                had_seat=status == SignupStatus.CONFIRMED,
                was_offered=status == SignupStatus.OFFERED,
            )
        )
    announce(db_session, news)
    return promoted
