"""Switching runs: the old seat is kept until the new one is secured."""

import pytest
import sqlalchemy as sa

from learningweek.core.enums import Attendance
from learningweek.extensions import db
from learningweek.signups import services
from learningweek.signups.models import Signup
from tests.factories import make_room, make_signup, make_user
from tests.integration.signups.helpers import (
    NOW,
    at,
    confirmed,
    people,
    placed_run,
    published_edition,
    sign_up_all,
)


def test_switching_runs_moves_the_seat_in_one_step_and_frees_the_old_one(edition):
    first = placed_run(edition, starts_at=at(10), room=make_room(capacity=1))
    second = placed_run(edition, session=first.learning_session, starts_at=at(10, day=9))
    alice, bo = people(2)
    seat, _ = sign_up_all(first, [alice, bo])

    services.switch_run(db.session, seat, second, actor=alice, now=NOW)
    db.session.commit()

    assert confirmed(second) == {alice.id}
    assert confirmed(first) == {bo.id}
    assert db.session.scalar(sa.select(sa.func.count()).where(Signup.user_id == alice.id)) == 1


def test_switching_to_a_full_run_keeps_the_old_seat(edition):
    first = placed_run(edition, starts_at=at(10))
    second = placed_run(
        edition, session=first.learning_session, starts_at=at(10, day=9), room=make_room(capacity=1)
    )
    alice, bo = people(2)
    sign_up_all(second, [bo])
    (seat,) = sign_up_all(first, [alice])

    with pytest.raises(services.SignupRefused, match="keep your place"):
        services.switch_run(db.session, seat, second, actor=alice, now=NOW)
    db.session.rollback()

    assert confirmed(first) == {alice.id}


def test_switching_into_a_clash_is_refused(edition):
    first = placed_run(edition, starts_at=at(10))
    second = placed_run(edition, session=first.learning_session, starts_at=at(14))
    other = placed_run(edition, starts_at=at(14))
    alice = make_user()
    (seat,) = sign_up_all(first, [alice])
    sign_up_all(other, [alice])

    with pytest.raises(services.ScheduleClash):
        services.switch_run(db.session, seat, second, actor=alice, now=NOW)


def test_switching_out_of_a_started_run_is_refused(app):
    edition = published_edition()
    first = placed_run(edition, starts_at=at(10))
    later = placed_run(edition, session=first.learning_session, starts_at=at(10, day=10))
    alice = make_user()
    signup = make_signup(first, alice, attendance=Attendance.ATTENDED)

    with pytest.raises(services.SignupRefused, match="already started"):
        services.switch_run(db.session, signup, later, actor=alice, now=at(10, 30))


def test_switching_clears_attendance(app):
    edition = published_edition()
    first = placed_run(edition, starts_at=at(10))
    later = placed_run(edition, session=first.learning_session, starts_at=at(10, day=10))
    alice = make_user()
    signup = make_signup(first, alice, attendance=Attendance.ATTENDED)

    services.switch_run(db.session, signup, later, actor=alice, now=NOW)
    db.session.commit()

    assert db.session.get(Signup, signup.id).attendance is None
