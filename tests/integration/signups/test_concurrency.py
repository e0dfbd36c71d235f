"""Simultaneous requests, each in its own thread and database connection, never overbook.

They run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL: the rules are held by
row locks (PostgreSQL), BEGIN IMMEDIATE (SQLite) and the partial unique index.
"""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from learningweek.accounts.models import User
from learningweek.core.database import begin_write_transaction
from learningweek.core.enums import SignupStatus
from learningweek.core.errors import DomainError
from learningweek.extensions import db
from learningweek.schedule.models import Run
from learningweek.signups import services
from learningweek.signups.models import Signup
from tests.factories import make_room, make_user
from tests.integration.signups.helpers import NOW, placed_run, published_edition, waitlist

S = SignupStatus


def run_at_once(tasks: list[Callable[[Session], object]]) -> list[object]:
    """Run each task in its own thread and session, all released together; returns what
    each returned or raised."""
    engine = db.engine
    start = threading.Barrier(len(tasks))
    outcomes: list[object] = [None] * len(tasks)

    def work(index: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            begin_write_transaction(session)
            try:
                outcomes[index] = tasks[index](session)
                session.commit()
            except DomainError as error:
                session.rollback()
                outcomes[index] = error

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(tasks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()  # end the test's snapshot to see what the threads committed
    return outcomes


def sign_up_task(run_id: int, user_id: int, now):
    def task(session: Session):
        return services.sign_up(
            session, session.get(Run, run_id), session.get(User, user_id), now=now
        )

    return task


@pytest.fixture
def full_house(app):
    """A run of capacity 10."""
    return placed_run(published_edition(), room=make_room(capacity=10))


def test_fifty_simultaneous_sign_ups_fill_ten_seats_and_queue_forty(full_house):
    run = full_house
    users = [make_user() for _ in range(50)]

    outcomes = run_at_once(
        [sign_up_task(run.id, user.id, NOW + timedelta(seconds=i)) for i, user in enumerate(users)]
    )

    assert [o for o in outcomes if not isinstance(o, Signup)] == []
    rows = db.session.execute(
        sa.select(Signup.user_id, Signup.status).where(Signup.run_id == run.id)
    ).all()
    assert len(rows) == 50
    assert len({user for user, _ in rows}) == 50
    assert sum(1 for _, status in rows if status == S.CONFIRMED) == 10
    positions = services.waitlist_positions(db.session, [run.id])
    assert sorted(positions.values()) == list(range(1, 41))
    assert len(waitlist(run)) == 40


def test_twenty_simultaneous_double_submits_leave_one_sign_up(full_house):
    run = full_house
    alice = make_user()

    outcomes = run_at_once([sign_up_task(run.id, alice.id, NOW) for _ in range(20)])

    assert sum(isinstance(o, Signup) for o in outcomes) == 1
    assert all(isinstance(o, services.AlreadyDone) for o in outcomes if not isinstance(o, Signup))
    count = db.session.scalar(sa.select(sa.func.count()).where(Signup.user_id == alice.id))
    assert count == 1


def test_simultaneous_cancellations_promote_exactly_as_many_as_freed(full_house):
    run = full_house
    users = [make_user() for _ in range(16)]
    for i, user in enumerate(users):
        services.sign_up(db.session, run, user, now=NOW + timedelta(seconds=i))
        db.session.commit()
    leaving = db.session.scalars(
        sa.select(Signup.id).where(Signup.run_id == run.id, Signup.status == S.CONFIRMED).limit(4)
    ).all()

    def cancel_task(signup_id: int):
        def task(session: Session):
            signup = session.get(Signup, signup_id)
            return services.cancel_signup(
                session, signup, actor=signup.user, now=NOW + timedelta(hours=1)
            )

        return task

    outcomes = run_at_once([cancel_task(signup_id) for signup_id in leaving])

    assert sum(len(promoted) for promoted in outcomes) == 4
    statuses = db.session.scalars(sa.select(Signup.status).where(Signup.run_id == run.id)).all()
    assert statuses.count(S.CONFIRMED) == 10
    assert statuses.count(S.WAITLISTED) == 2
    assert statuses.count(S.CANCELLED) == 4


def test_simultaneous_sign_ups_for_two_runs_of_one_session_leave_one(app):
    edition = published_edition()
    first = placed_run(edition)
    second = placed_run(
        edition, session=first.learning_session, starts_at=first.starts_at + timedelta(days=1)
    )
    alice = make_user()

    outcomes = run_at_once(
        [sign_up_task(run.id, alice.id, NOW) for run in (first, second) for _ in range(5)]
    )

    assert sum(isinstance(o, Signup) for o in outcomes) == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(Signup.user_id == alice.id)) == 1
