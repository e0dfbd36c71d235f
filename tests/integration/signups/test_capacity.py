"""Capacity changes: seat limits, rooms and maxima promote, or refuse unless forced; an
extra run takes the waitlist."""

from datetime import timedelta

import pytest

from learningweek.core.enums import NotificationKind
from learningweek.core.errors import DomainError, NotAllowed, ValidationFailed
from learningweek.editions import services as editions
from learningweek.extensions import db
from learningweek.proposals import services as proposals
from learningweek.schedule import services as schedule
from learningweek.schedule.conflicts import Settings
from learningweek.signups import services
from tests.factories import make_room, make_user
from tests.integration.signups.helpers import (
    NOW,
    at,
    confirmed,
    kinds_for,
    people,
    placed_run,
    published_edition,
    sign_up_all,
    waitlist,
)

# --- seat limits and maxima ----------------------------------------------------------------


def test_raising_the_seat_limit_promotes_as_many_as_fit(edition, organizer):
    run = placed_run(edition, room=make_room(capacity=30))
    run.seat_limit = 1
    db.session.commit()
    alice, bo, cy, di = people(4)
    sign_up_all(run, [alice, bo, cy, di])

    change = services.set_seat_limit(db.session, run, 3, actor=organizer, now=NOW)
    db.session.commit()

    assert [s.user_id for s in change.promoted] == [bo.id, cy.id]
    assert waitlist(run) == [di.id]


def test_cutting_seats_below_the_seats_held_is_refused_unless_forced(edition, organizer):
    run = placed_run(edition, room=make_room(capacity=30))
    alice, bo, cy, di = people(4)
    sign_up_all(run, [alice, bo, cy])
    run.seat_limit = 3
    db.session.commit()
    sign_up_all(run, [di], start=NOW + timedelta(hours=1))

    with pytest.raises(services.SeatsWouldBeLost, match="3 people hold seats"):
        services.set_seat_limit(db.session, run, 1, actor=organizer, now=NOW)
    db.session.rollback()
    assert confirmed(run) == {alice.id, bo.id, cy.id}

    change = services.set_seat_limit(db.session, run, 1, actor=organizer, now=NOW, force=True)
    db.session.commit()

    assert {s.user_id for s in change.bumped} == {bo.id, cy.id}
    assert confirmed(run) == {alice.id}
    assert waitlist(run) == [bo.id, cy.id, di.id]  # put back at the head, in sign-up order
    assert kinds_for(cy) == [NotificationKind.SIGNED_UP, NotificationKind.BACK_ON_WAITLIST]


def test_only_organizers_set_seat_limits(edition):
    run = placed_run(edition)

    with pytest.raises(NotAllowed):
        services.set_seat_limit(db.session, run, 3, actor=make_user(), now=NOW)


def test_a_lower_maximum_below_the_seats_held_is_a_field_error(edition, organizer):
    run = placed_run(edition, room=make_room(capacity=30), max_participants=5)
    sign_up_all(run, people(3))
    data = proposals.proposal_data_from(run.learning_session)

    with pytest.raises(ValidationFailed) as refused:
        proposals.update_proposal(
            db.session,
            run.learning_session,
            data.__class__(**(vars(data) | {"max_participants": 2})),
            actor=organizer,
            now=NOW,
        )

    assert "3 people hold seats" in refused.value.problems["max_participants"]


def test_a_higher_maximum_promotes_waiting_people(edition, organizer):
    run = placed_run(edition, room=make_room(capacity=30), max_participants=1)
    alice, bo = people(2)
    sign_up_all(run, [alice, bo])
    data = proposals.proposal_data_from(run.learning_session)

    proposals.update_proposal(
        db.session,
        run.learning_session,
        data.__class__(**(vars(data) | {"max_participants": 2})),
        actor=organizer,
        now=NOW,
    )
    db.session.commit()

    assert confirmed(run) == {alice.id, bo.id}


