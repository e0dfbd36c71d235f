"""Organizer forms refuse or clean what a browser would never send, instead of a 500."""

import pytest
import sqlalchemy as sa

from learningweek.editions.models import Edition, Room, Topic
from learningweek.extensions import db
from tests.conftest import log_in
from tests.factories import make_edition, make_organizer
from tests.integration.editions.test_organizer_pages import EDITION_FORM, ROOM_FORM
from tests.integration.html import field_error


@pytest.fixture
def organizer(client):
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")
    return client


def test_an_unknown_promotion_mode_is_refused_next_to_the_field(organizer):
    response = organizer.post(
        "/organize/editions/new", data=EDITION_FORM | {"promotion_mode": "lottery"}
    )

    assert response.status_code == 422
    assert field_error(response, "promotion_mode") == "Not a valid choice."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Edition)) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"proposals_open": "0001-01-01T00:00"}, "proposals_open"),
        ({"signup_opens": "0001-01-01T00:00"}, "signup_opens"),
        ({"signup_closes": "9999-12-31T23:59"}, "signup_closes"),
        ({"first_day": "9999-12-27", "last_day": "9999-12-31"}, "first_day"),
        ({"first_day": "0001-01-01", "last_day": "0001-01-02"}, "first_day"),
    ],
    ids=[
        "proposals-open-year-1",
        "signup-opens-year-1",
        "signup-closes-year-9999",
        "week-in-year-9999",
        "week-in-year-1",
    ],  # fmt: skip
)
def test_an_edition_window_in_year_1_or_9999_is_refused_not_overflowed(organizer, changes, field):
    edition = make_edition(slug="spring-2027")

    created = organizer.post("/organize/editions/new", data=EDITION_FORM | changes | {"slug": "x"})
    edited = organizer.post(f"/organize/editions/{edition.id}/edit", data=EDITION_FORM | changes)

    for response in (created, edited):
        assert response.status_code == 422
        assert field_error(response, field) == "Choose a date between 2000 and 2999."


def test_an_unclosed_ipv6_meeting_link_is_refused_next_to_the_field(organizer):
    response = organizer.post(
        "/organize/rooms/new",
        data=ROOM_FORM | {"kind": "online", "meeting_url": "http://[::1"},
    )

    assert response.status_code == 422
    assert "https://" in field_error(response, "meeting_url")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Room)) == 0


def test_a_topic_colour_with_a_trailing_line_break_is_stored_without_it(organizer):
    response = organizer.post(
        "/organize/topics/new", data={"name": "Data", "slug": "", "colour": "#4F6D7A\n"}
    )

    assert response.status_code == 302
    assert db.session.scalar(sa.select(Topic.colour)) == "#4f6d7a"


def test_a_long_topic_name_gets_an_address_that_fits(organizer):
    name = "Machine learning operations and responsible deployment of models at scale"
    assert len(name) > 60

    response = organizer.post(
        "/organize/topics/new", data={"name": name, "slug": "", "colour": "#4f6d7a"}
    )

    topic = db.session.scalar(sa.select(Topic))
    assert response.status_code == 302
    assert topic.slug == "machine-learning-operations-and-responsible-deployment-of"


def test_line_breaks_in_names_and_places_become_spaces(organizer):
    organizer.post(
        "/organize/rooms/new",
        data=ROOM_FORM | {"name": "Orion\r\nEast", "location": "Building B\x0b floor 2\t"},
    )
    organizer.post("/organize/topics/new", data={"name": "Data\nAI", "colour": "#4f6d7a"})
    organizer.post(
        "/organize/editions/new",
        data=EDITION_FORM | {"name": "Spring\r\n2027", "description": "One.\r\n\r\nTwo.\x07"},
    )

    room = db.session.scalar(sa.select(Room))
    edition = db.session.scalar(sa.select(Edition))
    assert (room.name, room.location) == ("Orion East", "Building B floor 2")
    assert db.session.scalar(sa.select(Topic.name)) == "Data AI"
    assert (edition.name, edition.description) == ("Spring 2027", "One.\n\nTwo.")
