"""The programme, a session's page and the agenda run the same queries as data grows."""

from datetime import UTC, datetime, timedelta

import pytest

from learningweek.core.enums import SignupStatus
from learningweek.extensions import db
from tests.conftest import log_in
from tests.factories import make_room, make_signup, make_topic, make_user
from tests.integration.signups.helpers import at, placed_run, published_edition


@pytest.fixture
def world(app):
    edition = published_edition(
        signup_opens_at=datetime(2020, 1, 1, tzinfo=UTC),
        signup_closes_at=datetime(2027, 3, 12, 11, tzinfo=UTC),
    )
    viewer = make_user(email="viewer@example.com")
    client = app.test_client()
    log_in(client, viewer.email)
    return edition, viewer, client, make_topic()


def _add_runs(count: int, edition, viewer, topic, *, offset: int = 0):
    """Runs with co-teachers, topics, seats taken, a waitlist and the viewer's sign-ups."""
    for index in range(offset, offset + count):
        start = at(9) + timedelta(days=index % 5, minutes=30 * (index // 5))
        run = placed_run(edition, starts_at=start, room=make_room(capacity=2), topics=[topic])
        learning_session, co_teacher = run.learning_session, make_user()
        learning_session.co_teachers.append(co_teacher)
        db.session.commit()
        for _ in range(2):
            make_signup(run, make_user())
        make_signup(run, make_user(), status=SignupStatus.WAITLISTED, confirmed_at=None)
        if index % 2:
            make_signup(run, viewer, status=SignupStatus.WAITLISTED, confirmed_at=None)


@pytest.mark.parametrize(
    "url",
    [
        "/editions/spring/programme",
        "/editions/spring/programme?view=timetable&q=session",
        "/agenda",
    ],
    ids=["programme", "timetable-search", "agenda"],
)
def test_list_pages_run_the_same_queries_for_few_and_many_runs(world, count_queries, url):
    edition, viewer, client, topic = world
    _add_runs(2, edition, viewer, topic)
    with count_queries() as few:
        small = client.get(url)
    _add_runs(10, edition, viewer, topic, offset=2)
    with count_queries() as many:
        large = client.get(url)

    assert small.status_code == large.status_code == 200
    assert large.get_data(as_text=True).count("Session ") > small.get_data(as_text=True).count(
        "Session "
    )
    assert len(many) == len(few)


def test_a_session_page_runs_the_same_queries_for_one_run_and_three(world, count_queries):
    edition, viewer, client, topic = world
    first = placed_run(edition, starts_at=at(9), topics=[topic])
    make_signup(first, viewer)
    url = f"/sessions/{first.session_id}"
    with count_queries() as few:
        small = client.get(url)
    for day in (9, 10):
        run = placed_run(edition, session=first.learning_session, starts_at=at(9, day=day))
        make_signup(run, make_user())
    with count_queries() as many:
        large = client.get(url)

    assert small.status_code == large.status_code == 200
    assert large.get_data(as_text=True).count("seats left") == 3
    assert len(many) == len(few)
