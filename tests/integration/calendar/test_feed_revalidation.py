"""When a feed's ETag and Last-Modified change: with anything it shows, and at the end
of its edition; a proxy's weak ETag still matches."""

from datetime import timedelta

import pytest

from learningweek.calendar import changes, services
from learningweek.extensions import db
from learningweek.proposals import services as proposals
from tests.factories import make_topic, make_user
from tests.integration.calendar.helpers import etag, events_of, personal_url
from tests.integration.signups.helpers import NOW, at, placed_run


@pytest.mark.parametrize("feed", ["edition", "personal"])
def test_adding_and_removing_a_co_teacher_changes_the_feeds(app, client, edition, feed):
    lead, bo = make_user(email="lead@example.com"), make_user(email="bo@example.com")
    run = placed_run(edition, lead=lead, title="Pandas")
    url = personal_url(client, bo.email) if feed == "personal" else "/calendar/spring.ics"
    poller = app.test_client()
    before = etag(poller, url)

    proposals.add_co_teacher(db.session, run.learning_session, bo.email, actor=lead, now=NOW)
    db.session.commit()
    added = etag(poller, url)
    proposals.remove_co_teacher(db.session, run.learning_session, bo, actor=lead, now=NOW)
    db.session.commit()
    removed = etag(poller, url)

    assert len({before, added, removed}) == 3


def test_the_session_feed_changes_when_its_edition_is_over(edition):
    run = placed_run(edition)
    during = services.session_validator(db.session, run.session_id, now=NOW)[1]
    after = services.session_validator(db.session, run.session_id, now=at(18, day=12))[1]

    assert during.etag != after.etag
    assert after.last_modified >= edition.ends_at


def test_renaming_the_person_changes_their_feed(app, client):
    mei = make_user(email="mei@example.com")
    url = personal_url(client, mei.email)
    before = etag(app.test_client(), url)

    mei.display_name = "Mei Chen-Lind"
    db.session.commit()

    assert etag(app.test_client(), url) != before


def test_renaming_a_topic_with_no_runs_changes_its_feed(client, edition):
    topic = make_topic(slug="data")
    before = etag(client, "/calendar/spring/topics/data.ics")

    topic.name = "Data and AI"
    db.session.commit()

    assert etag(client, "/calendar/spring/topics/data.ics") != before


def test_if_modified_since_sees_a_session_leave_a_topic(client, edition, monkeypatch):
    data = make_topic(slug="data")
    run = placed_run(edition, topics=[data])
    first = client.get("/calendar/spring/topics/data.ics")
    # If-Modified-Since counts whole seconds: the change comes a few seconds later.
    later = first.last_modified + timedelta(seconds=5)
    monkeypatch.setattr(changes, "utcnow", lambda: later)

    run.learning_session.topics = []
    db.session.commit()
    again = client.get(
        "/calendar/spring/topics/data.ics",
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )

    assert again.status_code == 200
    assert events_of(again) == {}


def test_a_weak_etag_from_a_proxy_still_gets_a_304(client, edition):
    placed_run(edition)
    strong = client.get("/calendar/spring.ics").headers["ETag"]

    again = client.get("/calendar/spring.ics", headers={"If-None-Match": f"W/{strong}"})

    assert again.status_code == 304
