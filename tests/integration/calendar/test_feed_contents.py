"""Which runs a feed holds and how: never-public runs stay out, a teacher's cancelled
session stays in as cancelled, held seats count, abstracts keep their links, and a
renamed room is a new version of its runs."""

from datetime import UTC, datetime

import icalendar

from learningweek.core.enums import ProposalStatus
from learningweek.editions import services as editions
from learningweek.extensions import db
from learningweek.proposals import services as proposals
from tests.factories import make_organizer, make_proposal, make_room, make_signup, make_user
from tests.integration.calendar.helpers import events_of, personal_url
from tests.integration.signups.helpers import NOW, at, placed_run, published_edition


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


def test_a_teachers_cancelled_session_stays_in_their_feed_as_cancelled(client, edition):
    lead = make_user(email="lead@example.com")
    run = placed_run(edition, lead=lead, title="Pandas")
    proposals.cancel_session(db.session, run.learning_session, actor=make_organizer(), now=NOW)
    db.session.commit()

    events = events_of(client.get(personal_url(client, lead.email)))

    assert str(events["Pandas"]["STATUS"]) == "CANCELLED"


def test_a_seat_held_in_a_run_shows_in_the_feed_of_a_new_subscriber(client, edition):
    run = placed_run(edition, title="Pandas")
    mei = make_user(email="mei@example.com")
    make_signup(run, mei)

    assert sorted(events_of(client.get(personal_url(client, mei.email)))) == ["Pandas"]


def test_links_in_abstracts_keep_their_address(client, edition):
    placed_run(edition, title="Pandas", abstract="See [the slides](https://example.com/s).")

    description = icalendar.Calendar.from_ical(client.get("/calendar/spring.ics").data).walk(
        "VEVENT"
    )[0]["DESCRIPTION"]

    assert description.startswith("See the slides (https://example.com/s).")


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
