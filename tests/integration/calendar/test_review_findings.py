"""Regressions from the calendar review: stale validators, never-public runs, weak ETags,
key rotation, room renames, the teacher's cancelled sessions, NUL in a path."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from learningweek.calendar import changes, services
from learningweek.core.enums import ProposalStatus
from learningweek.editions import services as editions
from learningweek.extensions import db
from learningweek.proposals import services as proposals
from tests.conftest import log_in
from tests.factories import (
    make_organizer,
    make_proposal,
    make_room,
    make_signup,
    make_topic,
    make_user,
)
from tests.integration.calendar.test_feeds import events_of, personal_url
from tests.integration.signups.helpers import NOW, at, placed_run, published_edition


@pytest.fixture
def edition(app):
    return published_edition()


def etag(client, url: str) -> str:
    return client.get(url).headers["ETag"]


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


def test_sessions_withdrawn_before_publishing_never_appear(client):
    edition = published_edition(published_at=datetime(2027, 2, 20, tzinfo=UTC))
    kept = placed_run(edition, title="Announced")
    hidden = placed_run(edition, title="Never announced", status=ProposalStatus.WITHDRAWN)
    hidden.cancelled_at = datetime(2027, 2, 10, tzinfo=UTC)
    later = placed_run(edition, title="Called off later", starts_at=at(15))
    later.cancelled_at = datetime(2027, 2, 25, tzinfo=UTC)
    db.session.commit()

    events = events_of(client.get("/calendar/spring.ics"))

    assert sorted(events) == ["Announced", "Called off later"]
    assert str(events["Called off later"]["STATUS"]) == "CANCELLED"
    assert client.get(f"/sessions/{hidden.session_id}.ics").status_code == 404
    assert client.get(f"/sessions/{kept.session_id}.ics").status_code == 200
    assert b"Never announced" not in client.get("/calendar/spring.ics").data


def test_a_withdrawn_draft_has_no_feed(client, edition):
    draft = make_proposal(edition=edition, status=ProposalStatus.WITHDRAWN)

    assert client.get(f"/sessions/{draft.id}.ics").status_code == 404


def test_a_weak_etag_from_a_proxy_still_gets_a_304(client, edition):
    placed_run(edition)
    strong = client.get("/calendar/spring.ics").headers["ETag"]

    again = client.get("/calendar/spring.ics", headers={"If-None-Match": f"W/{strong}"})

    assert again.status_code == 304


def test_a_new_secret_key_revokes_every_personal_address(app, client):
    make_user(email="mei@example.com")
    url = personal_url(client, "mei@example.com")

    app.config["SECRET_KEY"] = "a-brand-new-key"  # which also signs everyone out
    log_in(client, "mei@example.com")

    assert client.get(url).status_code == 404
    assert "You have no feed address yet" in client.get("/calendar").get_data(as_text=True)


def test_renaming_a_room_is_a_new_version_of_its_runs(edition):
    room = make_room(name="Orion", location="Building B")
    run = placed_run(edition, room=room, starts_at=at(10))
    data = editions.RoomData(
        name="Orion (2nd floor)", kind=room.kind, capacity=room.capacity, location="Building C"
    )

    editions.update_room(db.session, room, data, now=NOW)
    db.session.commit()

    db.session.refresh(run)
    assert (run.sequence, run.changed_at) == (1, NOW)


def test_a_teachers_cancelled_session_stays_in_their_feed_as_cancelled(client, edition):
    lead = make_user(email="lead@example.com")
    run = placed_run(edition, lead=lead, title="Pandas")
    proposals.cancel_session(db.session, run.learning_session, actor=make_organizer(), now=NOW)
    db.session.commit()

    events = events_of(client.get(personal_url(client, lead.email)))

    assert str(events["Pandas"]["STATUS"]) == "CANCELLED"


def test_a_nul_character_in_a_path_is_a_400(client):
    assert client.get("/calendar/%00.ics").status_code == 400


def test_links_in_abstracts_keep_their_address(client, edition):
    placed_run(edition, title="Pandas", abstract="See [the slides](https://example.com/s).")

    description = icalendar.Calendar.from_ical(client.get("/calendar/spring.ics").data).walk(
        "VEVENT"
    )[0]["DESCRIPTION"]

    assert description.startswith("See the slides (https://example.com/s).")


def test_an_unpublished_session_page_offers_no_calendar_link(client):
    edition = published_edition(is_published=False, published_at=None)
    run = placed_run(edition)
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")
    body = client.get(f"/sessions/{run.session_id}").get_data(as_text=True)

    assert f"/sessions/{run.session_id}.ics" not in body


def test_a_seat_held_in_a_run_shows_in_the_feed_of_a_new_subscriber(client, edition):
    run = placed_run(edition, title="Pandas")
    mei = make_user(email="mei@example.com")
    make_signup(run, mei)

    assert sorted(events_of(client.get(personal_url(client, mei.email)))) == ["Pandas"]
