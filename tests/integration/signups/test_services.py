"""The sign-up service: every rule and refusal, promotion in both modes, capacity changes."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from learningweek.core.database import utcnow
from learningweek.core.enums import (
    Attendance,
    NotificationKind,
    PromotionMode,
    ProposalStatus,
    RoomKind,
    SignupStatus,
)
from learningweek.core.errors import DomainError, NotAllowed, ValidationFailed
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.proposals import services as proposals
from learningweek.schedule import services as schedule
from learningweek.schedule.conflicts import Settings
from learningweek.signups import services
from learningweek.signups.models import Signup
from tests.factories import make_organizer, make_room, make_user
from tests.integration.signups.helpers import (
    NOW,
    at,
    confirmed,
    pass_on_all_due_offers,
    placed_run,
    published_edition,
    statuses,
    utc,
    waitlist,
)

S = SignupStatus


@pytest.fixture
def edition(app):
    return published_edition()


@pytest.fixture
def organizer(app):
    return make_organizer(email="boss@example.com")


def people(count: int):
    return [make_user() for _ in range(count)]


def sign_up_all(run, users, *, start=NOW):
    """Sign people up one minute apart, in order, committing each."""
    signups = []
    for offset, user in enumerate(users):
        signups.append(
            services.sign_up(db.session, run, user, now=start + timedelta(minutes=offset))
        )
        db.session.commit()
    return signups


def kinds_for(user) -> list[NotificationKind]:
    return list(
        db.session.scalars(sa.select(Notification.kind).where(Notification.recipient_id == user.id))
    )


# --- seats and the waitlist -------------------------------------------------------------------


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


# --- cancelling and promotion -----------------------------------------------------------------


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


# --- offers -----------------------------------------------------------------------------------


@pytest.fixture
def offering(app):
    return published_edition(promotion_mode=PromotionMode.OFFER, offer_hours=12)


def test_in_offer_mode_a_freed_seat_is_held_for_the_next_person(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    seat, _, _ = sign_up_all(run, [alice, bo, cy])
    later = NOW + timedelta(hours=1)

    services.cancel_signup(db.session, seat, actor=alice, now=later)
    db.session.commit()

    offer = db.session.scalar(sa.select(Signup).where(Signup.user_id == bo.id))
    assert offer.status == S.OFFERED
    assert offer.offer_expires_at == later + timedelta(hours=12)
    assert services.seat_counts(db.session, [run], later)[run.id].free == 0
    assert kinds_for(bo) == [NotificationKind.WAITLISTED, NotificationKind.SEAT_OFFERED]
    # The held seat is not up for grabs: a newcomer waits behind the others.
    assert services.sign_up(db.session, run, make_user(), now=later).status == S.WAITLISTED


def _offer_to_bo(run, people_):
    alice, bo, cy = people_
    seat, _, _ = sign_up_all(run, [alice, bo, cy])
    services.cancel_signup(db.session, seat, actor=alice, now=NOW)
    db.session.commit()
    return db.session.scalar(sa.select(Signup).where(Signup.user_id == bo.id))


def test_accepting_an_offer_confirms_the_seat(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    offer = _offer_to_bo(run, [alice, bo, cy])

    services.accept_offer(db.session, offer, actor=bo, now=NOW + timedelta(hours=2))
    db.session.commit()

    assert confirmed(run) == {bo.id}
    assert waitlist(run) == [cy.id]


def test_declining_an_offer_passes_it_to_the_next_person(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    offer = _offer_to_bo(run, [alice, bo, cy])

    services.decline_offer(db.session, offer, actor=bo, now=NOW + timedelta(hours=2))
    db.session.commit()

    assert statuses(run)[bo.id] == S.DECLINED
    assert statuses(run)[cy.id] == S.OFFERED


def test_an_expired_offer_passes_on_through_the_cron_command(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    _offer_to_bo(run, [alice, bo, cy])

    expired = pass_on_all_due_offers(NOW + timedelta(hours=12))
    db.session.commit()

    assert expired == 1
    assert statuses(run)[bo.id] == S.EXPIRED
    assert statuses(run)[cy.id] == S.OFFERED
    assert NotificationKind.OFFER_EXPIRED in kinds_for(bo)


def test_an_expired_offer_is_passed_on_lazily_when_the_run_is_next_written(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    _offer_to_bo(run, [alice, bo, cy])
    later = NOW + timedelta(hours=13)

    assert services.seat_counts(db.session, [run], later)[run.id].taken == 0  # holds nothing
    newcomer = services.sign_up(db.session, run, make_user(), now=later)
    db.session.commit()

    assert statuses(run)[bo.id] == S.EXPIRED
    assert statuses(run)[cy.id] == S.OFFERED  # cy waited longer than the newcomer
    assert newcomer.status == S.WAITLISTED


def test_accepting_an_expired_offer_is_refused(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    offer = _offer_to_bo(run, [alice, bo, cy])

    with pytest.raises(services.SignupRefused, match="expired"):
        services.accept_offer(db.session, offer, actor=bo, now=NOW + timedelta(hours=12))


def test_expire_offers_command_passes_on_what_ran_out(offering, runner):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    offer = _offer_to_bo(run, [alice, bo, cy])
    offer.offer_expires_at = utcnow() - timedelta(minutes=1)  # the command reads the clock
    db.session.commit()

    result = runner.invoke(args=["expire-offers"])

    assert result.output.strip() == "1 expired offer passed on."
    assert statuses(run)[cy.id] == S.OFFERED


# --- switching runs ---------------------------------------------------------------------------


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


# --- capacity changes -------------------------------------------------------------------------


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


# --- an extra run for an overflowing waitlist ---------------------------------------------


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


# --- cancelled runs ---------------------------------------------------------------------------


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


# --- check-in ---------------------------------------------------------------------------------


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


def test_online_rooms_seat_up_to_their_limit(edition):
    online = make_room(kind=RoomKind.ONLINE, capacity=2, meeting_url="https://meet.example/x")
    run = placed_run(edition, room=online, format="online")
    signups = sign_up_all(run, people(3))

    assert [s.status for s in signups] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED]
