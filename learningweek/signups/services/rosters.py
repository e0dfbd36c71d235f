"""Who comes to a run: the roster, check-in, and the day-before reminder."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import (
    ACTIVE_SIGNUP_STATUSES,
    Attendance,
    NotificationKind,
    SignupStatus,
)
from learningweek.core.errors import NotAllowed
from learningweek.notifications.tidings import announce, tiding
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup
from learningweek.signups.permissions import can_see_roster
from learningweek.signups.services.errors import SignupRefused
from learningweek.signups.services.locking import lock_runs
from learningweek.signups.services.queries import waitlist_order


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
    by_status: defaultdict[SignupStatus, list[Signup]] = defaultdict(list)
    for signup in signups:
        if signup.status == SignupStatus.OFFERED and not signup.has_open_offer(now):
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


def is_check_in_open(run: Run, now: datetime) -> bool:
    """Check-in opens when the run starts."""
    return run.has_started(now)


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
    if not is_check_in_open(run, now):
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
            signup.mark_attendance(mark, now)
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
                ~Run.is_cancelled,
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
        assert run.starts_at is not None  # the query picks runs that start after `now`
        zone = run.learning_session.edition.zone
        if (
            run.starts_at.astimezone(zone).date()
            != (now.astimezone(zone) + timedelta(days=1)).date()
        ):
            continue
        signup.reminded_at = now
        announce(db_session, [tiding(NotificationKind.REMINDER, signup.user, run)])
        reminded += 1
    db_session.flush()
    return reminded
