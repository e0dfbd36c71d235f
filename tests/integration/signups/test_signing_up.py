"""Signing up: seats until the run is full, then the waitlist in order; every refusal and clash."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from learningweek.core.enums import ProposalStatus, RoomKind, SignupStatus
from learningweek.extensions import db
from learningweek.signups import services
from learningweek.signups.models import Signup
from tests.factories import make_room, make_user
from tests.integration.signups.helpers import (
    NOW,
    at,
    people,
    placed_run,
    sign_up_all,
    utc,
    waitlist,
)

S = SignupStatus

# --- seats and the waitlist ----------------------------------------------------------------


def test_sign_up_confirms_until_full_then_waitlists_in_order(edition):
    run = placed_run(edition, room=make_room(capacity=2))
    alice, bo, cy, di = people(4)

    signups = sign_up_all(run, [alice, bo, cy, di])

    assert [s.status for s in signups] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    assert waitlist(run) == [cy.id, di.id]
    assert services.seat_counts(db.session, [run], NOW)[run.id] == services.SeatCount(2, 2, 2)


def test_who_reaches_the_locked_run_later_queues_later_and_keeps_the_place_told(edition):
    # Bo's request began later but took the run's lock first: he was told number 1,
    # and Cy, whose clock was earlier, must not slip in ahead of him.
    run = placed_run(edition, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    services.sign_up(db.session, run, alice, now=NOW)
    bo_signup = services.sign_up(db.session, run, bo, now=NOW + timedelta(seconds=2))
    told = services.waitlist_positions(db.session, [run.id])[bo_signup.id]
    db.session.commit()

    services.sign_up(db.session, run, cy, now=NOW + timedelta(seconds=1))
    db.session.commit()

    assert told == 1
    assert waitlist(run) == [bo.id, cy.id]


@pytest.mark.parametrize(
    ("maximum", "room_seats", "seat_limit", "capacity"),
    [(30, 12, None, 12), (8, 50, None, 8), (30, 50, 5, 5), (4, 50, 10, 4)],
    ids=["room-smaller", "maximum-smaller", "seat-limit-smallest", "limit-above-maximum"],
)
def test_effective_capacity_is_the_smallest_limit(
    edition, maximum, room_seats, seat_limit, capacity
):
    run = placed_run(edition, room=make_room(capacity=room_seats), max_participants=maximum)
    run.seat_limit = seat_limit

    assert run.capacity == capacity


def test_online_rooms_seat_up_to_their_limit(edition):
    online = make_room(kind=RoomKind.ONLINE, capacity=2, meeting_url="https://meet.example/x")
    run = placed_run(edition, room=online, format="online")
    signups = sign_up_all(run, people(3))

    assert [s.status for s in signups] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED]


def test_a_repeated_sign_up_changes_nothing_and_says_so(edition):
    run = placed_run(edition)
    alice = make_user()
    services.sign_up(db.session, run, alice, now=NOW)
    db.session.commit()

    with pytest.raises(services.AlreadyDone, match="already have a seat"):
        services.sign_up(db.session, run, alice, now=NOW)

    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 1


def test_one_active_sign_up_per_session_across_its_runs(edition):
    first = placed_run(edition, starts_at=at(10))
    second = placed_run(edition, session=first.learning_session, starts_at=at(10, day=9))
    alice = make_user()
    services.sign_up(db.session, first, alice, now=NOW)
    db.session.commit()

    with pytest.raises(services.SignupRefused, match="another run of this session"):
        services.sign_up(db.session, second, alice, now=NOW)


def test_the_database_refuses_a_second_active_sign_up_for_a_session(edition):
    first = placed_run(edition, starts_at=at(10))
    second = placed_run(edition, session=first.learning_session, starts_at=at(10, day=9))
    alice = make_user()
    for run in (first, second):
        db.session.add(
            Signup(run_id=run.id, session_id=run.session_id, user_id=alice.id, status=S.WAITLISTED)
        )

    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


# --- refusals and clashes ------------------------------------------------------------------


def _cancel_run(run):
    run.cancelled_at = NOW


def _unpublish(run):
    run.learning_session.edition.is_published = False


def _cancel_session(run):
    run.learning_session.status = ProposalStatus.CANCELLED


@pytest.mark.parametrize(
    ("change", "now", "message"),
    [
        (None, utc(2027, 2, 1), "Sign-up opens"),
        (None, utc(2027, 3, 12, 12), "Sign-up closed"),
        (None, at(15, 30, day=12), "already started"),
        (_cancel_run, NOW, "cancelled"),
        (_unpublish, NOW, "not published"),
        (_cancel_session, NOW, "not on the programme"),
    ],
    ids=[
        "before-window",
        "after-window",
        "run-started",
        "run-cancelled",
        "unpublished",
        "session-cancelled",
    ],
)
def test_sign_up_is_refused_with_a_clear_message(edition, change, now, message):
    run = placed_run(edition, starts_at=at(15, day=12))
    if change:
        change(run)
        db.session.commit()

    with pytest.raises(services.SignupRefused, match=message):
        services.sign_up(db.session, run, make_user(), now=now)


def test_teachers_cannot_sign_up_for_their_own_session(edition):
    lead, co_teacher = make_user(), make_user()
    run = placed_run(edition, lead=lead)
    run.learning_session.co_teachers.append(co_teacher)
    db.session.commit()

    for teacher in (lead, co_teacher):
        with pytest.raises(services.SignupRefused, match="You teach this session"):
            services.sign_up(db.session, run, teacher, now=NOW)
        db.session.rollback()


def test_a_clash_with_a_confirmed_run_is_refused_naming_it(edition):
    kanban = placed_run(edition, starts_at=at(10), title="Kanban in practice")
    overlapping = placed_run(edition, starts_at=at(10, 30))
    alice = make_user()
    services.sign_up(db.session, kanban, alice, now=NOW)
    db.session.commit()

    with pytest.raises(services.ScheduleClash, match="“Kanban in practice”"):
        services.sign_up(db.session, overlapping, alice, now=NOW)


def test_a_clash_with_a_run_you_teach_is_refused(edition):
    alice = make_user()
    placed_run(edition, starts_at=at(10), lead=alice, title="Alice's talk")
    overlapping = placed_run(edition, starts_at=at(10))

    with pytest.raises(services.ScheduleClash, match="You teach “Alice's talk”"):
        services.sign_up(db.session, overlapping, alice, now=NOW)


def test_back_to_back_runs_do_not_clash(edition):
    first = placed_run(edition, starts_at=at(10), duration_minutes=60)
    second = placed_run(edition, starts_at=at(11))
    alice = make_user()
    sign_up_all(first, [alice])

    assert services.sign_up(db.session, second, alice, now=NOW).status == S.CONFIRMED
