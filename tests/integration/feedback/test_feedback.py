"""Feedback: who may answer and when, one answer each, anonymous results above a
threshold, private reflections, My learning, the organizer's report and its CSV."""

import csv
import io
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from learningweek.core.database import utcnow
from learningweek.core.enums import Attendance, SessionFormat, SignupStatus
from learningweek.core.errors import ValidationFailed
from learningweek.extensions import db
from learningweek.feedback import services
from learningweek.feedback.models import Feedback
from learningweek.notifications.models import Notification
from learningweek.proposals.models import LearningObjective
from learningweek.signups.models import Signup
from tests.conftest import log_in
from tests.factories import (
    make_organizer,
    make_reflection,
    make_room,
    make_signup,
    make_topic,
    make_user,
)
from tests.integration.html import field_error, page
from tests.integration.signups.helpers import placed_run, published_edition

S = SignupStatus


def answer(overall=4, useful=3, recommend=True, worked="", improve="", objectives=None):
    return services.FeedbackData(
        overall=overall,
        useful=useful,
        would_recommend=recommend,
        worked=worked,
        improve=improve,
        objectives=objectives or {},
    )


@pytest.fixture
def past(app):
    """A published edition that started two days ago (by the real clock, for pages):
    its first day's runs are over and their feedback window is open."""
    today = utcnow().date()
    return published_edition(
        first_day=today - timedelta(days=2),
        last_day=today + timedelta(days=2),
        signup_opens_at=datetime(2020, 1, 1, tzinfo=UTC),
        signup_closes_at=datetime.combine(today + timedelta(days=2), time(12), tzinfo=UTC),
        feedback_days=14,
    )


def ended_run(edition, **fields):
    """A run on the edition's first day, 09:00–10:00 UTC."""
    start = datetime.combine(edition.first_day, time(9), tzinfo=UTC)
    return placed_run(edition, starts_at=start, **fields)


def after(run, hours=1):
    return run.ends_at + timedelta(hours=hours)


# --- who may answer, and when --------------------------------------------------------------


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

    with pytest.raises(services.FeedbackRefused, match=message):
        services.save_feedback(db.session, run, user=person, data=answer(), now=now)


