"""`flask demo --size large` at a small scale: the bulk rows keep the domain's invariants."""

from collections import defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from learningweek.core.enums import ACTIVE_SIGNUP_STATUSES, SignupStatus
from learningweek.editions.models import Edition
from learningweek.extensions import db
from learningweek.schedule.conflicts import settings_from
from learningweek.schedule.models import Run
from learningweek.schedule.services import load_board
from learningweek.signups.models import Signup


@pytest.fixture
def large_demo(runner):
    result = runner.invoke(args=["demo", "--size", "large", "--scale", "0.01"])
    assert result.exit_code == 0, result.output
    return result


def _runs_and_signups():
    runs = {run.id: run for run in db.session.scalars(sa.select(Run))}
    signups = db.session.scalars(sa.select(Signup).order_by(Signup.queued_at, Signup.id)).all()
    return runs, signups


def test_large_demo_prints_counts_and_publishes_a_placed_edition(large_demo):
    edition = db.session.scalar(sa.select(Edition))
    runs, signups = _runs_and_signups()

    assert "sign-ups waitlisted" in large_demo.output
    assert edition.is_published is True
    assert all(run.is_placed for run in runs.values())
    assert len({signup.status for signup in signups}) == 2


def test_large_demo_schedule_has_no_hard_conflicts(large_demo):
    edition = db.session.scalar(sa.select(Edition))

    board = load_board(db.session, edition, settings_from(current_app.config))

    hard = [p.message for problems in board.problems.values() for p in problems if p.is_hard]
    assert (board.unplaced, hard) == ([], [])


def test_large_demo_confirmed_never_exceed_capacity_and_waitlists_only_when_full(large_demo):
    runs, signups = _runs_and_signups()
    confirmed, waitlist = defaultdict(list), defaultdict(list)
    for signup in signups:
        if signup.status == SignupStatus.CONFIRMED:
            confirmed[signup.run_id].append(signup)
        else:
            waitlist[signup.run_id].append(signup)

    over = [run_id for run_id, seats in confirmed.items() if len(seats) > runs[run_id].capacity]
    not_full = [run_id for run_id in waitlist if len(confirmed[run_id]) != runs[run_id].capacity]
    assert (over, not_full) == ([], [])
    # Waitlist positions 1..n follow the queue with no gap: everyone waiting came after
    # the last person who got a seat, and nobody waits ahead of an earlier request.
    for run_id, waiting in waitlist.items():
        last_seat = max(s.queued_at for s in confirmed[run_id])
        assert all(s.queued_at > last_seat for s in waiting)
        assert [s.queued_at for s in waiting] == sorted(s.queued_at for s in waiting)


def test_large_demo_one_active_signup_per_person_and_session_without_clashes(large_demo):
    runs, signups = _runs_and_signups()
    active = [s for s in signups if s.status in ACTIVE_SIGNUP_STATUSES]
    seats = defaultdict(list)
    for signup in active:
        if signup.status == SignupStatus.CONFIRMED:
            seats[signup.user_id].append(runs[signup.run_id])

    pairs = [(s.user_id, s.session_id) for s in active]
    assert len(pairs) == len(set(pairs))
    for mine in seats.values():
        ordered = sorted(mine, key=lambda run: run.starts_at)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            assert earlier.ends_at <= later.starts_at


def test_large_demo_heavy_user_holds_only_seats_and_past_runs_have_check_ins(large_demo):
    from learningweek.accounts.models import User
    from learningweek.demo.large import HEAVY_USER_EMAIL

    heavy = db.session.scalar(sa.select(User).where(User.email == HEAVY_USER_EMAIL))
    runs, signups = _runs_and_signups()
    heavy_seats = [s for s in signups if s.user_id == heavy.id]
    attended = [s for s in signups if s.checked_in_at is not None]

    # 15 at full size; a 1% edition has too few sessions that do not overlap.
    assert [s.status for s in heavy_seats] == [SignupStatus.CONFIRMED] * len(heavy_seats)
    assert 5 <= len(heavy_seats) <= 15
    assert attended
    early = timedelta(minutes=15)
    assert all(
        runs[s.run_id].starts_at - early <= s.checked_in_at < runs[s.run_id].ends_at
        for s in attended
    )
