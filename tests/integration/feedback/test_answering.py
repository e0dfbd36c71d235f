"""Giving feedback: who may answer about a run and when, one answer each, the form."""

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from learningweek.core.enums import Attendance, SignupStatus
from learningweek.core.errors import ValidationFailed
from learningweek.extensions import db
from learningweek.feedback.models import Feedback
from learningweek.feedback.services import answers
from tests.conftest import log_in
from tests.factories import make_signup, make_user
from tests.integration.feedback.helpers import after, answer, ended_run
from tests.integration.html import field_error, page
from tests.integration.signups.helpers import placed_run

S = SignupStatus


@pytest.mark.parametrize(
    ("setup", "moment", "message"),
    [
        ("no_show", "after", "checked in as not attending"),
        ("waitlisted", "after", "Only people who had a seat"),
        ("teacher", "after", "You teach this session"),
        ("confirmed", "before_end", "Feedback opens when the run ends"),
        ("confirmed", "after_window", "Feedback closed"),
    ],
    ids=["no-show", "waitlisted", "teacher", "before-end", "after-window"],
)
def test_feedback_is_refused_with_the_reason(past, setup, moment, message):
    person = make_user()
    run = ended_run(past, lead=person if setup == "teacher" else make_user())
    if setup == "no_show":
        make_signup(run, person, attendance=Attendance.NO_SHOW)
    elif setup == "waitlisted":
        make_signup(run, person, status=S.WAITLISTED, confirmed_at=None)
    elif setup == "confirmed":
        make_signup(run, person)
    now = {
        "after": after(run),
        "before_end": run.ends_at - timedelta(minutes=1),
        "after_window": run.ends_at + timedelta(days=14),
    }[moment]

    with pytest.raises(answers.FeedbackRefused, match=message):
        answers.save_feedback(db.session, run, user=person, data=answer(), now=now)


def test_attendees_not_marked_no_show_can_answer_once_and_edit(past):
    run = ended_run(past)
    attended, unmarked = make_user(), make_user()
    make_signup(run, attended, attendance=Attendance.ATTENDED)
    make_signup(run, unmarked)

    rated = {o.id: 4 for o in run.learning_session.objectives}
    answers.save_feedback(
        db.session, run, user=attended, data=answer(overall=2, objectives=rated), now=after(run)
    )
    answers.save_feedback(
        db.session, run, user=unmarked, data=answer(objectives=rated), now=after(run)
    )
    db.session.commit()
    answers.save_feedback(
        db.session, run, user=attended, data=answer(overall=5, objectives=rated), now=after(run, 30)
    )
    db.session.commit()

    rows = db.session.execute(sa.select(Feedback.user_id, Feedback.overall)).all()
    assert sorted(rows) == sorted([(attended.id, 5), (unmarked.id, 4)])


def test_the_database_keeps_one_answer_per_person_and_run(past):
    run = ended_run(past)
    person = make_user()
    for _ in range(2):
        db.session.add(
            Feedback(
                run_id=run.id,
                session_id=run.session_id,
                user_id=person.id,
                overall=3,
                useful=3,
                would_recommend=True,
            )
        )

    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_every_objective_needs_a_rating(past):
    run = ended_run(past, objectives=["read a flame graph", "find a hot loop"])
    person = make_user()
    make_signup(run, person)
    first, second = (o.id for o in run.learning_session.objectives)

    with pytest.raises(ValidationFailed) as refused:
        answers.save_feedback(
            db.session, run, user=person, data=answer(objectives={first: 4}), now=after(run)
        )

    assert set(refused.value.problems) == {f"objective_{second}"}


def test_the_form_shows_each_problem_at_its_field(client, past):
    run = ended_run(past)
    make_signup(run, make_user(email="mei@example.com"))
    log_in(client, "mei@example.com")

    response = client.post(f"/runs/{run.id}/feedback", data={"useful": "9", "worked": "x" * 2001})

    assert response.status_code == 422
    assert field_error(response, "overall") == "Choose from 1 (not at all) to 5 (very much)."
    assert field_error(response, "useful") == "Not a valid choice."
    assert field_error(response, "would_recommend") == "Say yes or no."
    assert "2000" in field_error(response, "worked")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Feedback)) == 0


def test_the_form_saves_and_shows_the_answer_again(client, past):
    run = ended_run(past, objectives=["read a flame graph"])
    make_signup(run, make_user(email="mei@example.com"))
    objective = run.learning_session.objectives[0]
    log_in(client, "mei@example.com")
    data = {
        "overall": "5",
        "useful": "4",
        "would_recommend": "yes",
        "worked": "Hands-on",
        f"objective_{objective.id}": "3",
    }

    saved = client.post(f"/runs/{run.id}/feedback", data=data)
    form = page(client.get(f"/runs/{run.id}/feedback"))

    assert saved.status_code == 302
    assert form.select_one("input[name=overall][checked]")["value"] == "5"
    assert form.select_one(f"input[name=objective_{objective.id}][checked]")["value"] == "3"
    assert form.select_one("textarea[name=worked]").get_text(strip=True) == "Hands-on"


def test_a_closed_window_page_says_why(client, past):
    run = placed_run(past, starts_at=datetime.combine(past.last_day, time(15), tzinfo=UTC))
    make_signup(run, make_user(email="mei@example.com"))
    log_in(client, "mei@example.com")

    response = client.get(f"/runs/{run.id}/feedback")

    assert response.status_code == 200
    assert "Feedback opens when the run ends" in page(response).select_one(".lead").get_text()


def test_cancelling_and_signing_up_again_keeps_the_right_to_answer(past):
    run = ended_run(past)
    person = make_user()
    make_signup(run, person, status=S.CANCELLED, confirmed_at=None)
    make_signup(run, person)

    assert (
        answers.feedback_refusal(
            run, person, answers.seat_in(db.session, run, person), now=after(run)
        )
        is None
    )
