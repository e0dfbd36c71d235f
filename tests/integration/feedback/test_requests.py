"""Feedback requests: each eligible attendee is asked once when a run ends, in time."""

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from learningweek.core.enums import Attendance, SignupStatus
from learningweek.extensions import db
from learningweek.feedback.services import answers
from learningweek.notifications.models import Notification
from tests.factories import make_signup, make_user
from tests.integration.feedback.helpers import after, ended_run
from tests.integration.signups.helpers import placed_run

S = SignupStatus


def test_each_eligible_attendee_is_asked_once_when_the_run_ends(past):
    run = ended_run(past)
    there, absent = make_user(), make_user()
    make_signup(run, there)
    make_signup(run, absent, attendance=Attendance.NO_SHOW)
    make_signup(run, make_user(), status=S.WAITLISTED, confirmed_at=None)
    upcoming = placed_run(past, starts_at=datetime.combine(past.last_day, time(15), tzinfo=UTC))
    make_signup(upcoming, make_user())

    first = answers.request_feedback(db.session, now=after(run))
    second = answers.request_feedback(db.session, now=after(run, 2))
    db.session.commit()

    recipients = db.session.scalars(sa.select(Notification.recipient_id)).all()
    assert (first, second) == (1, 0)
    assert recipients == [there.id]


def test_the_request_feedback_command(runner, past):
    run = ended_run(past)
    make_signup(run, make_user())

    assert runner.invoke(args=["request-feedback"]).output.strip() == "1 feedback request queued."
    assert runner.invoke(args=["request-feedback"]).output.strip() == "0 feedback requests queued."


def test_nobody_is_asked_after_the_window_and_teachers_are_never_asked(past):
    run = ended_run(past)
    co_teacher = make_user()
    run.learning_session.co_teachers.append(co_teacher)
    db.session.commit()
    make_signup(run, co_teacher)
    late_run = ended_run(past)
    make_signup(late_run, make_user())

    asked_late = answers.request_feedback(db.session, now=run.ends_at + timedelta(days=20))

    assert asked_late == 0
    assert db.session.get(type(run), late_run.id).feedback_requested_at is not None