# --- rooms ---------------------------------------------------------------------------------


def test_moving_to_a_bigger_room_promotes_and_a_smaller_one_needs_force(edition, organizer):
    small, big, tiny = make_room(capacity=1), make_room(capacity=3), make_room(capacity=1)
    run = placed_run(edition, starts_at=at(10), room=small)
    alice, bo, cy = people(3)
    sign_up_all(run, [alice, bo, cy])
    settings = Settings()

    schedule.place_run(db.session, run, at(10), big, actor=organizer, now=NOW, settings=settings)
    db.session.commit()
    assert confirmed(run) == {alice.id, bo.id, cy.id}

    with pytest.raises(services.SeatsWouldBeLost):
        schedule.place_run(
            db.session, run, at(10), tiny, actor=organizer, now=NOW, settings=settings
        )
    db.session.rollback()
    schedule.place_run(
        db.session, run, at(10), tiny, actor=organizer, now=NOW, settings=settings, force_seats=True
    )
    db.session.commit()

    assert confirmed(run) == {alice.id}
    assert waitlist(run) == [bo.id, cy.id]


def _room_data(room, capacity):
    return editions.RoomData(
        name=room.name,
        kind=room.kind,
        capacity=capacity,
        location=room.location,
        equipment=tuple(room.equipment),
    )


def test_shrinking_a_room_below_the_seats_held_is_refused_unless_forced(app):
    room = make_room(capacity=3)
    run = placed_run(published_edition(), room=room)
    people = [make_user() for _ in range(3)]
    for offset, person in enumerate(people):
        services.sign_up(db.session, run, person, now=NOW + timedelta(minutes=offset))
    db.session.commit()

    with pytest.raises(ValidationFailed) as refused:
        editions.update_room(db.session, room, _room_data(room, 1), now=NOW)
    db.session.rollback()
    editions.update_room(db.session, room, _room_data(room, 1), now=NOW, force_seats=True)
    db.session.commit()

    assert "3 people hold seats" in refused.value.problems["capacity"]
    assert confirmed(run) == {people[0].id}
    assert waitlist(run) == [people[1].id, people[2].id]


def test_a_bigger_room_promotes_the_waitlist(app):
    room = make_room(capacity=1)
    run = placed_run(published_edition(), room=room)
    alice, bo = make_user(), make_user()
    services.sign_up(db.session, run, alice, now=NOW)
    services.sign_up(db.session, run, bo, now=NOW + timedelta(minutes=1))
    db.session.commit()

    editions.update_room(db.session, room, _room_data(room, 5), now=NOW)
    db.session.commit()

    assert confirmed(run) == {alice.id, bo.id}


# --- an extra run for an overflowing waitlist ----------------------------------------------


def test_an_extra_run_seats_the_waitlist_in_order(edition, organizer):
    run = placed_run(edition, starts_at=at(10), room=make_room(capacity=1))
    busy = placed_run(edition, starts_at=at(14))
    alice, bo, cy, di = people(4)
    sign_up_all(run, [alice, bo, cy, di])
    sign_up_all(busy, [cy])  # cy would clash with the new run
    extra_room = make_room(capacity=2)

    new_run, moved = schedule.add_run_for_waitlist(
        db.session, run, at(14), extra_room, actor=organizer, now=NOW, settings=Settings()
    )
    db.session.commit()

    assert [s.user_id for s in moved] == [bo.id, di.id]
    assert confirmed(new_run) == {bo.id, di.id}
    assert waitlist(run) == [cy.id]
    assert new_run.learning_session.runs_offered == 2


def test_an_extra_run_needs_someone_waiting(edition, organizer):
    run = placed_run(edition, starts_at=at(10))

    with pytest.raises(DomainError, match="Nobody is waiting"):
        schedule.add_run_for_waitlist(
            db.session, run, at(14), make_room(), actor=organizer, now=NOW, settings=Settings()
        )
