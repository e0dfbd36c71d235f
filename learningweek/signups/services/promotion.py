"""Freed seats passing on: offers that ran out end, and waiting people get the seats.

Every function here but `pass_on_due_offers` expects the caller to hold the run's lock
and the locks of everyone waiting for it (`locking.lock_people_for`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from learningweek.core.database import DbSession
from learningweek.core.enums import NotificationKind, PromotionMode, SignupStatus
from learningweek.notifications.tidings import Tiding, announce, tiding
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup
from learningweek.signups.services.eligibility import Clash, clashes_of
from learningweek.signups.services.locking import lock_people_for, lock_runs
from learningweek.signups.services.queries import due_offers, seats_taken, waitlist


def give_seat(db_session: DbSession, signup: Signup, run: Run, *, now: datetime) -> None:
    """Hand a freed seat to a waiting person, as the edition's promotion mode says, and
    tell them (a confirmed seat joins their calendar; an offer does not yet)."""
    edition = run.learning_session.edition
    if edition.promotion_mode == PromotionMode.OFFER:
        # A seat held past the run's start would be a seat nobody can take any more.
        until = min(now + timedelta(hours=edition.offer_hours), run.starts_at or now)
        signup.offer(until)
        news = tiding(NotificationKind.SEAT_OFFERED, signup.user, run, until=until)
    else:
        signup.confirm(now)
        news = tiding(NotificationKind.SEAT_CONFIRMED, signup.user, run, is_in_calendar=True)
    announce(db_session, [news])


def passed_over(signup: Signup, run: Run, clash: Clash) -> Tiding:
    """A waiting person a seat went past because it would clash with one they hold."""
    return tiding(
        NotificationKind.PASSED_OVER,
        signup.user,
        run,
        clash_title=clash.title,
        clash_starts_at=clash.starts_at,
        clash_teaching=clash.teaching,
    )


def fill_free_seats(db_session: DbSession, run: Run, *, now: datetime) -> list[Signup]:
    """Give free seats to the earliest waiting people who would not be put in a clash;
    people who would clash keep their place and are told why a seat went past them."""
    if run.is_cancelled or run.starts_at is None or run.has_started(now):
        return []
    free = run.capacity - seats_taken(db_session, run, now)
    if free <= 0:
        return []
    waiting = waitlist(db_session, run)
    clashes = clashes_of(db_session, [signup.user_id for signup in waiting], run)
    promoted: list[Signup] = []
    skipped: list[Signup] = []
    passed: list[Signup] = []
    for signup in waiting:
        if len(promoted) == free:
            break
        if signup.user_id in clashes:
            skipped.append(signup)
            continue
        give_seat(db_session, signup, run, now=now)
        promoted.append(signup)
        # Only those ahead of someone who got a seat were passed over; anyone skipped
        # after the last seat went saw no seat go past them.
        passed.extend(skipped)
        skipped.clear()
    announce(db_session, [passed_over(s, run, clashes[s.user_id]) for s in passed])
    db_session.flush()
    return promoted


def lapse_due_offers(db_session: DbSession, run: Run, *, now: datetime) -> None:
    """End the run's offers whose time is up and tell their people."""
    for signup in due_offers(db_session, run, now):
        signup.end(SignupStatus.EXPIRED, now)
        announce(db_session, [tiding(NotificationKind.OFFER_EXPIRED, signup.user, run)])
    db_session.flush()


def settle(db_session: DbSession, run: Run, *, now: datetime) -> list[Signup]:
    """Lapse due offers and hand free seats on; returns who got one."""
    lapse_due_offers(db_session, run, now=now)
    return fill_free_seats(db_session, run, now=now)


def pass_on_due_offers(db_session: DbSession, run: Run, *, now: datetime) -> int:
    """End the run's offers whose time is up and hand their seats to the next people
    waiting (the cron command and pages that show the run). Returns how many ended."""
    lock_runs(db_session, [run])
    due = len(due_offers(db_session, run, now))
    if due:
        lock_people_for(db_session, [run])
        settle(db_session, run, now=now)
    return due