def test_attendees_not_marked_no_show_can_answer_once_and_edit(past):
    run = ended_run(past)
    attended, unmarked = make_user(), make_user()
    make_signup(run, attended, attendance=Attendance.ATTENDED)
    make_signup(run, unmarked)

    rated = {o.id: 4 for o in run.learning_session.objectives}
    services.save_feedback(
        db.session, run, user=attended, data=answer(overall=2, objectives=rated), now=after(run)
    )
    services.save_feedback(
        db.session, run, user=unmarked, data=answer(objectives=rated), now=after(run)
    )
    db.session.commit()
    services.save_feedback(
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
        services.save_feedback(
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


# --- results: anonymous, and only above the threshold -------------------------------------


def _answers(run, ratings, *, now):
    people = []
    for overall, useful, recommend, worked in ratings:
        person = make_user()
        make_signup(run, person)
        objectives = {o.id: overall for o in run.learning_session.objectives}
        services.save_feedback(
            db.session,
            run,
            user=person,
            data=answer(overall, useful, recommend, worked, "", objectives),
            now=now,
        )
        people.append(person)
    db.session.commit()
    return people


def test_results_match_hand_computed_aggregates(past):
    run = ended_run(past, objectives=["profile a service"], max_participants=10)
    _answers(
        run,
        [(5, 4, True, "Great demo"), (3, 2, False, ""), (4, 4, True, "Clear")],
        now=after(run),
    )
    make_signup(run, make_user())  # attended, did not answer
    make_signup(run, make_user(), attendance=Attendance.NO_SHOW)
    make_signup(run, make_user(), status=S.WAITLISTED, confirmed_at=None)
    teacher = run.learning_session.lead

    total = services.session_results(
        db.session, run.learning_session, threshold=3, actor=teacher
    ).total

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
    _answers(run, [(4, 4, True, ""), (3, 3, True, "")], now=after(run))
    teacher = run.learning_session.lead

    below = services.session_results(db.session, run.learning_session, threshold=3, actor=teacher)
    _answers(run, [(5, 5, True, "")], now=after(run))
    at = services.session_results(db.session, run.learning_session, threshold=3, actor=teacher)

    assert (below.total.is_shown, at.total.is_shown) == (False, True)


def test_the_results_page_never_names_an_attendee(client, past):
    run = ended_run(past)
    people = _answers(
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
    _answers(run, [(4, 4, True, "Secret remark")], now=after(run))
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


# --- reflections ------------------------------------------------------------------------


def test_nobody_else_reads_my_reflection_not_even_an_organizer(app, past):
    run = ended_run(past)
    me = make_user(email="me@example.com")
    make_signup(run, me)
    note = make_reflection(run.learning_session, me, try_at_work="Profile our API")
    make_organizer(email="boss@example.com")
    make_user(email="other@example.com")

    for email, status in [
        ("me@example.com", 200),
        ("boss@example.com", 404),
        ("other@example.com", 404),
    ]:
        client = app.test_client()
        log_in(client, email)
        response = client.get(f"/reflections/{note.id}")
        assert response.status_code == status, email
        assert ("Profile our API" in response.get_data(as_text=True)) is (status == 200)


def test_reflections_are_for_sessions_i_attended(client, past):
    run = ended_run(past)
    make_user(email="me@example.com")
    log_in(client, "me@example.com")

    assert client.get(f"/sessions/{run.session_id}/reflection").status_code == 404


def test_writing_a_reflection_and_reading_it_on_my_learning(client, past):
    run = ended_run(past, title="Profiling")
    me = make_user(email="me@example.com")
    make_signup(run, me)
    log_in(client, me.email)

    client.post(
        f"/sessions/{run.session_id}/reflection",
        data={"try_at_work": "Profile the checkout API", "practise": "Flame graphs"},
    )
    learning = page(client.get("/learning")).get_text()
    markdown = client.get("/learning.md")

    assert "Profiling" in learning
    assert markdown.mimetype == "text/markdown"
    text = markdown.get_data(as_text=True)
    assert "## Profiling" in text
    assert "### What will I try at work?\n\nProfile the checkout API" in text


def test_a_too_long_reflection_is_a_field_error(client, past):
    run = ended_run(past)
    me = make_user(email="me@example.com")
    make_signup(run, me)
    log_in(client, me.email)

    response = client.post(f"/sessions/{run.session_id}/reflection", data={"practise": "x" * 5001})

    assert response.status_code == 422
    assert "5000" in field_error(response, "practise")


# --- feedback requests ------------------------------------------------------------------


def test_each_eligible_attendee_is_asked_once_when_the_run_ends(past):
    run = ended_run(past)
    there, absent = make_user(), make_user()
    make_signup(run, there)
    make_signup(run, absent, attendance=Attendance.NO_SHOW)
    make_signup(run, make_user(), status=S.WAITLISTED, confirmed_at=None)
    upcoming = placed_run(past, starts_at=datetime.combine(past.last_day, time(15), tzinfo=UTC))
    make_signup(upcoming, make_user())

    first = services.request_feedback(db.session, now=after(run))
    second = services.request_feedback(db.session, now=after(run, 2))
    db.session.commit()

    recipients = db.session.scalars(sa.select(Notification.recipient_id)).all()
    assert (first, second) == (1, 0)
    assert recipients == [there.id]


def test_the_request_feedback_command(runner, past):
    run = ended_run(past)
    make_signup(run, make_user())

    assert runner.invoke(args=["request-feedback"]).output.strip() == "1 feedback request queued."
    assert runner.invoke(args=["request-feedback"]).output.strip() == "0 feedback requests queued."


# --- the organizer's report -------------------------------------------------------------


@pytest.fixture
def reported(past):
    """Two sessions with checked-in runs and feedback, figures worked out by hand below."""
    data, people_topic = make_topic(name="Data"), make_topic(name="People")
    sales, legal = "Sales", "Legal"
    a = ended_run(
        past,
        title="Pandas",
        topics=[data],
        room=make_room(capacity=4),
        duration_minutes=90,
        objectives=["clean a table"],
    )
    b = ended_run(
        past,
        title="Feedback",
        topics=[people_topic],
        format=SessionFormat.ONLINE,
        room=make_room(capacity=2),
        objectives=["give SBI feedback"],
    )
    a_people = [make_user(department=d) for d in (sales, sales, legal, legal)]
    for person, mark in zip(
        a_people,
        [Attendance.ATTENDED, Attendance.ATTENDED, Attendance.ATTENDED, Attendance.NO_SHOW],
        strict=True,
    ):
        make_signup(a, person, attendance=mark)
    make_signup(a, make_user(), status=S.WAITLISTED, confirmed_at=None)
    make_signup(a, make_user(), status=S.WAITLISTED, confirmed_at=None)
    b_person = make_user(department=legal)
    make_signup(b, b_person, attendance=Attendance.ATTENDED)
    make_signup(b, a_people[0], attendance=Attendance.ATTENDED)  # one person, two sessions
    objective_a = db.session.scalar(
        sa.select(LearningObjective.id).where(LearningObjective.session_id == a.session_id)
    )
    objective_b = db.session.scalar(
        sa.select(LearningObjective.id).where(LearningObjective.session_id == b.session_id)
    )
    for person, overall in [(a_people[0], 5), (a_people[1], 3)]:
        services.save_feedback(
            db.session,
            a,
            user=person,
            data=answer(overall, objectives={objective_a: overall}),
            now=after(a),
        )
    services.save_feedback(
        db.session, b, user=b_person, data=answer(2, objectives={objective_b: 1}), now=after(b)
    )
    db.session.commit()
    return past, a, b


def test_the_report_matches_hand_computed_figures(reported):
    edition, a, b = reported

    report = services.edition_report(db.session, edition, threshold=1)

    assert (report.sessions, len(report.runs), report.teachers) == (2, 2, 2)
    assert (report.participants, report.signups) == (5, 6)
    # attended hours: Pandas 1.5 h × (2 Sales + 1 Legal); Feedback 1 h × (1 Legal + 1 Sales)
    assert report.hours_by_department == [("Sales", 4.0), ("Legal", 2.5)]
    figures = {f.run.id: f for f in report.runs}
    assert (figures[a.id].fill_rate, figures[b.id].fill_rate) == (1.0, 1.0)
    assert (figures[a.id].waiting, figures[b.id].waiting) == (2, 0)
    assert report.no_show_rate == pytest.approx(1 / 6)
    assert (report.answers, report.eligible) == (3, 5)
    assert report.response_rate == pytest.approx(3 / 5)
    assert [(r.label, r.average, r.answers) for r in report.by_topic] == [
        ("Data", 4.0, 2),
        ("People", 2.0, 1),
    ]
    assert [(r.label, r.average) for r in report.by_format] == [("In person", 4.0), ("Online", 2.0)]
    assert [(r.label, r.average) for r in report.objectives] == [
        ("Feedback: give SBI feedback", 1.0),
        ("Pandas: clean a table", 4.0),
    ]
    assert [(s.id, n) for s, n in report.most_wanted()] == [(a.session_id, 2)]


def test_the_report_csv_parses_and_matches(client, reported):
    edition, a, b = reported
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")

    response = client.get(f"/organize/editions/{edition.id}/report.csv")

    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    by_session = {row["session"]: row for row in rows}
    assert set(by_session) == {"Pandas", "Feedback"}
    assert by_session["Pandas"]["confirmed"] == "4"
    assert by_session["Pandas"]["still waiting"] == "2"
    assert by_session["Pandas"]["no-shows"] == "1"
    assert by_session["Pandas"]["feedback answers"] == "2"
    assert by_session["Pandas"]["average overall"] == ""  # 2 answers: below the threshold
    assert by_session["Feedback"]["fill rate"] == "1.00"


def test_the_report_page_shows_the_figures(client, reported):
    edition, *_ = reported
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")

    facts = page(client.get(f"/organize/editions/{edition.id}/report")).select_one(".facts")

    assert "6.5 (attended, as checked in)" in facts.get_text(" ", strip=True)


def test_report_and_results_pages_run_the_same_queries_as_data_grows(client, count_queries, past):
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")
    session_run = ended_run(past, objectives=["one", "two"])

    def grow(count: int):
        for _ in range(count):
            run = ended_run(past, topics=[make_topic()])
            extra = placed_run(
                past,
                session=session_run.learning_session,
                starts_at=session_run.starts_at + timedelta(hours=2),
            )
            for target in (run, extra):
                person = make_user()
                make_signup(target, person, attendance=Attendance.ATTENDED)
                objectives = {o.id: 4 for o in target.learning_session.objectives}
                services.save_feedback(
                    db.session,
                    target,
                    user=person,
                    data=answer(objectives=objectives),
                    now=after(target, 3),
                )
        db.session.commit()

    urls = [f"/organize/editions/{past.id}/report", f"/sessions/{session_run.session_id}/results"]
    grow(1)
    with count_queries() as few:
        small = [client.get(url) for url in urls]
    grow(5)
    with count_queries() as many:
        large = [client.get(url) for url in urls]

    assert [r.status_code for r in small + large] == [200] * 4
    assert len(many) == len(few)


# --- regressions from the review ----------------------------------------------------------


def test_per_run_results_are_withheld_while_another_run_is_below_the_threshold(client, past):
    first = ended_run(past)
    second = placed_run(past, session=first.learning_session, starts_at=after(first, 2))
    _answers(first, [(4, 4, True, "Fine"), (4, 4, True, ""), (4, 4, True, "")], now=after(first, 5))
    _answers(second, [(1, 1, False, "lone secret")], now=after(second, 5))
    log_in(client, first.learning_session.lead.email)

    results = services.session_results(
        db.session, first.learning_session, threshold=3, actor=first.learning_session.lead
    )
    panels = page(client.get(f"/sessions/{first.session_id}/results")).select(".panel")

    assert [r.is_shown for _, r in results.runs] == [False, False]
    assert results.total.is_shown
    assert ["lone secret" in p.get_text() for p in panels] == [True, False, False]


def test_the_report_withholds_averages_below_the_threshold(past):
    run = ended_run(past, objectives=["read a flame graph"])
    _answers(run, [(1, 1, False, "")], now=after(run))

    report = services.edition_report(db.session, past, threshold=3)

    assert report.runs[0].answers == 1
    assert report.runs[0].average_overall is None
    assert [(r.average, r.answers) for r in report.objectives] == [(None, 1)]
    assert [(r.average, r.answers) for r in report.by_format] == [(None, 1)]


def test_cancelling_and_signing_up_again_keeps_the_right_to_answer(past):
    run = ended_run(past)
    person = make_user()
    make_signup(run, person, status=S.CANCELLED, confirmed_at=None)
    make_signup(run, person)

    assert (
        services.feedback_refusal(
            run, person, services.seat_in(db.session, run, person), now=after(run)
        )
        is None
    )


def test_a_question_with_fewer_answers_than_the_threshold_stays_hidden(past):
    run = ended_run(past, objectives=["first"])
    _answers(run, [(4, 4, True, "")] * 3, now=after(run))
    late = LearningObjective(session_id=run.session_id, position=1, text="added later")
    db.session.add(late)
    db.session.commit()
    person = make_user()
    make_signup(run, person)
    ratings = {o.id: 5 for o in run.learning_session.objectives}
    services.save_feedback(
        db.session, run, user=person, data=answer(objectives=ratings), now=after(run)
    )
    db.session.commit()

    total = services.session_results(
        db.session, run.learning_session, threshold=3, actor=run.learning_session.lead
    ).total

    assert total.is_shown
    assert [total.question_is_shown(q) for q in total.questions] == [True, True, True, False]


def test_an_answer_from_someone_later_checked_in_as_no_show_no_longer_counts(past):
    run = ended_run(past)
    people = _answers(run, [(5, 5, True, "")] * 2, now=after(run))
    db.session.execute(
        sa.update(Signup)
        .where(Signup.user_id == people[0].id)
        .values(attendance=Attendance.NO_SHOW)
    )
    db.session.commit()

    total = services.session_results(
        db.session, run.learning_session, threshold=1, actor=run.learning_session.lead
    ).total

    assert (total.answers, total.attendees, total.no_shows) == (1, 1, 1)


def test_nobody_is_asked_after_the_window_and_teachers_are_never_asked(past):
    run = ended_run(past)
    co_teacher = make_user()
    run.learning_session.co_teachers.append(co_teacher)
    db.session.commit()
    make_signup(run, co_teacher)
    late_run = ended_run(past)
    make_signup(late_run, make_user())

    asked_late = services.request_feedback(db.session, now=run.ends_at + timedelta(days=20))

    assert asked_late == 0
    assert db.session.get(type(run), late_run.id).feedback_requested_at is not None


def test_my_learning_runs_the_same_queries_for_one_session_and_three(client, count_queries, past):
    me = make_user(email="me@example.com")
    log_in(client, me.email)

    def attend(count):
        for _ in range(count):
            run = ended_run(past)
            make_signup(run, me)
            make_reflection(run.learning_session, me)

    attend(1)
    with count_queries() as few:
        client.get("/learning")
    attend(2)
    with count_queries() as many:
        response = client.get("/learning")

    assert len(page(response).select(".card")) == 3
    assert len(many) == len(few)


def test_objectives_of_two_sessions_with_the_same_title_stay_apart(past):
    one = ended_run(past, title="Git", objectives=["branch"])
    two = ended_run(past, title="Git", objectives=["branch"])
    _answers(one, [(5, 5, True, "")], now=after(one))
    _answers(two, [(1, 1, True, "")], now=after(two))

    report = services.edition_report(db.session, past, threshold=1)

    assert sorted(r.average for r in report.objectives) == [1.0, 5.0]
