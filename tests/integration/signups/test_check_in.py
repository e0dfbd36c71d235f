"""Check-in: teachers and organizers mark confirmed attendees from the run's start."""

import pytest

from learningweek.core.enums import Attendance
from learningweek.core.errors import NotAllowed
from learningweek.extensions import db
from learningweek.signups import services
from learningweek.signups.models import Signup
from tests.factories import make_room, make_user
from tests.integration.signups.helpers import NOW, at, people, placed_run, sign_up_all


def test_check_in_marks_confirmed_attendees_from_the_start(edition):
    lead = make_user()
    run = placed_run(edition, starts_at=at(10), lead=lead)
    alice, bo = people(2)
    a, b = sign_up_all(run, [alice, bo])

    with pytest.raises(services.SignupRefused, match="opens when the run starts"):
        services.record_attendance(
            db.session, run, {a.id: Attendance.ATTENDED}, actor=lead, now=NOW
        )
    changed = services.record_attendance(
        db.session,
        run,
        {a.id: Attendance.ATTENDED, b.id: Attendance.NO_SHOW},
        actor=lead,
        now=at(11),
    )
    db.session.commit()

    assert changed == 2
    assert db.session.get(Signup, a.id).attendance == Attendance.ATTENDED
    assert db.session.get(Signup, b.id).attendance == Attendance.NO_SHOW


def test_check_in_refuses_people_not_confirmed_and_other_users(edition):
    lead = make_user()
    run = placed_run(edition, starts_at=at(10), lead=lead, room=make_room(capacity=1))
    _, waiting = sign_up_all(run, people(2))

    with pytest.raises(services.SignupRefused, match="not confirmed"):
        services.record_attendance(
            db.session, run, {waiting.id: Attendance.ATTENDED}, actor=lead, now=at(11)
        )
    with pytest.raises(NotAllowed):
        services.record_attendance(db.session, run, {}, actor=make_user(), now=at(11))
