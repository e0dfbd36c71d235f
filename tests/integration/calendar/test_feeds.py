"""Feeds over HTTP: what each holds, tokens, sequence and cancellation, and cheap 304s."""

import gzip
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa

from learningweek.calendar.models import CalendarToken
from learningweek.calendar.services import hash_token
from learningweek.core.enums import ProposalStatus, RoomKind, SessionFormat, SignupStatus
from learningweek.extensions import db
from learningweek.schedule import services as schedule
from learningweek.schedule.conflicts import Settings
from tests.conftest import log_in
from tests.factories import (
    make_organizer,
    make_proposal,
    make_room,
    make_signup,
    make_topic,
    make_user,
)
from tests.integration.calendar.helpers import events_of, personal_url
from tests.integration.html import flashes, page
from tests.integration.signups.helpers import NOW, at, placed_run, published_edition

S = SignupStatus
MEETING_URL = "https://meet.example.com/private-room"


# --- the programme feeds ------------------------------------------------------------------


def test_the_edition_feed_holds_every_placed_run_at_its_time_and_place(client, edition):
    topic = make_topic(name="Data")
    room = make_room(name="Orion", location="Building B")
    run = placed_run(edition, starts_at=at(10), room=room, title="Pandas", topics=[topic])
    placed_run(edition, starts_at=at(13), title="Kanban")
    make_proposal(edition=edition, status=ProposalStatus.ACCEPTED, title="Unplaced")

    events = events_of(client.get("/calendar/spring.ics"))

    assert sorted(events) == ["Kanban", "Pandas"]
    pandas = events["Pandas"]
    assert pandas["UID"] == f"learningweek-run-{run.id}@learningweek.localhost"
    assert pandas.decoded("DTSTART").astimezone(UTC) == at(10)
    assert pandas.decoded("DTEND").astimezone(UTC) == at(11)
    assert pandas["LOCATION"] == "Orion, Building B"
    assert pandas["URL"] == f"http://localhost/sessions/{run.session_id}"
    assert pandas.categories == ["Data"]
    assert "Teachers: " in pandas["DESCRIPTION"]


def test_public_feeds_never_carry_the_meeting_link(client, edition):
    online = make_room(kind=RoomKind.ONLINE, capacity=50, meeting_url=MEETING_URL)
    placed_run(edition, room=online, format=SessionFormat.ONLINE, title="Remote")

    response = client.get("/calendar/spring.ics")

    assert events_of(response)["Remote"]["LOCATION"] == "Online"
    assert MEETING_URL.encode() not in response.get_data()


def test_the_topic_feed_holds_only_that_topics_runs(client, edition):
    data, people = make_topic(name="Data", slug="data"), make_topic(name="People", slug="people")
    placed_run(edition, starts_at=at(10), title="Pandas", topics=[data])
    placed_run(edition, starts_at=at(13), title="Feedback", topics=[people])

    assert sorted(events_of(client.get("/calendar/spring/topics/data.ics"))) == ["Pandas"]
    assert client.get("/calendar/spring/topics/nonsense.ics").status_code == 404


def test_the_session_feed_holds_each_of_its_runs(client, edition):
    run = placed_run(edition, starts_at=at(10), title="Pandas")
    again = placed_run(edition, session=run.learning_session, starts_at=at(10, day=9))
    placed_run(edition, starts_at=at(13), title="Other")

    events = icalendar.Calendar.from_ical(client.get(f"/sessions/{run.session_id}.ics").data)

    assert sorted(str(e["UID"]).split("@")[0] for e in events.walk("VEVENT")) == sorted(
        [f"learningweek-run-{run.id}", f"learningweek-run-{again.id}"]
    )


def test_unpublished_and_unknown_programmes_have_no_feed(client):
    hidden = published_edition(is_published=False, slug="hidden")
    draft = make_proposal(edition=hidden)

    assert client.get("/calendar/hidden.ics").status_code == 404
    assert client.get("/calendar/nothing-here.ics").status_code == 404
    assert client.get(f"/sessions/{draft.id}.ics").status_code == 404


