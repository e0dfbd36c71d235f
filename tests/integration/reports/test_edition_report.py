"""The edition report: figures worked out by hand, its CSV, and averages withheld below
the feedback threshold."""

import csv
import io

import pytest
import sqlalchemy as sa

from learningweek.core.enums import Attendance, SessionFormat, SignupStatus
from learningweek.extensions import db
from learningweek.feedback.services.answers import save_feedback
from learningweek.proposals.models import LearningObjective
from learningweek.reports import services
from tests.conftest import log_in
from tests.factories import make_organizer, make_room, make_signup, make_topic, make_user
from tests.integration.feedback.helpers import (
    after,
    answer,
    ended_run,
    give_answers,
    load_as_answers_grow,
)
from tests.integration.html import page

S = SignupStatus


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
        save_feedback(
            db.session,
            a,
            user=person,
            data=answer(overall, objectives={objective_a: overall}),
            now=after(a),
        )
    save_feedback(
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


def test_the_report_withholds_averages_below_the_threshold(past):
    run = ended_run(past, objectives=["read a flame graph"])
    give_answers(run, [(1, 1, False, "")], now=after(run))

    report = services.edition_report(db.session, past, threshold=3)

    assert report.runs[0].answers == 1
    assert report.runs[0].average_overall is None
    assert [(r.average, r.answers) for r in report.objectives] == [(None, 1)]
    assert [(r.average, r.answers) for r in report.by_format] == [(None, 1)]


def test_objectives_of_two_sessions_with_the_same_title_stay_apart(past):
    one = ended_run(past, title="Git", objectives=["branch"])
    two = ended_run(past, title="Git", objectives=["branch"])
    give_answers(one, [(5, 5, True, "")], now=after(one))
    give_answers(two, [(1, 1, True, "")], now=after(two))

    report = services.edition_report(db.session, past, threshold=1)

    assert sorted(r.average for r in report.objectives) == [1.0, 5.0]


def test_the_report_page_runs_the_same_queries_as_data_grows(client, count_queries, past):
    (small, large), (few, many) = load_as_answers_grow(
        client, count_queries, past, lambda run: f"/organize/editions/{past.id}/report"
    )

    assert [small.status_code, large.status_code] == [200, 200]
    assert len(many) == len(few)
