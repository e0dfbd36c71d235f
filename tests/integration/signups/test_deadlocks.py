"""Lock order (PostgreSQL): writers that lock runs, editions and people in one order
never wait on each other in a circle."""

import dataclasses
from datetime import timedelta

from learningweek.accounts.models import User
from learningweek.core.enums import PromotionMode, SignupStatus
from learningweek.editions.models import Room
from learningweek.proposals import services as proposals
from learningweek.proposals.models import LearningSession
from learningweek.schedule import services as schedule
from learningweek.schedule.conflicts import Settings
from learningweek.schedule.models import Run
from learningweek.signups import services
from learningweek.signups.models import Signup
from tests.factories import make_organizer, make_room, make_signup, make_user
from tests.integration.signups.helpers import NOW, at, placed_run, published_edition
from tests.integration.signups.interleaving import errors, locking, run_interleaved

S = SignupStatus


def test_two_sign_ups_that_pass_on_expired_offers_do_not_deadlock(on_postgres):
    edition = published_edition(promotion_mode=PromotionMode.OFFER, offer_hours=2)
    a = placed_run(edition, starts_at=at(10, day=8), room=make_room(capacity=1))
    b = placed_run(edition, starts_at=at(10, day=9), room=make_room(capacity=1))
    low, high, x, y = (make_user() for _ in range(4))
    expired = NOW - timedelta(minutes=1)
    make_signup(a, x, status=S.OFFERED, offer_expires_at=expired, confirmed_at=None)
    make_signup(a, low, status=S.WAITLISTED, confirmed_at=None)
    make_signup(b, y, status=S.OFFERED, offer_expires_at=expired, confirmed_at=None)
    make_signup(b, high, status=S.WAITLISTED, confirmed_at=None)

    def sign_up(run_id, user_id):
        return lambda s: services.sign_up(s, s.get(Run, run_id), s.get(User, user_id), now=NOW)

    outcomes = run_interleaved(
        [sign_up(a.id, high.id), sign_up(b.id, low.id)], locking("users", {0: 1, 1: 1})
    )

    assert errors(outcomes) == []
    assert all(isinstance(o, Signup) for o in outcomes)


def test_a_switch_and_a_cancellation_do_not_deadlock(on_postgres):
    edition = published_edition()
    a1 = placed_run(edition, starts_at=at(10, day=8), room=make_room(capacity=1))
    a2 = placed_run(
        edition, session=a1.learning_session, starts_at=at(14, day=8), room=make_room(capacity=5)
    )
    b = placed_run(edition, starts_at=at(10, day=10), room=make_room(capacity=1))
    low, high, z = make_user(), make_user(), make_user()
    moving = make_signup(a1, high)
    make_signup(a1, low, status=S.WAITLISTED, confirmed_at=None)
    leaving = make_signup(b, z)
    make_signup(b, low, status=S.WAITLISTED, confirmed_at=None, queued_at=NOW)
    make_signup(b, high, status=S.WAITLISTED, confirmed_at=None, queued_at=NOW + timedelta(1))
    moving_id, leaving_id, a2_id = moving.id, leaving.id, a2.id

    def switch(s):
        signup = s.get(Signup, moving_id)
        return services.switch_run(s, signup, s.get(Run, a2_id), actor=signup.user, now=NOW)

    def cancel(s):
        signup = s.get(Signup, leaving_id)
        return services.cancel_signup(s, signup, actor=signup.user, now=NOW)

    outcomes = run_interleaved([switch, cancel], locking("users", {0: 1, 1: 1}))

    assert errors(outcomes) == []


def test_a_teacher_edit_and_an_extra_run_do_not_deadlock(on_postgres):
    edition = published_edition()
    run = placed_run(edition, starts_at=at(10), room=make_room(capacity=1))
    extra_room = make_room(capacity=5)
    make_signup(run, make_user())
    make_signup(run, make_user(), status=S.WAITLISTED, confirmed_at=None)
    boss = make_organizer()
    run_id, room_id, boss_id, session_id = run.id, extra_room.id, boss.id, run.session_id
    lead_id = run.learning_session.lead_id

    def teacher_edit(s):
        learning_session = s.get(LearningSession, session_id)
        data = proposals.proposal_data_from(learning_session)
        data = dataclasses.replace(data, title="Polished title")
        return proposals.update_proposal(
            s, learning_session, data, actor=s.get(User, lead_id), now=NOW
        )

    def extra_run(s):
        return schedule.add_run_for_waitlist(
            s,
            s.get(Run, run_id),
            at(14),
            s.get(Room, room_id),
            actor=s.get(User, boss_id),
            now=NOW,
            settings=Settings(),
        )

    outcomes = run_interleaved([teacher_edit, extra_run], locking("editions", {0: 1, 1: 1}))

    assert errors(outcomes) == []


def test_a_deactivation_and_a_cancellation_promoting_that_person_do_not_deadlock(on_postgres):
    from learningweek.accounts import services as accounts

    edition = published_edition()
    run = placed_run(edition, starts_at=at(10), room=make_room(capacity=1))
    holder, leaving = make_user(), make_user()
    boss = make_organizer()
    seat = make_signup(run, holder)
    make_signup(run, leaving, status=S.WAITLISTED, confirmed_at=None)
    seat_id, leaving_id, boss_id = seat.id, leaving.id, boss.id

    def deactivate(s):
        return accounts.set_active(
            s, s.get(User, leaving_id), False, actor=s.get(User, boss_id), now=NOW
        )

    def cancel(s):
        signup = s.get(Signup, seat_id)
        return services.cancel_signup(s, signup, actor=signup.user, now=NOW)

    def pause(index: int, statement: str) -> bool:
        # The deactivation just before it locks runs; the cancellation, holding the run,
        # just before it locks the people waiting for it (the deactivated one among them).
        table = "runs" if index == 0 else "users"
        return f"FROM {table}" in statement and "FOR UPDATE" in statement

    outcomes = run_interleaved([deactivate, cancel], pause)

    assert errors(outcomes) == []