def test_moving_then_cancelling_raises_the_sequence_and_the_event_stays_cancelled(client, edition):
    organizer = make_organizer()
    run = placed_run(edition, starts_at=at(10), title="Pandas")
    before = events_of(client.get("/calendar/spring.ics"))["Pandas"]

    schedule.place_run(
        db.session, run, at(14), run.room, actor=organizer, now=NOW, settings=Settings()
    )
    db.session.commit()
    moved = events_of(client.get("/calendar/spring.ics"))["Pandas"]
    schedule.cancel_run(db.session, run, actor=organizer, now=NOW + timedelta(hours=1))
    db.session.commit()
    cancelled = events_of(client.get("/calendar/spring.ics"))["Pandas"]

    assert before["SEQUENCE"] < moved["SEQUENCE"] < cancelled["SEQUENCE"]
    assert moved.decoded("DTSTART").astimezone(UTC) == at(14)
    assert (before["UID"], moved["UID"]) == (cancelled["UID"], cancelled["UID"])
    assert cancelled["STATUS"] == "CANCELLED"
    assert moved.decoded("DTSTAMP") < cancelled.decoded("DTSTAMP")


def test_cancelled_runs_leave_the_edition_feed_once_the_edition_is_over(client):
    past = published_edition(slug="past", first_day=date(2026, 3, 2))
    kept = placed_run(past, starts_at=at(10, day=2).replace(year=2026), title="Held")
    gone = placed_run(past, starts_at=at(13, day=2).replace(year=2026), title="Called off")
    gone.cancelled_at = datetime(2026, 3, 1, tzinfo=UTC)
    db.session.commit()

    assert sorted(events_of(client.get("/calendar/past.ics"))) == [kept.learning_session.title]


def test_two_identical_requests_return_identical_bytes(client, edition):
    placed_run(edition, title="Kanban för alla – ünïcode")

    first, second = client.get("/calendar/spring.ics"), client.get("/calendar/spring.ics")

    assert first.get_data() == second.get_data()
    assert "Kanban för alla – ünïcode" in events_of(first)


# --- the personal feed ------------------------------------------------------------------


def test_the_personal_feed_holds_exactly_my_confirmed_and_taught_runs(app, client, edition):
    mei = make_user(email="mei@example.com")
    online = make_room(kind=RoomKind.ONLINE, capacity=50, meeting_url=MEETING_URL)
    seat = placed_run(edition, starts_at=at(10), room=online, format="online", title="Seat")
    waiting = placed_run(edition, starts_at=at(13), title="Waiting", max_participants=1)
    placed_run(edition, starts_at=at(15), title="Teaching", lead=mei)
    gone = placed_run(edition, starts_at=at(10, day=9), title="Called off")
    placed_run(edition, starts_at=at(10, day=10), title="Not mine")
    left = placed_run(edition, starts_at=at(10, day=11), title="Cancelled by me")
    make_signup(seat, mei)
    make_signup(waiting, make_user())
    make_signup(waiting, mei, status=S.WAITLISTED, confirmed_at=None)
    make_signup(gone, mei, status=S.RUN_CANCELLED)
    make_signup(left, mei, status=S.CANCELLED)

    events = events_of(client.get(personal_url(client, mei.email)))

    assert sorted(events) == ["Called off", "Seat", "Teaching", "Waiting"]
    assert {name: str(e["STATUS"]) for name, e in events.items()} == {
        "Called off": "CANCELLED",
        "Seat": "CONFIRMED",
        "Teaching": "CONFIRMED",
        "Waiting": "TENTATIVE",
    }
    assert events["Seat"]["LOCATION"] == MEETING_URL
    assert events["Seat"]["URL"] == MEETING_URL
    assert [a.decoded("TRIGGER") for a in events["Seat"].walk("VALARM")] == [-timedelta(minutes=15)]
    assert events["Waiting"].walk("VALARM") == []


def test_someone_elses_token_never_shows_my_sessions(app, edition):
    mine = placed_run(edition, title="Mine")
    theirs = placed_run(edition, starts_at=at(14), title="Theirs")
    make_signup(mine, make_user(email="mei@example.com"))
    make_signup(theirs, make_user(email="bo@example.com"))
    mei_client, bo_client = app.test_client(), app.test_client()

    bo_events = events_of(bo_client.get(personal_url(bo_client, "bo@example.com")))
    mei_events = events_of(mei_client.get(personal_url(mei_client, "mei@example.com")))

    assert (sorted(bo_events), sorted(mei_events)) == (["Theirs"], ["Mine"])


def test_a_revoked_token_gives_404_and_the_new_one_works(client, edition):
    make_user(email="mei@example.com")
    old = personal_url(client, "mei@example.com")

    response = client.post("/calendar/renew", data={"revoke": "1"}, follow_redirects=True)
    new = page(response).select_one("#feed-url")["value"].removeprefix("http://localhost")

    assert flashes(response) == [
        "Your old calendar link no longer works; subscribe with the new one below."
    ]
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/calendar/personal/made-up-token.ics").status_code == 404


