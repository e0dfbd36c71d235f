"""Cancelling: a freed seat goes to the earliest waiting person who would not clash."""

from datetime import timedelta

import pytest

from learningweek.core.enums import NotificationKind, SignupStatus
from learningweek.core.errors import NotAllowed
from learningweek.extensions import db
from learningweek.signups import services
from tests.factories import make_room, make_user
from tests.integration.signups.helpers import (
    NOW,
    at,
    confirmed,
    kinds_for,
    people,
    placed_run,
    sign_up_all,
    statuses,
    waitlist,
)

S = SignupStatus


def test_cancelling_promotes_the_earliest_waiting_person_and_tells_them(edition):
    run = placed_run(edition, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    seat, *_ = sign_up_all(run, [alice, bo, cy])

    promoted = services.cancel_signup(db.session, seat, actor=alice, now=NOW + timedelta(hours=1))
    db.session.commit()

    assert [s.user_id for s in promoted] == [bo.id]
    assert statuses(run) == {alice.id: S.CANCELLED, bo.id: S.CONFIRMED, cy.id: S.WAITLISTED}
    assert waitlist(run) == [cy.id]
    assert kinds_for(bo) == [NotificationKind.WAITLISTED, NotificationKind.SEAT_CONFIRMED]


def test_leaving_the_waitlist_promotes_nobody(edition):
    run = placed_run(edition, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    _, waiting, _ = sign_up_all(run, [alice, bo, cy])

    assert services.cancel_signup(db.session, waiting, actor=bo, now=NOW) == []
    assert waitlist(run) == [cy.id]


def test_promotion_skips_a_person_it_would_put_in_a_clash_who_keeps_their_place(edition):
    run = placed_run(edition, starts_at=at(10), room=make_room(capacity=1))
    elsewhere = placed_run(edition, starts_at=at(10, 30))
    alice, bo, cy = people(3)
    seat, _, _ = sign_up_all(run, [alice, bo, cy])
    sign_up_all(elsewhere, [bo])  # bo is now confirmed for an overlapping run

    services.cancel_signup(db.session, seat, actor=alice, now=NOW + timedelta(hours=1))
    db.session.commit()

    assert confirmed(run) == {cy.id}
    assert waitlist(run) == [bo.id]


def test_cancelling_twice_changes_nothing(edition):
    run = placed_run(edition)
    alice = make_user()
    (seat,) = sign_up_all(run, [alice])
    services.cancel_signup(db.session, seat, actor=alice, now=NOW)
    db.session.commit()

    with pytest.raises(services.AlreadyDone):
        services.cancel_signup(db.session, seat, actor=alice, now=NOW)


def test_nobody_cancels_someone_elses_sign_up(edition):
    run = placed_run(edition)
    (seat,) = sign_up_all(run, [make_user()])

    with pytest.raises(NotAllowed):
        services.cancel_signup(db.session, seat, actor=make_user(), now=NOW)


def test_cancelling_after_the_run_started_is_refused(edition):
    run = placed_run(edition, starts_at=at(10))
    (seat,) = sign_up_all(run, [make_user()])

    with pytest.raises(services.SignupRefused, match="already started"):
        services.cancel_signup(db.session, seat, actor=seat.user, now=at(10, 5))
