"""Every change to someone's seat tells them, and their calendar gets the method that
keeps it true: REQUEST while the run is theirs, CANCEL when it leaves."""

from __future__ import annotations

import sqlalchemy as sa

from learningweek.accounts import services as accounts
from learningweek.core.enums import NotificationKind, PromotionMode, RoomKind, SignupStatus
from learningweek.editions import services as editions
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.signups import services
from tests.factories import make_room, make_user
from tests.integration.calendar.helpers import personal_url
from tests.integration.signups.helpers import (
    NOW,
    at,
    confirmed,
    people,
    placed_run,
    published_edition,
    sign_up_all,
    statuses,
    waitlist,
)

K = NotificationKind


def told(user) -> list[tuple[NotificationKind, int | None, str | None]]:
    """Each message queued for the person: its kind, run and calendar method, in order."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Notification.kind, Notification.run_id, Notification.calendar_method)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.id)
    )
    return [tuple(row) for row in rows.all()]


def last_message(user) -> Notification:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.id.desc())
    ).first()


def test_cancelling_your_own_seat_tells_you_and_cancels_the_calendar_event(edition):
    run = placed_run(edition, room=make_room(capacity=1))
    alice, bo = people(2)
    seat, _ = sign_up_all(run, [alice, bo])

    services.cancel_signup(db.session, seat, actor=alice, now=NOW)
    db.session.commit()

    assert told(alice) == [(K.SIGNED_UP, run.id, "REQUEST"), (K.SIGNUP_CANCELLED, run.id, "CANCEL")]
    assert told(bo)[-1] == (K.SEAT_CONFIRMED, run.id, "REQUEST")


def test_leaving_a_waitlist_tells_you_without_touching_your_calendar(edition):
    run = placed_run(edition, room=make_room(capacity=1))
    alice, bo = people(2)
    _, waiting = sign_up_all(run, [alice, bo])

    services.cancel_signup(db.session, waiting, actor=bo, now=NOW)
    db.session.commit()

    assert told(bo) == [(K.WAITLISTED, None, None), (K.SIGNUP_CANCELLED, None, None)]
    assert "no longer on the waitlist" in last_message(bo).body


def test_switching_runs_sends_the_new_run_and_cancels_the_old_one(edition):
    first = placed_run(edition, starts_at=at(10))
    second = placed_run(edition, session=first.learning_session, starts_at=at(10, day=9))
    alice = make_user()
    (seat,) = sign_up_all(first, [alice])

    services.switch_run(db.session, seat, second, actor=alice, now=NOW)
    db.session.commit()

    assert told(alice) == [
        (K.SIGNED_UP, first.id, "REQUEST"),
        (K.SWITCHED, second.id, "REQUEST"),
        (K.SWITCHED, first.id, "CANCEL"),
    ]


def test_accepting_an_offered_seat_sends_the_invitation(app):
    edition = published_edition(promotion_mode=PromotionMode.OFFER, offer_hours=2)
    run = placed_run(edition, room=make_room(capacity=1))
    alice, bo = people(2)
    seat, waiting = sign_up_all(run, [alice, bo])
    services.cancel_signup(db.session, seat, actor=alice, now=NOW)
    db.session.commit()

    services.accept_offer(db.session, waiting, actor=bo, now=NOW)
    db.session.commit()

    assert told(bo) == [
        (K.WAITLISTED, None, None),
        (K.SEAT_OFFERED, None, None),
        (K.OFFER_ACCEPTED, run.id, "REQUEST"),
    ]


def test_a_waiting_person_passed_over_for_a_clash_is_told_why(edition):
    run = placed_run(edition, starts_at=at(10), room=make_room(capacity=1))
    other = placed_run(edition, starts_at=at(10, 30), title="Other talk")
    alice, bo, cy = people(3)
    seat, _, _ = sign_up_all(run, [alice, bo, cy])
    (bo_elsewhere,) = sign_up_all(other, [bo])

    services.cancel_signup(db.session, seat, actor=alice, now=NOW)
    db.session.commit()

    assert confirmed(run) == {cy.id}
    assert waitlist(run) == [bo.id]
    assert bo_elsewhere.status == SignupStatus.CONFIRMED
    message = last_message(bo)
    assert message.kind == K.PASSED_OVER
    assert "“Other talk”" in message.body
    assert "went to the next person waiting" in message.body


def test_deactivating_an_account_releases_its_seats_and_promotes_the_waitlist(edition, organizer):
    run = placed_run(edition, room=make_room(capacity=1))
    other = placed_run(edition, starts_at=at(10, day=9), room=make_room(capacity=1))
    alice, bo, cy = people(3)
    sign_up_all(run, [alice, bo])
    sign_up_all(other, [cy, alice])

    accounts.set_active(db.session, alice, False, actor=organizer, now=NOW)
    db.session.commit()

    assert statuses(run)[alice.id] == SignupStatus.CANCELLED
    assert statuses(other)[alice.id] == SignupStatus.CANCELLED
    assert confirmed(run) == {bo.id}
    assert told(bo)[-1] == (K.SEAT_CONFIRMED, run.id, "REQUEST")
    assert told(alice)[-2:] == [(K.SEAT_RELEASED, run.id, "CANCEL"), (K.SEAT_RELEASED, None, None)]


def test_a_deactivated_accounts_personal_feed_stops_answering(client, edition, organizer):
    run = placed_run(edition)
    alice = make_user(email="alice@example.com")
    sign_up_all(run, [alice])
    url = personal_url(client, "alice@example.com")
    assert client.get(url).status_code == 200

    accounts.set_active(db.session, alice, False, actor=organizer, now=NOW)
    db.session.commit()

    assert client.get(url).status_code == 404


def test_renaming_a_room_tells_its_people_and_updates_seat_holders_calendars(edition):
    room = make_room(name="Ada", capacity=1, location="Floor 1")
    run = placed_run(edition, room=room)
    alice, bo = people(2)
    sign_up_all(run, [alice, bo])

    editions.update_room(
        db.session,
        room,
        editions.RoomData(name="Lovelace", kind=room.kind, capacity=1, location="Floor 2"),
        now=NOW,
    )
    db.session.commit()

    assert told(alice)[-1] == (K.PLACE_CHANGED, run.id, "REQUEST")
    assert told(bo)[-1] == (K.PLACE_CHANGED, None, None)
    assert "now takes place in Lovelace, Floor 2 (it was Ada, Floor 1)" in last_message(bo).body


def test_a_new_meeting_link_reaches_the_seat_holders_calendars(edition):
    room = make_room(
        name="Stream", kind=RoomKind.ONLINE, capacity=1, meeting_url="https://meet.test/old"
    )
    run = placed_run(edition, room=room)
    alice, bo = people(2)
    sign_up_all(run, [alice, bo])

    editions.update_room(
        db.session,
        room,
        editions.RoomData(
            name="Stream", kind=room.kind, capacity=1, meeting_url="https://meet.test/new"
        ),
        now=NOW,
    )
    db.session.commit()

    assert told(alice)[-1] == (K.PLACE_CHANGED, run.id, "REQUEST")
    assert last_message(alice).subject.startswith("New meeting link")
    assert told(bo) == [(K.WAITLISTED, None, None)]