def test_the_token_is_not_stored_in_clear(app, client):
    make_user(email="mei@example.com")
    token = personal_url(client, "mei@example.com").split("/")[-1].removesuffix(".ics")

    row = db.session.scalar(sa.select(CalendarToken))
    stored = [str(value) for value in (row.nonce, row.token_hash)]

    assert len(token) >= 43
    assert token not in stored
    assert row.token_hash == hash_token(token, secret_key=app.config["SECRET_KEY"])


def test_my_calendar_page_shows_the_address_subscribe_link_and_instructions(client):
    make_user(email="mei@example.com")
    log_in(client, "mei@example.com")
    assert "You have no feed address yet" in page(client.get("/calendar")).get_text()

    client.post("/calendar/renew")
    soup = page(client.get("/calendar"))

    url = soup.select_one("#feed-url")["value"]
    assert url.startswith("http://localhost/calendar/personal/")
    links = [a["href"] for a in soup.select("a")]
    assert url.replace("http://", "webcal://", 1) in links
    assert all(app_name in soup.get_text() for app_name in ("Outlook", "Google", "Apple"))


def test_the_session_and_programme_pages_offer_calendar_links(client, edition):
    run = placed_run(edition, title="Pandas", topics=[make_topic(slug="data")])
    make_user(email="mei@example.com")
    log_in(client, "mei@example.com")
    topic_id = run.learning_session.topics[0].id

    session_links = [a["href"] for a in page(client.get(f"/sessions/{run.session_id}")).select("a")]
    programme = page(client.get(f"/editions/spring/programme?topic={topic_id}"))
    programme_links = [a["href"] for a in programme.select("a")]

    assert f"/sessions/{run.session_id}.ics" in session_links
    assert "webcal://localhost/calendar/spring.ics" in programme_links
    assert "webcal://localhost/calendar/spring/topics/data.ics" in programme_links


# --- conditional requests --------------------------------------------------------------


@pytest.mark.parametrize("feed", ["edition", "topic", "session", "personal"])
def test_a_repeat_with_the_etag_is_a_304_from_one_query(app, client, count_queries, edition, feed):
    topic = make_topic(slug="data")
    run = placed_run(edition, title="Pandas", topics=[topic])
    mei = make_user(email="mei@example.com")
    make_signup(run, mei)
    url = {
        "edition": "/calendar/spring.ics",
        "topic": "/calendar/spring/topics/data.ics",
        "session": f"/sessions/{run.session_id}.ics",
        "personal": personal_url(client, mei.email),
    }[feed]
    poller = app.test_client()  # a calendar client: no cookies
    first = poller.get(url)

    with count_queries() as queries:
        again = poller.get(url, headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(queries) <= 1


def test_a_client_that_accepts_gzip_gets_the_same_feed_compressed(app, edition):
    placed_run(edition, title="Pandas")
    poller = app.test_client()
    plain = poller.get("/calendar/spring.ics")

    packed = poller.get("/calendar/spring.ics", headers={"Accept-Encoding": "gzip, deflate"})

    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data())
    assert packed.headers["ETag"] != plain.headers["ETag"]  # another representation
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert "Accept-Encoding" in plain.headers["Vary"]
    again = poller.get(
        "/calendar/spring.ics",
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]},
    )
    assert again.status_code == 304
    assert again.headers["ETag"] == packed.headers["ETag"]


def test_an_etag_of_the_other_encoding_is_not_a_match(app, edition):
    # RFC 9110 13.1.2: If-None-Match is compared with the selected representation's
    # ETag; each encoding has its own, so a copy in the other encoding is not current.
    placed_run(edition, title="Pandas")
    poller = app.test_client()
    plain = poller.get("/calendar/spring.ics")
    packed = poller.get("/calendar/spring.ics", headers={"Accept-Encoding": "gzip"})

    wants_gzip = poller.get(
        "/calendar/spring.ics",
        headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]},
    )
    wants_plain = poller.get(
        "/calendar/spring.ics", headers={"If-None-Match": packed.headers["ETag"]}
    )
    weak_plain = poller.get(
        "/calendar/spring.ics", headers={"If-None-Match": "W/" + plain.headers["ETag"]}
    )

    assert wants_gzip.status_code == 200
    assert gzip.decompress(wants_gzip.get_data()) == plain.get_data()
    assert wants_plain.status_code == 200
    assert wants_plain.get_data() == plain.get_data()
    assert weak_plain.status_code == 304  # a proxy that compressed it marked it weak


