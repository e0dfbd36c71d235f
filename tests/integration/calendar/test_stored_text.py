"""Feeds never fail on text stored with line breaks or control characters (written
before the forms cleaned them, or past the forms)."""

from learningweek.extensions import db
from learningweek.signups import services as signups
from tests.factories import make_room, make_topic, make_user
from tests.integration.calendar.helpers import events_of, personal_url
from tests.integration.signups.helpers import NOW, at, placed_run

TITLE = "Pandas\r\nför alla\x07"


def test_line_breaks_stored_in_titles_and_names_still_give_every_feed(client, edition):
    edition.name = "Spring\r\n2027"
    topic = make_topic(name="Data\nscience", slug="data")
    room = make_room(name="Orion\r\nEast", location="Building B\x0b")
    run = placed_run(edition, starts_at=at(10), room=room, title=TITLE, topics=[topic],
                     abstract="One.\r\n\r\nTwo\x1b[0m.")  # fmt: skip
    mei = make_user(email="mei@example.com", display_name="Mei\r\nChen")
    signups.sign_up(db.session, run, mei, now=NOW)
    db.session.commit()

    feeds = [
        client.get(f"/sessions/{run.session_id}.ics"),
        client.get("/calendar/spring.ics"),
        client.get("/calendar/spring/topics/data.ics"),
        client.get(personal_url(client, "mei@example.com")),
    ]

    for feed in feeds:
        event = events_of(feed)["Pandas för alla"]  # both parsers read it
        assert event["LOCATION"] == "Orion East, Building B"
        assert event.categories == ["Data science"]
        assert "Two[0m." in event["DESCRIPTION"]
