"""An edition whose first runs are over, and answers about them, for feedback,
learning and report tests."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from learningweek.core.database import utcnow
from learningweek.core.enums import Attendance
from learningweek.extensions import db
from learningweek.feedback.services.answers import FeedbackData, save_feedback
from tests.conftest import log_in
from tests.factories import make_organizer, make_signup, make_topic, make_user
from tests.integration.signups.helpers import placed_run, published_edition


def answer(overall=4, useful=3, recommend=True, worked="", improve="", objectives=None):
    """An answer as the form would give it."""
    return FeedbackData(
        overall=overall,
        useful=useful,
        would_recommend=recommend,
        worked=worked,
        improve=improve,
        objectives=objectives or {},
    )


@pytest.fixture
def past(app):
    """A published edition that started two days ago (by the real clock, for pages):
    its first day's runs are over and their feedback window is open."""
    today = utcnow().date()
    return published_edition(
        first_day=today - timedelta(days=2),
        last_day=today + timedelta(days=2),
        signup_opens_at=datetime(2020, 1, 1, tzinfo=UTC),
        signup_closes_at=datetime.combine(today + timedelta(days=2), time(12), tzinfo=UTC),
        feedback_days=14,
    )


def ended_run(edition, **fields):
    """A run on the edition's first day, 09:00–10:00 UTC."""
    start = datetime.combine(edition.first_day, time(9), tzinfo=UTC)
    return placed_run(edition, starts_at=start, **fields)


def after(run, hours=1):
    """`hours` after the run ends."""
    return run.ends_at + timedelta(hours=hours)


def give_answers(run, ratings, *, now):
    """A new attendee per (overall, useful, recommend, worked), each answering; returns them."""
    people = []
    for overall, useful, recommend, worked in ratings:
        person = make_user()
        make_signup(run, person)
        objectives = {o.id: overall for o in run.learning_session.objectives}
        save_feedback(
            db.session,
            run,
            user=person,
            data=answer(overall, useful, recommend, worked, "", objectives),
            now=now,
        )
        people.append(person)
    db.session.commit()
    return people


def _grow_answered_runs(edition, session_run, count: int) -> None:
    """`count` times: a new session's run and another run of `session_run`'s session,
    each with an attendee who answered."""
    for _ in range(count):
        run = ended_run(edition, topics=[make_topic()])
        extra = placed_run(
            edition,
            session=session_run.learning_session,
            starts_at=session_run.starts_at + timedelta(hours=2),
        )
        for target in (run, extra):
            person = make_user()
            make_signup(target, person, attendance=Attendance.ATTENDED)
            objectives = {o.id: 4 for o in target.learning_session.objectives}
            save_feedback(
                db.session,
                target,
                user=person,
                data=answer(objectives=objectives),
                now=after(target, 3),
            )
    db.session.commit()


def load_as_answers_grow(client, count_queries, edition, url):
    """An organizer loads `url(run)` of a run with answers, once after one round of
    `_grow_answered_runs` and once after five more: returns both responses and the
    statements each load ran."""
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")
    session_run = ended_run(edition, objectives=["one", "two"])
    _grow_answered_runs(edition, session_run, 1)
    with count_queries() as few:
        small = client.get(url(session_run))
    _grow_answered_runs(edition, session_run, 5)
    with count_queries() as many:
        large = client.get(url(session_run))
    return (small, large), (few, many)
