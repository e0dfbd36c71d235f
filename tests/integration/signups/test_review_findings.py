"""Regressions from the independent review: lock order, room resizes, races with the
scheduler and with a switch, switching out of a started run, offers shown after expiry."""

import collections
import dataclasses
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from learningweek.accounts.models import User
from learningweek.core.database import begin_write_transaction, utcnow
from learningweek.core.enums import Attendance, PromotionMode, SessionFormat, SignupStatus
from learningweek.core.errors import DomainError, ValidationFailed
from learningweek.editions import services as editions
from learningweek.editions.models import Room
from learningweek.extensions import db
from learningweek.proposals import services as proposals
from learningweek.proposals.models import LearningSession
from learningweek.schedule import services as schedule
from learningweek.schedule.conflicts import Settings
from learningweek.schedule.models import Run
from learningweek.signups import services
from learningweek.signups.models import Signup
from tests.conftest import log_in
from tests.factories import make_organizer, make_room, make_signup, make_user
from tests.integration.html import page
from tests.integration.signups.helpers import (
    NOW,
    at,
    confirmed,
    placed_run,
    published_edition,
    statuses,
    waitlist,
)

S = SignupStatus


@pytest.fixture
def on_postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite write transactions take the database lock before reading (BEGIN "
            "IMMEDIATE), so these interleavings cannot happen there"
        )


def run_interleaved(tasks, pause_before) -> list[object]:
    """Run tasks in threads with sessions of their own; each pauses once, on a shared
    barrier, just before the first statement `pause_before(index, statement)` picks, so
    both hold their first locks when they go on. Returns what each returned or raised."""
    engine = db.engine
    start, meet = threading.Barrier(len(tasks)), threading.Barrier(len(tasks))
    outcomes: list[object] = [None] * len(tasks)
    local = threading.local()

    def hook(conn, cursor, statement, parameters, context, executemany):
        index = getattr(local, "index", None)
        if index is None or getattr(local, "paused", False):
            return
        if pause_before(index, statement):
            local.paused = True
            try:
                meet.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass  # the other one is waiting on our lock: exactly the case under test

    def work(index: int) -> None:
        local.index = index
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            begin_write_transaction(session)
            try:
                outcomes[index] = tasks[index](session)
                session.commit()
            except Exception as error:  # noqa: BLE001  (a deadlock is what we look for)
                session.rollback()
                outcomes[index] = error

    sa.event.listen(engine, "before_cursor_execute", hook)
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(tasks))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sa.event.remove(engine, "before_cursor_execute", hook)
    db.session.rollback()
    return outcomes


def locking(table: str, nth: dict[int, int]):
    """Pause task i before its nth[i]-th `SELECT … FROM table … FOR UPDATE`."""
    counts: collections.Counter = collections.Counter()

    def pause(index: int, statement: str) -> bool:
        if f"FROM {table}" in statement and "FOR UPDATE" in statement:
            counts[index] += 1
            return counts[index] == nth.get(index, 0)
        return False

    return pause


def errors(outcomes) -> list[Exception]:
    return [o for o in outcomes if isinstance(o, Exception) and not hasattr(o, "message")]


# --- lock order (PostgreSQL) ------------------------------------------------------------


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


# --- room capacity ------------------------------------------------------------------------


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


# --- races ------------------------------------------------------------------------------


def test_a_sign_up_during_the_solve_stops_the_scheduler_moving_that_run(on_postgres, monkeypatch):
    edition = published_edition()
    room = make_room(capacity=30)
    run = placed_run(edition, starts_at=at(10), room=room)
    alice, boss = make_user(), make_organizer()
    run_id, alice_id, room_id = run.id, alice.id, room.id
    solve = schedule.solver.solve

    def solve_while_someone_signs_up(problem, **limits):
        result = solve(problem, **limits)
        with Session(db.engine) as request:  # a web request during the solve
            services.sign_up(
                request, request.get(Run, run_id), request.get(User, alice_id), now=NOW
            )
            request.commit()
        placements = dict(result.placements) | {run_id: (at(14), room_id)}
        return dataclasses.replace(result, placements=placements)

    monkeypatch.setattr(schedule.solver, "solve", solve_while_someone_signs_up)

    with pytest.raises(DomainError, match="signed up .* while it worked"):
        schedule.schedule_edition(
            db.session, edition, actor=boss, now=NOW, settings=Settings(), time_limit=1
        )
    db.session.rollback()

    assert db.session.get(Run, run_id).starts_at == at(10)


def test_cancelling_a_sign_up_that_just_switched_runs_changes_nothing(on_postgres):
    edition = published_edition()
    a1 = placed_run(edition, starts_at=at(10), room=make_room(capacity=1))
    a2 = placed_run(
        edition, session=a1.learning_session, starts_at=at(10, day=9), room=make_room(capacity=1)
    )
    alice = make_user()
    mine = make_signup(a1, alice)
    stale = Session(db.engine)
    stale_signup = stale.get(Signup, mine.id)
    stale_signup.run.learning_session.edition  # noqa: B018  (the page loaded it before the switch)
    with Session(db.engine) as other_tab:
        signup = other_tab.get(Signup, mine.id)
        services.switch_run(
            other_tab, signup, other_tab.get(Run, a2.id), actor=signup.user, now=NOW
        )
        other_tab.commit()

    try:
        with pytest.raises(services.SignupChanged):
            services.cancel_signup(stale, stale_signup, actor=stale_signup.user, now=NOW)
    finally:
        stale.rollback()
        stale.close()

    assert statuses(a2) == {alice.id: S.CONFIRMED}


# --- switching, offers and hybrid links --------------------------------------------------


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


def test_a_page_showing_a_run_passes_its_expired_offers_on(app, client):
    edition = published_edition(promotion_mode=PromotionMode.OFFER)
    run = placed_run(edition, starts_at=at(10), room=make_room(capacity=1))
    late, waiting = make_user(), make_user(email="waiting@example.com")
    make_signup(
        run, late, status=S.OFFERED, confirmed_at=None, offer_expires_at=utcnow() - timedelta(1)
    )
    make_signup(run, waiting, status=S.WAITLISTED, confirmed_at=None)
    log_in(client, "waiting@example.com")

    text = page(client.get(f"/sessions/{run.session_id}")).select_one(".runs").get_text(" ")

    assert "A seat is held for you" in " ".join(text.split())
    assert statuses(run) == {late.id: S.EXPIRED, waiting.id: S.OFFERED}


def test_hybrid_attendees_with_a_seat_see_the_meeting_link(app, client):
    room = make_room(equipment=["video"], meeting_url="https://meet.example.com/hybrid")
    run = placed_run(published_edition(), room=room, format=SessionFormat.HYBRID)
    make_signup(run, make_user(email="seated@example.com"))
    log_in(client, "seated@example.com")

    assert "https://meet.example.com/hybrid" in client.get(f"/sessions/{run.session_id}").get_data(
        as_text=True
    )
