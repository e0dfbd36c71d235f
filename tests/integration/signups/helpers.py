"""A published edition with rooms and placed runs, for sign-up tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from learningweek.accounts.models import User
from learningweek.core.enums import NotificationKind, ProposalStatus, SignupStatus
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run
from learningweek.signups import services
from learningweek.signups.models import Signup
from learningweek.signups.services import waitlist_positions
from tests.factories import make_edition, make_proposal, make_room, make_run, make_user

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Sign-up is open from 15 Feb to 12 Mar 2027; the week runs 8–12 March.
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 8) -> datetime:
    """A wall-clock time of the edition's week, as a UTC instant."""
    return datetime(2027, 3, day, hour, minute, tzinfo=STOCKHOLM).astimezone(UTC)


def published_edition(**overrides):
    values = {
        "slug": "spring",
        "first_day": date(2027, 3, 8),
        "is_published": True,
        "published_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    return make_edition(**(values | overrides))


def placed_run(
    edition, *, starts_at=None, room=None, session: LearningSession | None = None, **session_fields
) -> Run:
    """A placed run: of `session`, or of a new accepted session with `session_fields`."""
    if session is None:
        values = {"edition": edition, "status": ProposalStatus.ACCEPTED, "max_participants": 30}
        session = make_proposal(**(values | session_fields))
    return make_run(session, starts_at=starts_at or at(10), room=room or make_room(capacity=30))


def statuses(run: Run) -> dict[int, SignupStatus]:
    """Each person's sign-up status in the run, by user id (active and ended)."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Signup.user_id, Signup.status).where(Signup.run_id == run.id)
    )
    return dict(rows.all())


def waitlist(run: Run) -> list[int]:
    """The run's waiting user ids in waitlist order."""
    db.session.expire_all()
    signups = db.session.scalars(
        sa.select(Signup).where(Signup.run_id == run.id, Signup.status == SignupStatus.WAITLISTED)
    ).all()
    positions = waitlist_positions(db.session, [run.id])
    return [s.user_id for s in sorted(signups, key=lambda s: positions[s.id])]


def confirmed(run: Run) -> set[int]:
    return {user for user, status in statuses(run).items() if status == SignupStatus.CONFIRMED}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pass_on_all_due_offers(now: datetime) -> int:
    """What the expire-offers command does, at a time of the test's choosing."""
    passed = 0
    for run_id in services.runs_with_due_offers(db.session, now):
        passed += services.pass_on_due_offers(db.session, db.session.get(Run, run_id), now=now)
    return passed


def people(count: int) -> list[User]:
    """`count` new people."""
    return [make_user() for _ in range(count)]


def sign_up_all(run: Run, users, *, start=NOW) -> list[Signup]:
    """Sign people up one minute apart, in order, committing each."""
    signups = []
    for offset, user in enumerate(users):
        signups.append(
            services.sign_up(db.session, run, user, now=start + timedelta(minutes=offset))
        )
        db.session.commit()
    return signups


def kinds_for(user: User) -> list[NotificationKind]:
    """The kinds of message queued for the person, in order."""
    return list(
        db.session.scalars(sa.select(Notification.kind).where(Notification.recipient_id == user.id))
    )
