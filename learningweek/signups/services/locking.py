"""The lock order every sign-up write follows, so no two writers wait on each other in a
circle: a session's row, then its edition (proposal and board changes take these), then
runs by id, then people by id. Each group is locked in one statement, and nothing after
the people."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup
from learningweek.signups.services.errors import SignupChanged
from learningweek.signups.services.queries import waiting_people


def lock_runs(db_session: DbSession, runs: Iterable[Run]) -> None:
    """Re-read runs under a lock, in id order, with what their capacity depends on."""
    runs = list(runs)
    if not runs:
        return
    # The session, its edition and the room come in the same statement, read afresh
    # like the runs; only the runs' rows are locked.
    db_session.execute(
        sa.select(Run)
        .where(Run.id.in_([run.id for run in runs]))
        .order_by(Run.id)
        .options(
            joinedload(Run.learning_session).joinedload(LearningSession.edition),
            joinedload(Run.room),
        )
        .with_for_update(of=Run)
        .execution_options(populate_existing=True)
    ).unique().all()


def lock_people(db_session: DbSession, user_ids: Iterable[int]) -> None:
    """Lock people in id order: a person's seats are decided one transaction at a time,
    so a promotion and their own sign-up elsewhere cannot both put them in a clash.

    Each person is read afresh under the lock: a deactivation that committed while this
    transaction waited is seen, so nobody deactivated takes a seat.
    """
    ids = sorted(set(user_ids))
    if ids:
        db_session.scalars(
            sa.select(User)
            .where(User.id.in_(ids))
            .order_by(User.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()


def lock_people_for(
    db_session: DbSession, runs: Iterable[Run], *, people: Iterable[int] = ()
) -> None:
    """Lock `people` and everyone a seat in `runs` may go to now (after their locks)."""
    lock_people(db_session, {*people, *waiting_people(db_session, runs)})


def lock_signup(db_session: DbSession, signup: Signup, *also: Run) -> Signup:
    """Lock the sign-up's run (and `also`), then re-read the sign-up under the lock."""
    run = signup.run
    lock_runs(db_session, [run, *also])
    signup = db_session.execute(
        sa.select(Signup)
        .where(Signup.id == signup.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if signup.run_id != run.id:
        raise SignupChanged("Your sign-up changed a moment ago; look at it again and retry.")
    return signup
