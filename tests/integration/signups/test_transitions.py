"""A sign-up's status changes: each sets every field its new status implies."""

from datetime import UTC, datetime

import pytest

from learningweek.core.enums import Attendance, SignupStatus
from learningweek.extensions import db
from learningweek.signups.models import Signup
from tests.factories import make_signup, make_user
from tests.integration.signups.helpers import placed_run, published_edition

S = SignupStatus
QUEUED = datetime(2027, 2, 20, 9, tzinfo=UTC)
CONFIRMED = datetime(2027, 2, 21, 9, tzinfo=UTC)
OFFER_ENDS = datetime(2027, 2, 22, 9, tzinfo=UTC)
ENDED = datetime(2027, 2, 23, 9, tzinfo=UTC)
CHECKED_IN = datetime(2027, 2, 24, 9, tzinfo=UTC)
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
UNTIL = datetime(2027, 3, 1, 21, tzinfo=UTC)

FIELDS = (
    "status",
    "is_bumped",
    "queued_at",
    "confirmed_at",
    "offer_expires_at",
    "ended_at",
    "attendance",
    "checked_in_at",
)


def stale_signup() -> Signup:
    """A sign-up carrying a value in every field a transition sets, none of them right for
    any status, so a transition that forgets one leaves it showing."""
    return Signup(
        status=S.CONFIRMED,
        is_bumped=True,
        queued_at=QUEUED,
        confirmed_at=CONFIRMED,
        offer_expires_at=OFFER_ENDS,
        ended_at=ENDED,
        attendance=Attendance.ATTENDED,
        checked_in_at=CHECKED_IN,
    )


def fields(signup: Signup) -> dict[str, object]:
    return {name: getattr(signup, name) for name in FIELDS}


@pytest.mark.parametrize(
    ("transition", "expected"),
    [
        (
            lambda s: s.confirm(NOW),
            dict(status=S.CONFIRMED, is_bumped=False, confirmed_at=NOW, offer_expires_at=None),
        ),
        (
            lambda s: s.offer(UNTIL),
            dict(status=S.OFFERED, is_bumped=False, confirmed_at=None, offer_expires_at=UNTIL),
        ),
        (
            lambda s: s.wait(),
            dict(status=S.WAITLISTED, is_bumped=False, confirmed_at=None, offer_expires_at=None),
        ),
        (
            lambda s: s.wait(at_head=True),
            dict(status=S.WAITLISTED, is_bumped=True, confirmed_at=None, offer_expires_at=None),
        ),
    ],
    ids=["confirm", "offer", "wait", "wait-at-head"],
)
def test_an_active_status_clears_what_it_does_not_hold(transition, expected):
    signup = stale_signup()

    transition(signup)

    assert (
        fields(signup)
        == {
            "queued_at": QUEUED,
            "ended_at": None,
            "attendance": None,
            "checked_in_at": None,
        }
        | expected
    )


@pytest.mark.parametrize(
    "status",
    [S.CANCELLED, S.DECLINED, S.EXPIRED, S.RUN_CANCELLED],
    ids=["cancelled", "declined", "expired", "run-cancelled"],
)
def test_ending_keeps_the_history_and_clears_the_seat(status):
    signup = stale_signup()

    signup.end(status, NOW)

    assert fields(signup) == {
        "status": status,
        "is_bumped": True,
        "queued_at": QUEUED,
        "confirmed_at": CONFIRMED,
        "offer_expires_at": None,
        "ended_at": NOW,
        "attendance": None,
        "checked_in_at": None,
    }


@pytest.mark.parametrize("status", [S.CONFIRMED, S.OFFERED, S.WAITLISTED], ids=str)
def test_ending_with_an_active_status_is_a_mistake(status):
    with pytest.raises(ValueError, match="not an ended status"):
        stale_signup().end(status, NOW)


@pytest.mark.parametrize(
    ("mark", "checked_in_at"),
    [(Attendance.ATTENDED, NOW), (Attendance.NO_SHOW, NOW), (None, None)],
    ids=["attended", "no-show", "cleared"],
)
def test_a_mark_and_its_time_go_together(mark, checked_in_at):
    signup = stale_signup()

    signup.mark_attendance(mark, NOW)

    assert (signup.attendance, signup.checked_in_at) == (mark, checked_in_at)


@pytest.mark.parametrize(
    ("transition", "status"),
    [
        (lambda s: s.confirm(NOW), S.CONFIRMED),
        (lambda s: s.offer(UNTIL), S.OFFERED),
        (lambda s: s.wait(), S.WAITLISTED),
        (lambda s: s.wait(at_head=True), S.WAITLISTED),
        (lambda s: s.end(S.CANCELLED, NOW), S.CANCELLED),
    ],
    ids=["confirm", "offer", "wait", "wait-at-head", "end"],
)
def test_every_transition_leaves_a_row_the_database_accepts(app, transition, status):
    run = placed_run(published_edition())
    signup = make_signup(run, make_user(), attendance=Attendance.ATTENDED, checked_in_at=NOW)

    transition(signup)
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Signup, signup.id).status == status
