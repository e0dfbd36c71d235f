"""Plain factory functions: sensible defaults, any field overridable by keyword.

Each commits, so what it makes is visible to requests made with the test client.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from werkzeug.security import generate_password_hash

from learningweek.accounts.models import User
from learningweek.core.enums import (
    Equipment,
    Level,
    NotificationKind,
    ProposalStatus,
    RoomKind,
    SessionFormat,
    SignupStatus,
)
from learningweek.editions.models import Edition, Room, Topic
from learningweek.extensions import db
from learningweek.learning.models import Reflection
from learningweek.notifications.models import Notification
from learningweek.proposals.models import Interest, LearningObjective, LearningSession
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup

DEFAULT_PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@cache
def _fast_password_hash() -> str:
    # One cheap hash shared by every test user: scrypt per user would dominate the run.
    return generate_password_hash(DEFAULT_PASSWORD, method="pbkdf2:sha256:1000")


def make_user(**overrides) -> User:
    n = next(_numbers)
    values = {
        "email": f"person{n}@example.com",
        "display_name": f"Person {n}",
        "department": "Engineering",
        "password_hash": _fast_password_hash(),
    }
    user = User(**(values | overrides))
    db.session.add(user)
    db.session.commit()
    return user


def make_organizer(**overrides) -> User:
    return make_user(**({"is_organizer": True} | overrides))


def make_edition(**overrides) -> Edition:
    n = next(_numbers)
    first_day = overrides.pop("first_day", date(2027, 3, 8))
    values = {
        "slug": f"edition-{n}",
        "name": f"Learning Week {n}",
        "time_zone": "Europe/Stockholm",
        "first_day": first_day,
        "last_day": first_day + timedelta(days=4),
        "day_starts_at": time(9, 0),
        "day_ends_at": time(17, 0),
        "slot_minutes": 30,
        "proposals_open_at": datetime(2027, 1, 4, 8, tzinfo=UTC),
        "proposals_close_at": datetime(2027, 2, 1, 16, tzinfo=UTC),
        "signup_opens_at": datetime(2027, 2, 15, 8, tzinfo=UTC),
        "signup_closes_at": datetime(2027, 3, 12, 11, tzinfo=UTC),
        "feedback_days": 14,
    }
    edition = Edition(**(values | overrides))
    db.session.add(edition)
    db.session.commit()
    return edition


def make_room(**overrides) -> Room:
    n = next(_numbers)
    values = {
        "name": f"Room {n}",
        "kind": RoomKind.PHYSICAL,
        "capacity": 20,
        "location": "Building A",
        "equipment": [Equipment.PROJECTOR.value],
    }
    room = Room(**(values | overrides))
    db.session.add(room)
    db.session.commit()
    return room


def make_topic(**overrides) -> Topic:
    n = next(_numbers)
    topic = Topic(**({"name": f"Topic {n}", "slug": f"topic-{n}", "colour": "#336699"} | overrides))
    db.session.add(topic)
    db.session.commit()
    return topic


def make_proposal(**overrides) -> LearningSession:
    """A complete proposal; `status` may be any state, set directly (no history)."""
    n = next(_numbers)
    edition = overrides.pop("edition", None) or make_edition()
    lead = overrides.pop("lead", None) or make_user()
    objectives = overrides.pop("objectives", ["explain the idea to a colleague"])
    values = {
        "title": f"Session {n}",
        "abstract": "A hands-on session.",
        "format": SessionFormat.IN_PERSON,
        "duration_minutes": 60,
        "max_participants": 20,
        "runs_offered": 1,
        "level": Level.INTRODUCTORY,
        "language": "English",
        "status": ProposalStatus.DRAFT,
    }
    learning_session = LearningSession(edition=edition, lead=lead, **(values | overrides))
    learning_session.objectives = [
        LearningObjective(position=i, text=text) for i, text in enumerate(objectives)
    ]
    db.session.add(learning_session)
    db.session.commit()
    return learning_session


def make_interest(learning_session: LearningSession, user: User) -> Interest:
    interest = Interest(session_id=learning_session.id, user_id=user.id)
    db.session.add(interest)
    db.session.commit()
    return interest


def make_run(learning_session: LearningSession | None = None, **overrides) -> Run:
    """A run of an accepted session (made if not given); unplaced unless `starts_at`/`room`."""
    if learning_session is None:
        learning_session = make_proposal(status=ProposalStatus.ACCEPTED)
    run = Run(learning_session=learning_session, **overrides)
    db.session.add(run)
    db.session.commit()
    return run


def make_signup(run: Run, user: User, **overrides) -> Signup:
    """A sign-up written directly (no rules checked): confirmed unless `status` says."""
    values = {
        "status": SignupStatus.CONFIRMED,
        "confirmed_at": datetime(2027, 2, 15, 9, tzinfo=UTC),
    }
    signup = Signup(
        run_id=run.id, session_id=run.session_id, user_id=user.id, **(values | overrides)
    )
    db.session.add(signup)
    db.session.commit()
    return signup


def make_reflection(learning_session: LearningSession, user: User, **overrides) -> Reflection:
    """A person's notes on a session, written directly."""
    values = {"try_at_work": "Pair on reviews", "practise": "", "ask_teacher": ""}
    reflection = Reflection(session_id=learning_session.id, user_id=user.id, **(values | overrides))
    db.session.add(reflection)
    db.session.commit()
    return reflection


def make_notification(recipient: User, **overrides) -> Notification:
    """A queued message, written directly."""
    values = {"kind": NotificationKind.RUN_MOVED, "subject": "Moved", "body": "It moved."}
    notification = Notification(recipient=recipient, **(values | overrides))
    db.session.add(notification)
    db.session.commit()
    return notification
