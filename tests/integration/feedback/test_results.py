"""Feedback results: anonymous, for teachers and organizers, and only above a threshold."""

import pytest
import sqlalchemy as sa

from learningweek.core.enums import Attendance, SignupStatus
from learningweek.extensions import db
from learningweek.feedback.services import answers
from learningweek.feedback.services.results import session_results
from learningweek.proposals.models import LearningObjective
from learningweek.signups.models import Signup
from tests.conftest import log_in
from tests.factories import make_organizer, make_signup, make_user
from tests.integration.feedback.helpers import (
    after,
    answer,
    ended_run,
    give_answers,
    load_as_answers_grow,
)
from tests.integration.html import page
from tests.integration.signups.helpers import placed_run

S = SignupStatus


def test_results_match_hand_computed_aggregates(past):
    run = ended_run(past, objectives=["profile a service"], max_participants=10)
    give_answers(
        run,
        [(5, 4, True, "Great demo"), (3, 2, False, ""), (4, 4, True, "Clear")],
        now=after(run),
    )
    make_signup(run, make_user())  # attended, did not answer
    make_signup(run, make_user(), attendance=Attendance.NO_SHOW)
    make_signup(run, make_user(), status=S.WAITLISTED, confirmed_at=None)
    teacher = run.learning_session.lead

    total = session_results(db.session, run.learning_session, threshold=3, actor=teacher).total

    overall, useful, objective = total.questions
    assert overall.counts == [0, 0, 1, 1, 1]
    assert overall.average == pytest.approx(4.0)
    assert useful.counts == [0, 1, 0, 2, 0]
    assert useful.average == pytest.approx(10 / 3)
    assert objective.label == "Helped me: profile a service"
    assert (total.answers, total.attendees, total.no_shows, total.waiting) == (3, 4, 1, 1)
    assert total.response_rate == pytest.approx(0.75)
    assert total.recommend_yes == 2
    assert total.worked == ["Clear", "Great demo"]


def test_results_stay_hidden_below_the_threshold_and_show_at_it(past):
    run = ended_run(past)
    give_answers(run, [(4, 4, True, ""), (3, 3, True, "")], now=after(run))
    teacher = run.learning_session.lead

    below = session_results(db.session, run.learning_session, threshold=3, actor=teacher)
    give_answers(run, [(5, 5, True, "")], now=after(run))
    at = session_results(db.session, run.learning_session, threshold=3, actor=teacher)

    assert (below.total.is_shown, at.total.is_shown) == (False, True)


def test_the_results_page_never_names_an_attendee(client, past):
    run = ended_run(past)
    people = give_answers(
        run, [(4, 4, True, "Loved it"), (5, 3, True, ""), (2, 2, False, "Slow")], now=after(run)
    )
    log_in(client, run.learning_session.lead.email)

    body = client.get(f"/sessions/{run.session_id}/results").get_data(as_text=True)

    assert "Loved it" in body
    for person in people:
        assert person.display_name not in body
        assert person.email not in body


def test_below_the_threshold_the_page_shows_no_comment(client, past):
    run = ended_run(past)
    give_answers(run, [(4, 4, True, "Secret remark")], now=after(run))
    log_in(client, run.learning_session.lead.email)

    body = client.get(f"/sessions/{run.session_id}/results").get_data(as_text=True)

    assert "Results appear once 3 people have answered" in body
    assert "Secret remark" not in body


def test_results_are_for_teachers_and_organizers(app, client, past):
    run = ended_run(past)
    make_organizer(email="boss@example.com")
    log_in(client, make_user(email="someone@example.com").email)

    assert client.get(f"/sessions/{run.session_id}/results").status_code == 403
    boss = app.test_client()
    log_in(boss, "boss@example.com")
    assert boss.get(f"/sessions/{run.session_id}/results").status_code == 200


def test_per_run_results_are_withheld_while_another_run_is_below_the_threshold(client, past):
    first = ended_run(past)
    second = placed_run(past, session=first.learning_session, starts_at=after(first, 2))
    give_answers(
        first, [(4, 4, True, "Fine"), (4, 4, True, ""), (4, 4, True, "")], now=after(first, 5)
    )
    give_answers(second, [(1, 1, False, "lone secret")], now=after(second, 5))
    log_in(client, first.learning_session.lead.email)

    results = session_results(
        db.session, first.learning_session, threshold=3, actor=first.learning_session.lead
    )
    panels = page(client.get(f"/sessions/{first.session_id}/results")).select(".panel")

    assert [r.is_shown for _, r in results.runs] == [False, False]
    assert results.total.is_shown
    assert ["lone secret" in p.get_text() for p in panels] == [True, False, False]


def test_a_question_with_fewer_answers_than_the_threshold_stays_hidden(past):
    run = ended_run(past, objectives=["first"])
    give_answers(run, [(4, 4, True, "")] * 3, now=after(run))
    late = LearningObjective(session_id=run.session_id, position=1, text="added later")
    db.session.add(late)
    db.session.commit()
    person = make_user()
    make_signup(run, person)
    ratings = {o.id: 5 for o in run.learning_session.objectives}
    answers.save_feedback(
        db.session, run, user=person, data=answer(objectives=ratings), now=after(run)
    )
    db.session.commit()

    total = session_results(
        db.session, run.learning_session, threshold=3, actor=run.learning_session.lead
    ).total

    assert total.is_shown
    assert [total.question_is_shown(q) for q in total.questions] == [True, True, True, False]


def test_an_answer_from_someone_later_checked_in_as_no_show_no_longer_counts(past):
    run = ended_run(past)
    people = give_answers(run, [(5, 5, True, "")] * 2, now=after(run))
    db.session.execute(
        sa.update(Signup)
        .where(Signup.user_id == people[0].id)
        .values(attendance=Attendance.NO_SHOW)
    )
    db.session.commit()

    total = session_results(
        db.session, run.learning_session, threshold=1, actor=run.learning_session.lead
    ).total

    assert (total.answers, total.attendees, total.no_shows) == (1, 1, 1)


def test_the_results_page_runs_the_same_queries_as_data_grows(client, count_queries, past):
    (small, large), (few, many) = load_as_answers_grow(
        client, count_queries, past, lambda run: f"/sessions/{run.session_id}/results"
    )

    assert [small.status_code, large.status_code] == [200, 200]
    assert len(many) == len(few)
