"""A room change that reaches people is shown to the organizer before it is saved
(issue 16, "Organizer actions check what they do to people before they do it")."""

import pytest
import sqlalchemy as sa

from learningweek.core.enums import NotificationKind, RoomKind, SignupStatus
from learningweek.editions.models import Room
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from tests.conftest import log_in
from tests.factories import make_organizer, make_room, make_signup, make_user
from tests.integration.html import flashes, page
from tests.integration.signups.helpers import at, placed_run, published_edition

ORION = {
    "name": "Orion",
    "kind": "physical",
    "capacity": "40",
    "location": "Building B",
    "equipment": ["projector"],
    "is_active": "y",
}


@pytest.fixture
def organizer(client):
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")
    return client


@pytest.fixture
def orion(app):
    """Orion, with a run to come: two seat holders, one waiting, one teacher."""
    room = make_room(name="Orion", capacity=40, location="Building B", equipment=["projector"])
    teacher = make_user(display_name="Tess")
    run = placed_run(
        published_edition(), starts_at=at(10), room=room, lead=teacher, max_participants=2
    )
    for name in ("Alice", "Bo"):
        make_signup(run, make_user(display_name=name))
    make_signup(
        run, make_user(display_name="Wen"), status=SignupStatus.WAITLISTED, confirmed_at=None
    )
    return room, run


def told() -> list[tuple[NotificationKind, str | None]]:
    return sorted(
        db.session.execute(sa.select(Notification.kind, Notification.calendar_method)).all(),
        key=lambda row: (row[0], row[1] or ""),
    )


def reach(response) -> dict[str, str]:
    """The confirmation's groups: heading, then what they get."""
    return {
        dt.get_text(" ", strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in page(response).select("dl.affected dt")
    }


def posted_back(response) -> dict[str, list[str]]:
    """What the confirmation's form sends when its primary button is pressed."""
    fields: dict[str, list[str]] = {}
    for hidden in page(response).select("form.panel input[type=hidden]"):
        fields.setdefault(hidden["name"], []).append(hidden.get("value", ""))
    return fields


def test_renaming_a_room_with_signed_up_runs_shows_who_is_told_and_changes_nothing(
    organizer, orion
):
    room, _ = orion

    response = organizer.post(f"/organize/rooms/{room.id}/edit", data=ORION | {"name": "Vega"})

    assert response.status_code == 200
    assert page(response).find("h1").get_text(strip=True) == "Save “Orion” and tell people?"
    text = " ".join(page(response).get_text(" ", strip=True).split())
    assert "Its new place reaches 1 run still to come in it" in text
    assert reach(response) == {
        "Seat holders (2)": "Alice, Bo They get a message, and a calendar update (the event "
        "shows the new place).",
        "Waiting or offered a seat (1)": "Wen They get a message; no calendar event yet.",
        "Teachers (1)": "Tess They get a message, and a calendar update (the event they teach "
        "shows the new place).",
    }
    assert page(response).select_one("button.primary").get_text(strip=True) == (
        "Save and tell 4 people"
    )
    db.session.expire_all()
    assert db.session.get(Room, room.id).name == "Orion"
    assert told() == []


def test_the_confirmed_rename_saves_and_tells_everyone_in_its_runs(organizer, orion):
    room, _ = orion
    confirmation = organizer.post(f"/organize/rooms/{room.id}/edit", data=ORION | {"name": "Vega"})

    saved = organizer.post(
        f"/organize/rooms/{room.id}/edit", data=posted_back(confirmation), follow_redirects=True
    )

    assert flashes(saved) == ["Vega is saved."]
    db.session.expire_all()
    stored = db.session.get(Room, room.id)
    assert (stored.name, stored.location, stored.equipment) == ("Vega", "Building B", ["projector"])
    assert told() == [
        (NotificationKind.PLACE_CHANGED, None),  # Wen, waiting
        (NotificationKind.PLACE_CHANGED, "REQUEST"),  # Tess, teaching: it is in her calendar
        (NotificationKind.PLACE_CHANGED, "REQUEST"),
        (NotificationKind.PLACE_CHANGED, "REQUEST"),
    ]


def test_a_new_meeting_link_is_confirmed_for_seat_holders_and_teachers_only(organizer, orion):
    room, _ = orion

    response = organizer.post(
        f"/organize/rooms/{room.id}/edit",
        data=ORION | {"meeting_url": "https://meet.example.com/vega"},
    )

    assert list(reach(response)) == ["Seat holders (2)", "Teachers (1)"]
    assert page(response).select_one("button.primary").get_text(strip=True) == (
        "Save and tell 3 people"
    )
    assert db.session.get(Room, room.id).meeting_url is None


def test_change_something_goes_back_to_the_form_as_sent_without_saving(organizer, orion):
    room, _ = orion
    confirmation = organizer.post(f"/organize/rooms/{room.id}/edit", data=ORION | {"name": "Vega"})

    back = organizer.post(
        f"/organize/rooms/{room.id}/edit", data=posted_back(confirmation) | {"review": "1"}
    )

    assert page(back).find(id="name")["value"] == "Vega"
    assert page(back).find(id="confirmed")["value"] == ""
    db.session.expire_all()
    assert db.session.get(Room, room.id).name == "Orion"
    assert told() == []


@pytest.mark.parametrize(
    "change",
    [{"capacity": "35"}, {"equipment": ["projector", "video"]}],
    ids=["capacity", "equipment"],
)
def test_a_change_that_moves_nobody_is_saved_at_once(organizer, orion, change):
    room, _ = orion

    response = organizer.post(f"/organize/rooms/{room.id}/edit", data=ORION | change)

    assert response.status_code == 302
    assert told() == []


def test_renaming_a_room_without_runs_to_come_is_saved_at_once(organizer):
    room = make_room(name="Orion", kind=RoomKind.PHYSICAL, location="Building B")

    response = organizer.post(f"/organize/rooms/{room.id}/edit", data=ORION | {"name": "Vega"})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Room, room.id).name == "Vega"