def test_gzip_refused_with_a_zero_quality_gets_the_plain_feed(app, edition):
    placed_run(edition, title="Pandas")

    response = app.test_client().get(
        "/calendar/spring.ics", headers={"Accept-Encoding": "gzip;q=0, identity"}
    )

    assert "Content-Encoding" not in response.headers
    assert b"Pandas" in response.get_data()


def test_if_modified_since_gets_a_304_until_something_changes(client, edition):
    placed_run(edition, title="Pandas")
    first = client.get("/calendar/spring.ics")

    again = client.get(
        "/calendar/spring.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )

    assert again.status_code == 304


@pytest.mark.parametrize(
    "change",
    ["move", "rename_session", "rename_room", "rename_teacher", "rename_topic", "sign_up"],
)
def test_any_change_to_what_a_feed_shows_changes_its_etag(app, client, edition, change):
    topic = make_topic(slug="data")
    lead = make_user(display_name="Ana")
    run = placed_run(edition, title="Pandas", topics=[topic], lead=lead, starts_at=at(10))
    mei = make_user(email="mei@example.com")
    url = personal_url(client, mei.email) if change == "sign_up" else "/calendar/spring.ics"
    poller = app.test_client()
    first = poller.get(url)
    if change == "move":
        schedule.place_run(
            db.session, run, at(15), run.room, actor=make_organizer(), now=NOW, settings=Settings()
        )
    elif change == "rename_session":
        run.learning_session.title = "Pandas, revised"
    elif change == "rename_room":
        run.room.name = "Renamed room"
    elif change == "rename_teacher":
        lead.display_name = "Ana María"
    elif change == "rename_topic":
        topic.name = "Data and AI"
    else:
        make_signup(run, mei)
    db.session.commit()

    again = poller.get(url, headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert again.get_data() != first.get_data()


# --- constant queries -------------------------------------------------------------------


def add_runs(edition, count: int, offset: int):
    """Runs with a topic and a co-teacher each, spread over the week."""
    runs = []
    for index in range(offset, offset + count):
        run = placed_run(
            edition,
            starts_at=at(9) + timedelta(days=index % 5, minutes=30 * (index // 5)),
            topics=[make_topic()],
        )
        learning_session, co_teacher = run.learning_session, make_user()
        learning_session.co_teachers.append(co_teacher)
        db.session.commit()
        runs.append(run)
    return runs


def test_the_edition_feed_is_built_with_the_same_queries_for_few_and_many_runs(
    client, count_queries, edition
):
    add_runs(edition, 2, 0)
    with count_queries() as few:
        small = client.get("/calendar/spring.ics")
    add_runs(edition, 30, 2)
    with count_queries() as many:
        large = client.get("/calendar/spring.ics")

    assert (len(events_of(small)), len(events_of(large))) == (2, 32)
    assert len(many) == len(few)


@pytest.mark.parametrize("revalidate", [False, True], ids=["built", "304"])
def test_the_personal_feed_runs_the_same_queries_for_few_and_many_runs(
    app, client, count_queries, edition, revalidate
):
    from learningweek.calendar.views import feed_bodies

    mei = make_user(email="mei@example.com")
    url = personal_url(client, mei.email)
    poller = app.test_client()

    def add(count: int, offset: int):
        for run in add_runs(edition, count, offset):
            make_signup(run, mei)
        # Taught in another edition too: the validator reads each edition's version.
        other = published_edition(slug=f"other-{offset}", first_day=date(2027, 9, 6))
        placed_run(other, lead=mei, starts_at=at(10, day=7) + timedelta(days=182))

    def measure():
        feed_bodies.bodies.clear()
        first = poller.get(url)
        headers = {"If-None-Match": first.headers["ETag"]} if revalidate else {}
        feed_bodies.bodies.clear()
        with count_queries() as queries:
            response = poller.get(url, headers=headers)
        return response, queries

    add(2, 0)
    small, few = measure()
    add(12, 2)
    large, many = measure()

    assert small.status_code == large.status_code == (304 if revalidate else 200)
    if not revalidate:
        assert (len(events_of(small)), len(events_of(large))) == (3, 16)
    assert len(many) == len(few)


def test_an_unchanged_feed_is_built_once_and_served_from_one_query(app, count_queries, edition):
    from learningweek.calendar.views import feed_bodies

    feed_bodies.bodies.clear()
    placed_run(edition, title="Pandas")
    poller = app.test_client()
    first = poller.get("/calendar/spring.ics")

    with count_queries() as queries:
        again = poller.get("/calendar/spring.ics")

    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert len(queries) <= 1
