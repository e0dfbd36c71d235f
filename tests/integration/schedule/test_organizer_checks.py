"""Organizer actions check what they do to people before they do it (issue 16).

Nothing is placed in the past; a move that would book seat holders twice needs the
organizer's confirmation; moves and cancellations show who they reach first; one
edition's day rules stay with its own runs; the grid follows the clocks on change days.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from learningweek.core.enums import ProposalStatus
from learningweek.core.errors import DomainError
from learningweek.extensions import db
from learningweek.schedule import services
from learningweek.schedule import views as schedule_views
from learningweek.schedule.models import Run
from tests.conftest import log_in
from tests.factories import (
    make_edition,
    make_proposal,
    make_room,
    make_run,
    make_signup,
    make_user,
)
from tests.integration.html import flashes, page
from tests.integration.schedule.week import NOW, SETTINGS, at

S = ProposalStatus
# Monday of the spring week, at noon in Stockholm: the morning has begun.
MONDAY_NOON = at(12)


@pytest.fixture
def published(app):
    return make_edition(
        slug="spring",
        first_day=date(2027, 3, 8),
        is_published=True,
        published_at=datetime(2027, 2, 1, tzinfo=UTC),
    )


def accepted(edition, **overrides):
    return make_proposal(edition=edition, status=S.ACCEPTED, **overrides)


def run_at(edition, starts_at, room=None, **session_fields) -> Run:
    return make_run(
        accepted(edition, **session_fields), starts_at=starts_at, room=room or make_room()
    )


def start_options(response) -> list[str]:
    return [option["value"] for option in page(response).select("select#starts_at option")]


# --- finding 1: nothing in the past -----------------------------------------------------------


def test_a_published_run_cannot_be_moved_to_a_time_already_begun_even_anyway(published, organizer):
    run = run_at(published, at(10, day=9))

    with pytest.raises(services.PlacementRefused, match="has already begun") as refused:
        services.place_run(
            db.session,
            run,
            at(10),
            run.room,
            actor=organizer,
            now=MONDAY_NOON,
            settings=SETTINGS,
            force=True,
        )

    assert refused.value.can_override is False
    db.session.rollback()
    assert db.session.get(Run, run.id).starts_at == at(10, day=9)


def test_an_extra_run_cannot_be_added_at_a_time_already_begun(published, organizer):
    run = run_at(published, at(14), max_participants=1)
    make_signup(run, make_user())
    make_signup(run, make_user(), status="waitlisted", confirmed_at=None)

    with pytest.raises(services.PlacementRefused, match="has already begun"):
        services.add_run_for_waitlist(
            db.session,
            run,
            at(9),
            make_room(),
            actor=organizer,
            now=MONDAY_NOON,
            settings=SETTINGS,
            force=True,
        )


def test_a_run_that_has_begun_keeps_its_time(published, organizer):
    run = run_at(published, at(10))

    with pytest.raises(DomainError, match="can no longer change"):
        services.place_run(
            db.session,
            run,
            at(10, day=9),
            run.room,
            actor=organizer,
            now=MONDAY_NOON,
            settings=SETTINGS,
        )


def test_the_move_form_offers_no_start_already_begun(client, published, organizer, monkeypatch):
    run = run_at(published, at(10, day=9))
    monkeypatch.setattr(schedule_views, "utcnow", lambda: MONDAY_NOON)
    log_in(client, organizer.email)

    offered = start_options(client.get(f"/organize/runs/{run.id}"))

    assert at(11, 30).isoformat() not in offered
    assert offered[0] == at(12).isoformat()


# --- finding 2: a move into a seat holder's other seat ----------------------------------------


def two_runs_sharing_alice(edition):
    moving = run_at(edition, at(10), title="Kanban")
    other = run_at(edition, at(14), title="SQL windows")
    alice, bo = make_user(display_name="Alice"), make_user(display_name="Bo")
    make_signup(moving, alice)
    make_signup(moving, bo)
    make_signup(other, alice)
    return moving, other, alice, bo


def test_a_move_into_a_seat_holders_other_seat_is_refused_naming_them(published, organizer):
    moving, other, alice, _ = two_runs_sharing_alice(published)

    with pytest.raises(services.MoveWouldDoubleBook) as refused:
        services.place_run(
            db.session, moving, at(14), make_room(), actor=organizer, now=NOW, settings=SETTINGS
        )

    assert str(refused.value).startswith("1 person with a seat in this run (Alice) has another")
    assert [(c.person.id, [r.id for r in c.seats]) for c in refused.value.clashes] == [
        (alice.id, [other.id])
    ]


def test_a_confirmed_move_into_another_seat_is_made(published, organizer):
    moving, _, _, _ = two_runs_sharing_alice(published)

    services.place_run(
        db.session,
        moving,
        at(14),
        make_room(),
        actor=organizer,
        now=NOW,
        settings=SETTINGS,
        force_clashes=True,
    )
    db.session.commit()

    assert db.session.get(Run, moving.id).starts_at == at(14)


def test_clashes_after_move_names_seats_and_teaching(published):
    moving = run_at(published, at(10), title="Kanban")
    teacher = make_user(display_name="Cy")
    taught = run_at(published, at(14), title="Git", lead=teacher)
    make_signup(moving, teacher)
    elsewhere = make_user(display_name="Dee")
    make_signup(moving, elsewhere)
    make_signup(run_at(published, at(16), title="Late"), elsewhere)  # after the new time

    clashes = services.clashes_after_move(db.session, moving, at(14))

    assert [(c.person.id, c.seats, [r.id for r in c.teaching]) for c in clashes] == [
        (teacher.id, (), [taught.id])
    ]


# --- the consequence preview ------------------------------------------------------------------


def test_a_move_of_a_published_run_is_shown_before_it_is_made(client, published, organizer):
    moving, _, _, _ = two_runs_sharing_alice(published)
    waiting = make_user(display_name="Wen")
    make_signup(moving, waiting, status="waitlisted", confirmed_at=None)
    log_in(client, organizer.email)

    posted = client.post(
        f"/organize/runs/{moving.id}/place",
        data={"starts_at": at(15).isoformat(), "room_id": moving.room_id},
    )
    preview = client.get(posted.headers["Location"])

    groups = {
        dt.get_text(" ", strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in page(preview).select("dl.affected dt")
    }
    assert posted.status_code == 303
    assert db.session.get(Run, moving.id).starts_at == at(10)
    assert groups["Seat holders (2)"].startswith("Alice, Bo They get: A message with its new")
    assert groups["Waiting (1)"].startswith("Wen They get:")
    assert "that their session moved, with its new time and place" in groups["Teachers (1)"]
    assert page(preview).select_one("button.primary").get_text(strip=True) == (
        "Move and tell 4 people"
    )


def test_the_confirmation_names_who_would_be_booked_twice_and_needs_move_anyway(
    client, published, organizer
):
    moving, _, _, _ = two_runs_sharing_alice(published)
    log_in(client, organizer.email)
    choice = {"starts_at": at(14).isoformat(), "room_id": moving.room_id, "confirmed": "y"}

    refused = client.post(f"/organize/runs/{moving.id}/place", data=choice)
    forced = client.post(f"/organize/runs/{moving.id}/place", data=choice | {"force_clashes": "y"})

    clash = page(refused).select_one("ul.clashes li").get_text(" ", strip=True)
    assert refused.status_code == 422
    assert clash == "Alice: “SQL windows” (Mon 08 Mar 2027, 14:00 CET)"
    assert page(refused).find(id="force_clashes") is not None
    assert forced.status_code == 302
    assert db.session.get(Run, moving.id).starts_at == at(14)


def test_a_room_change_is_shown_as_one_before_it_is_made(client, published, organizer):
    run = run_at(published, at(10), title="Kanban")
    make_signup(run, make_user(display_name="Alice"))
    annex = make_room(name="Annex")
    log_in(client, organizer.email)

    preview = client.get(
        f"/organize/runs/{run.id}/move",
        query_string={"starts_at": at(10).isoformat(), "room_id": annex.id},
    )

    assert page(preview).find("h1").get_text(strip=True) == "Change the room of “Kanban”?"
    assert "Change the room and tell 2 people" in preview.get_data(as_text=True)


def test_cancelling_a_run_shows_who_is_told_first(client, published, organizer):
    run = run_at(published, at(10), title="Kanban")
    make_signup(run, make_user(display_name="Alice"))
    make_signup(run, make_user(display_name="Wen"), status="waitlisted", confirmed_at=None)
    log_in(client, organizer.email)

    preview = client.get(f"/organize/runs/{run.id}/cancel")

    roles = [dt.get_text(" ", strip=True) for dt in page(preview).select("dl.affected dt")]
    assert roles == ["Teachers (1)", "Seat holders (1)", "Offered a seat (0)", "Waiting (1)"]
    assert page(preview).select_one("form button.danger").get_text(strip=True) == (
        "Cancel the run and tell 3 people"
    )
    assert db.session.get(Run, run.id).cancelled_at is None


# --- finding 4: one edition's rules stay with its own runs ------------------------------------


def test_publishing_ignores_the_day_rules_of_an_overlapping_edition_in_another_zone(organizer):
    spring = make_edition(slug="spring", first_day=date(2027, 3, 8))
    new_york = make_edition(slug="ny", first_day=date(2027, 3, 8), time_zone="America/New_York")
    room = make_room()
    make_run(accepted(spring), starts_at=at(10), room=room)
    # 15:00 in New York is 21:00 in Stockholm, hours after the spring day ends.
    late = datetime(2027, 3, 8, 15, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)
    make_run(accepted(new_york), starts_at=late, room=make_room())

    services.publish_edition(db.session, spring, actor=organizer, settings=SETTINGS, now=NOW)

    assert spring.is_published is True


# --- finding 5: the grid follows the clocks on change days ------------------------------------

# 2027's change days, with the wall-clock hour that is skipped or repeated there.
SPRING = [("Europe/Stockholm", date(2027, 3, 28), 2), ("America/New_York", date(2027, 3, 14), 2)]
FALL = [
    ("Europe/Stockholm", date(2027, 10, 31), 2, "CET"),
    ("America/New_York", date(2027, 11, 7), 1, "EST"),
]


def night_edition(zone: str, day: date):
    return make_edition(
        slug="night",
        first_day=day,
        last_day=day,
        time_zone=zone,
        day_starts_at=time(1, 0),
        day_ends_at=time(4, 0),
    )


@pytest.mark.parametrize(("zone", "day", "hour"), SPRING, ids=["stockholm", "new_york"])
def test_the_grid_offers_no_start_that_does_not_exist_on_a_spring_forward_day(
    client, organizer, zone, day, hour
):
    run = make_run(accepted(night_edition(zone, day), duration_minutes=30))
    log_in(client, organizer.email)

    labels = [
        o.get_text(strip=True)[-5:]
        for o in page(client.get(f"/organize/runs/{run.id}")).select("select#starts_at option")
    ]

    assert labels == ["01:00", "01:30", "03:00", "03:30"]


@pytest.mark.parametrize(("zone", "day", "hour", "second"), FALL, ids=["stockholm", "new_york"])
def test_the_second_repeated_start_on_a_fall_back_day_is_offered_and_accepted(
    client, organizer, zone, day, hour, second
):
    run = make_run(accepted(night_edition(zone, day), duration_minutes=30))
    room = make_room()
    log_in(client, organizer.email)
    options = page(client.get(f"/organize/runs/{run.id}")).select("select#starts_at option")
    value = next(
        o["value"] for o in options if o.get_text(strip=True).endswith(f"{hour:02}:30 {second}")
    )

    response = client.post(
        f"/organize/runs/{run.id}/place", data={"starts_at": value, "room_id": room.id}
    )

    db.session.refresh(run)
    local = run.starts_at.astimezone(ZoneInfo(zone))
    assert response.status_code == 302, flashes(response)
    assert (local.hour, local.minute, local.tzname()) == (hour, 30, second)
    assert len(options) == 8


# --- deactivation shows what the person holds -------------------------------------------------


def test_deactivating_shows_the_seats_waitlist_places_and_teaching_first(
    client, published, organizer
):
    mei = make_user(display_name="Mei")
    make_signup(run_at(published, at(10), title="Kanban"), mei)
    make_signup(
        run_at(published, at(14), title="SQL windows"), mei, status="waitlisted", confirmed_at=None
    )
    run_at(published, at(10, day=9), title="Git", lead=mei)
    log_in(client, organizer.email)

    people = page(client.get("/organize/people", query_string={"q": "Mei"}))
    preview = client.get(people.select_one("a.danger")["href"])

    held = [li.get_text(" ", strip=True) for li in page(preview).select("ul.holdings li")]
    assert held == [
        "Seat : “Kanban”, Mon 08 Mar 2027, 10:00 CET",
        "On the waitlist : “SQL windows”, Mon 08 Mar 2027, 14:00 CET",
        "Teaches : “Git”, Tue 09 Mar 2027, 10:00 CET",
    ]
    assert db.session.get(type(mei), mei.id).is_active is True
