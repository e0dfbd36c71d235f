"""Organizers create and edit editions, rooms and topics; bad input gets field errors."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from learningweek.core.enums import RoomKind
from learningweek.editions.models import Edition, Room, Topic
from learningweek.extensions import db
from tests.conftest import log_in
from tests.factories import make_edition, make_organizer, make_room, make_topic
from tests.integration.html import field_error, flashes, page

EDITION_FORM = {
    "name": "Learning Week Spring 2027",
    "slug": "spring-2027",
    "description": "Teach and learn.",
    "time_zone": "Europe/Stockholm",
    "first_day": "2027-03-08",
    "last_day": "2027-03-12",
    "day_starts_at": "09:00",
    "day_ends_at": "17:00",
    "slot_minutes": "30",
    "proposals_open": "2027-01-04T09:00",
    "proposals_close": "2027-02-01T17:00",
    "signup_opens": "2027-02-15T09:00",
    "signup_closes": "2027-03-12T12:00",
    "feedback_days": "14",
}

ROOM_FORM = {
    "name": "Orion",
    "kind": "physical",
    "capacity": "40",
    "location": "Building B",
    "equipment": ["projector", "video"],
    "is_active": "y",
}


@pytest.fixture
def organizer(client):
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")
    return client


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_new_edition_form_starts_from_sensible_defaults(organizer):
    form = page(organizer.get("/organize/editions/new"))

    assert form.find(id="time_zone")["value"] == "Europe/Stockholm"
    assert form.find(id="slot_minutes")["value"] == "30"
    assert form.find(id="day_starts_at")["value"] == "09:00"
    assert form.find("datalist", id="time-zones").find("option", value="America/New_York")


def test_create_edition_stores_windows_in_utc(organizer):
    response = organizer.post("/organize/editions/new", data=EDITION_FORM)

    assert response.status_code == 302
    edition = db.session.scalar(sa.select(Edition))
    assert edition.slug == "spring-2027"
    assert edition.proposals_open_at == datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    assert edition.is_published is False


def test_edition_page_shows_times_in_its_time_zone(organizer):
    organizer.post("/organize/editions/new", data=EDITION_FORM | {"time_zone": "America/New_York"})

    text = page(organizer.get("/editions/spring-2027")).get_text(" ")

    assert "Mon 04 Jan 2027, 09:00 EST" in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"last_day": "2027-03-01"}, "last_day", "cannot be before the first day"),
        ({"time_zone": "Europe/Atlantis"}, "time_zone", "not a time zone we know"),
        ({"day_ends_at": "08:00"}, "day_ends_at", "must end after it starts"),
        ({"slot_minutes": "7"}, "slot_minutes", "whole slots"),
        ({"slot_minutes": "1000"}, "slot_minutes", "between 5 and 240"),
        ({"slot_minutes": "thirty"}, "slot_minutes", "Enter a whole number"),
        ({"proposals_close": "2027-01-01T09:00"}, "proposals_close", "close after it opens"),
        ({"signup_closes": "2027-02-15T09:00"}, "signup_closes", "close after it opens"),
        ({"signup_opens": "next tuesday"}, "signup_opens", "Not a valid datetime value"),
        ({"first_day": "2027-02-30"}, "first_day", "Not a valid date value"),
        ({"day_starts_at": "25:00"}, "day_starts_at", "Not a valid time value"),
        ({"feedback_days": "400"}, "feedback_days", "between 0 and 90"),
        ({"slug": "Spring 2027!"}, "slug", "lower-case letters"),
        ({"name": ""}, "name", "This field is required"),
    ],
    ids=[
        "last-before-first",
        "unknown-zone",
        "day-reversed",
        "slots-do-not-divide",
        "slot-too-long",
        "slot-not-number",
        "proposal-window",
        "signup-window",
        "garbage-datetime",
        "impossible-date",
        "impossible-time",
        "feedback-days",
        "slug",
        "name",
    ],
)
def test_edition_validation_errors_appear_next_to_field(organizer, changes, field, message):
    response = organizer.post("/organize/editions/new", data=EDITION_FORM | changes)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert _count(Edition) == 0


def test_edition_slug_must_be_unique(organizer):
    make_edition(slug="spring-2027")

    response = organizer.post("/organize/editions/new", data=EDITION_FORM)

    assert response.status_code == 422
    assert field_error(response, "slug") == "Another edition already uses this address."


def test_edit_edition_reads_windows_in_new_time_zone(organizer):
    edition = make_edition(slug="spring-2027")

    response = organizer.post(
        f"/organize/editions/{edition.id}/edit",
        data=EDITION_FORM | {"time_zone": "Asia/Kolkata"},
    )

    assert response.status_code == 302
    db.session.refresh(edition)
    assert edition.time_zone == "Asia/Kolkata"
    assert edition.proposals_open_at == datetime(2027, 1, 4, 3, 30, tzinfo=UTC)


def test_edit_form_shows_stored_windows_as_local_times(organizer):
    edition = make_edition(proposals_open_at=datetime(2027, 1, 4, 8, 0, tzinfo=UTC))

    form = page(organizer.get(f"/organize/editions/{edition.id}/edit"))

    assert form.find(id="proposals_open")["value"] == "2027-01-04T09:00"


def test_published_edition_keeps_its_address(organizer):
    edition = make_edition(slug="spring-2027", is_published=True)

    response = organizer.post(
        f"/organize/editions/{edition.id}/edit", data=EDITION_FORM | {"slug": "renamed"}
    )

    assert response.status_code == 422
    assert "cannot change" in field_error(response, "slug")


def test_failed_edit_loses_nothing_stored(organizer):
    edition = make_edition(slug="spring-2027", name="Original name")

    organizer.post(
        f"/organize/editions/{edition.id}/edit",
        data=EDITION_FORM | {"name": "New name", "last_day": "2020-01-01"},
    )

    db.session.refresh(edition)
    assert edition.name == "Original name"


def test_create_physical_and_online_rooms(organizer):
    organizer.post("/organize/rooms/new", data=ROOM_FORM)
    organizer.post(
        "/organize/rooms/new",
        data={
            "name": "Online 1",
            "kind": "online",
            "capacity": "300",
            "meeting_url": "https://meet.example.com/lw-1",
        },
    )

    rooms = db.session.scalars(sa.select(Room).order_by(Room.name)).all()
    assert [(r.name, r.kind, r.capacity, r.equipment) for r in rooms] == [
        ("Online 1", RoomKind.ONLINE, 300, []),
        ("Orion", RoomKind.PHYSICAL, 40, ["projector", "video"]),
    ]
    assert rooms[0].meeting_url == "https://meet.example.com/lw-1"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"capacity": "0"}, "capacity", "between 1 and 5,000"),
        ({"capacity": "5001"}, "capacity", "between 1 and 5,000"),
        ({"capacity": "lots"}, "capacity", "Enter a whole number"),
        ({"kind": "online"}, "meeting_url", "needs the meeting link"),
        ({"kind": "online", "meeting_url": "javascript:alert(1)"}, "meeting_url", "https://"),
        ({"meeting_url": "ftp://files.example.com"}, "meeting_url", "https://"),
        ({"kind": "teleporter"}, "kind", "Not a valid choice"),
        ({"equipment": ["laser"]}, "equipment", "not a valid choice"),
        ({"name": ""}, "name", "This field is required"),
    ],
    ids=[
        "capacity-zero",
        "capacity-too-big",
        "capacity-not-number",
        "online-without-link",
        "javascript-link",
        "ftp-link",
        "unknown-kind",
        "unknown-equipment",
        "no-name",
    ],
)
def test_room_validation_errors_appear_next_to_field(organizer, changes, field, message):
    response = organizer.post("/organize/rooms/new", data=ROOM_FORM | changes)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert _count(Room) == 0


def test_room_names_are_unique_ignoring_case(organizer):
    make_room(name="Orion")

    response = organizer.post("/organize/rooms/new", data=ROOM_FORM | {"name": "ORION"})

    assert response.status_code == 422
    assert field_error(response, "name") == "Another room already has this name."


def test_edit_room_can_deactivate_it(organizer):
    room = make_room(name="Orion")

    organizer.post(f"/organize/rooms/{room.id}/edit", data=ROOM_FORM | {"is_active": ""})

    db.session.refresh(room)
    assert room.is_active is False
    assert "Not available" in page(organizer.get("/organize/rooms")).get_text()


def test_create_topic_derives_slug_from_name(organizer):
    response = organizer.post(
        "/organize/topics/new", data={"name": "Data & AI", "slug": "", "colour": "#7B4FA0"}
    )

    topic = db.session.scalar(sa.select(Topic))
    assert response.status_code == 302
    assert (topic.name, topic.slug, topic.colour) == ("Data & AI", "data-ai", "#7b4fa0")
    assert flashes(organizer.get("/organize/topics")) == ["Data & AI is added."]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "security", "slug": "", "colour": "#123456"}, "name", "already has this name"),
        ({"name": "Infosec", "slug": "security", "colour": "#123456"}, "slug", "already uses"),
        ({"name": "Infosec", "slug": "", "colour": "blue"}, "colour", "#3366cc"),
        ({"name": "Infosec", "slug": "Info Sec", "colour": "#123456"}, "slug", "lower-case"),
    ],
    ids=["duplicate-name", "duplicate-slug", "bad-colour", "bad-slug"],
)
def test_topic_validation_errors_appear_next_to_field(organizer, data, field, message):
    make_topic(name="Security", slug="security")

    response = organizer.post("/organize/topics/new", data=data)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert _count(Topic) == 1


def test_empty_lists_invite_the_first_entry(organizer):
    for url, link in (
        ("/organize/editions", "/organize/editions/new"),
        ("/organize/rooms", "/organize/rooms/new"),
        ("/organize/topics", "/organize/topics/new"),
    ):
        empty = page(organizer.get(url)).select_one(".empty")
        assert empty.find("a")["href"] == link


def test_all_problems_of_a_form_show_in_one_round(organizer):
    response = organizer.post(
        "/organize/rooms/new",
        data={"name": "", "kind": "online", "capacity": "0", "meeting_url": ""},
    )

    assert response.status_code == 422
    assert "required" in field_error(response, "name")
    assert "between 1 and 5,000" in field_error(response, "capacity")
    assert "needs the meeting link" in field_error(response, "meeting_url")
