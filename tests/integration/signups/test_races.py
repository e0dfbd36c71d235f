"""Races (PostgreSQL): a sign-up while the scheduler solves, a cancel of a sign-up another
tab just switched."""

import dataclasses

import pytest
from sqlalchemy.orm import Session

from learningweek.accounts.models import User
from learningweek.core.enums import SignupStatus
from learningweek.core.errors import DomainError
from learningweek.extensions import db
from learningweek.schedule import services as schedule
from learningweek.schedule.conflicts import Settings
from learningweek.schedule.models import Run
from learningweek.signups import services
from learningweek.signups.models import Signup
from tests.factories import make_organizer, make_room, make_signup, make_user
from tests.integration.signups.helpers import NOW, at, placed_run, published_edition, statuses

S = SignupStatus


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
