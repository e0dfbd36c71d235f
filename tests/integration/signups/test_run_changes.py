"""Organizers move, cancel or reschedule runs: what happens to the sign-ups."""

from learningweek.core.enums import NotificationKind, SignupStatus
from learningweek.extensions import db
from learningweek.proposals import services as proposals
from learningweek.schedule import services as schedule
from learningweek.schedule.conflicts import Settings
from learningweek.signups import services
from tests.factories import make_room, make_user
from tests.integration.signups.helpers import (
    NOW,
    at,
    kinds_for,
    people,
    placed_run,
    sign_up_all,
    statuses,
)

S = SignupStatus


def test_a_moved_run_tells_everyone_signed_up(edition, organizer):
    run = placed_run(edition, starts_at=at(10))
    alice, bo = people(2)
    sign_up_all(run, [alice, bo])

    schedule.place_run(
        db.session, run, at(14), run.room, actor=organizer, now=NOW, settings=Settings()
    )
    db.session.commit()

    assert kinds_for(alice) == [NotificationKind.SIGNED_UP, NotificationKind.RUN_MOVED]
    assert kinds_for(bo) == [NotificationKind.SIGNED_UP, NotificationKind.RUN_MOVED]


def test_a_cancelled_run_ends_its_sign_ups_and_tells_people(edition, organizer):
    run = placed_run(edition, starts_at=at(10), room=make_room(capacity=1))
    other = placed_run(edition, session=run.learning_session, starts_at=at(10, day=9))
    alice, bo = people(2)
    sign_up_all(run, [alice, bo])

    schedule.cancel_run(db.session, run, actor=organizer, now=NOW)
    db.session.commit()

    assert statuses(run) == {alice.id: S.RUN_CANCELLED, bo.id: S.RUN_CANCELLED}
    assert kinds_for(alice) == [NotificationKind.SIGNED_UP, NotificationKind.RUN_CANCELLED]
    assert services.sign_up(db.session, other, alice, now=NOW).status == S.CONFIRMED


def test_a_cancelled_session_ends_the_sign_ups_of_all_its_runs(edition, organizer):
    run = placed_run(edition, starts_at=at(10))
    alice = make_user()
    sign_up_all(run, [alice])

    proposals.cancel_session(db.session, run.learning_session, actor=organizer, now=NOW)
    db.session.commit()

    assert statuses(run) == {alice.id: S.RUN_CANCELLED}


def test_published_runs_people_hold_seats_in_stay_put_when_rescheduling(edition, organizer):
    room = make_room(capacity=30)
    run = placed_run(edition, starts_at=at(16, 30), room=room)
    sign_up_all(run, [make_user()])

    report = schedule.schedule_edition(
        db.session, edition, actor=organizer, now=NOW, settings=Settings(), time_limit=5
    )
    db.session.commit()

    assert report.moved == []
    db.session.refresh(run)
    assert (run.starts_at, run.room_id) == (at(16, 30), room.id)
