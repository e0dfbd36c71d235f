"""The attendee pages: programme and its filters, session page actions, agenda, rosters."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from learningweek.core.database import utcnow
from learningweek.core.enums import Attendance, Level, PromotionMode, RoomKind, SessionFormat
from learningweek.extensions import db
from learningweek.signups.models import Signup
from tests.conftest import log_in
from tests.factories import (
    make_organizer,
    make_proposal,
    make_room,
    make_signup,
    make_topic,
    make_user,
)
from tests.integration.html import flashes, page
from tests.integration.signups.helpers import at, placed_run, published_edition

MEETING_URL = "https://meet.example.com/room-1"


@pytest.fixture
def edition(app):
    # Sign-up open around the real clock, days well ahead of it.
    return published_edition(
        first_day=date(2027, 3, 8),
        signup_opens_at=datetime(2020, 1, 1, tzinfo=UTC),
        signup_closes_at=datetime(2027, 3, 12, 11, tzinfo=UTC),
    )


@pytest.fixture
def mei(app):
    return make_user(email="mei@example.com", display_name="Mei Chen")


def titles(response) -> list[str]:
    return [a.get_text(strip=True) for a in page(response).select(".cards h3 a")]


def actions(response) -> str:
    return " ".join(page(response).select_one(".runs").get_text(" ", strip=True).split())


# --- programme --------------------------------------------------------------------------


def test_an_unpublished_programme_says_so(client, mei):
    edition = published_edition(
        is_published=False, slug="later", proposals_open_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    log_in(client, mei.email)

    response = client.get(f"/editions/{edition.slug}/programme")

    assert response.status_code == 200
    assert "not published yet" in page(response).select_one(".empty").get_text()


def test_the_programme_lists_runs_by_day_with_seats(client, edition, mei):
    run = placed_run(edition, starts_at=at(10), title="Kanban", room=make_room(capacity=3))
    placed_run(edition, starts_at=at(9, day=9), title="Pandas")
    make_signup(run, make_user())
    log_in(client, mei.email)

    response = client.get("/editions/spring/programme")

    soup = page(response)
    assert [h.get_text(strip=True) for h in soup.select("h2")] == [
        "Mon 8 Mar 2027",
        "Tue 9 Mar 2027",
    ]
    assert titles(response) == ["Kanban", "Pandas"]
    assert "2 of 3 seats left" in soup.select(".cards .card")[0].get_text(" ", strip=True)


def _programme_fixture(edition):
    topic = make_topic(name="Data", slug="data")
    lead = make_user(display_name="Ana Ruiz")
    placed_run(edition, starts_at=at(10), title="Pandas", topics=[topic], abstract="dataframes")
    placed_run(
        edition,
        starts_at=at(10, day=9),
        title="Remote facilitation",
        format=SessionFormat.ONLINE,
        room=make_room(kind=RoomKind.ONLINE, capacity=50, meeting_url=MEETING_URL),
    )
    placed_run(edition, starts_at=at(14), title="Advanced Git", level=Level.ADVANCED, lead=lead)
    full = placed_run(
        edition, starts_at=at(15), title="Svenska fika", language="Swedish", max_participants=1
    )
    make_signup(full, make_user())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Pandas", "Advanced Git", "Svenska fika", "Remote facilitation"]),
        ("day=2027-03-09", ["Remote facilitation"]),
        ("topic=TOPIC", ["Pandas"]),
        ("format=online", ["Remote facilitation"]),
        ("level=advanced", ["Advanced Git"]),
        ("language=swedish", ["Svenska fika"]),
        ("free=1", ["Pandas", "Advanced Git", "Remote facilitation"]),
        ("q=DATAFRAMES", ["Pandas"]),
        ("q=ana+ruiz", ["Advanced Git"]),
        ("q=100%25", []),
        (
            "day=1999-01-01&format=nonsense&level=x&topic=abc",
            ["Pandas", "Advanced Git", "Svenska fika", "Remote facilitation"],
        ),
    ],
    ids=[
        "all",
        "day",
        "topic",
        "format",
        "level",
        "language",
        "free",
        "abstract",
        "teacher",
        "literal-percent",
        "nonsense-ignored",
    ],
)
def test_each_programme_filter_narrows_the_list(client, edition, mei, query, expected):
    _programme_fixture(edition)
    topic_id = db.session.scalar(sa.text("SELECT id FROM topics WHERE slug = 'data'"))
    log_in(client, mei.email)

    response = client.get(f"/editions/spring/programme?{query.replace('TOPIC', str(topic_id))}")

    assert response.status_code == 200
    assert titles(response) == expected


def test_a_filter_that_matches_nothing_says_so(client, edition, mei):
    _programme_fixture(edition)
    log_in(client, mei.email)

    response = client.get("/editions/spring/programme?q=quantum")

    assert "No run matches these filters" in page(response).select_one(".empty").get_text()


def test_the_timetable_has_a_column_per_room_and_a_row_per_start(client, edition, mei):
    orion, lab = make_room(name="Orion"), make_room(name="Lab 3")
    placed_run(edition, starts_at=at(10), room=orion, title="Pandas")
    placed_run(edition, starts_at=at(10), room=lab, title="Kanban")
    placed_run(edition, starts_at=at(13), room=orion, title="Git")
    log_in(client, mei.email)

    response = client.get("/editions/spring/programme?view=timetable")

    table = page(response).select_one("table.board")
    assert [th.get_text(" ", strip=True) for th in table.select("thead th")] == [
        "Starts",
        "Lab 3",
        "Orion",
    ]
    rows = [
        [td.get_text(" ", strip=True)[:6] for td in tr.select("td")]
        for tr in table.select("tbody tr")
    ]
    assert [tr.select_one("th").get_text() for tr in table.select("tbody tr")] == ["10:00", "13:00"]
    assert rows == [["Kanban", "Pandas"], ["", "Git 60"]]


# --- session page: the action that fits the viewer ------------------------------------------


def test_a_free_run_offers_sign_up_and_then_shows_the_seat(client, edition, mei):
    run = placed_run(edition, starts_at=at(10))
    log_in(client, mei.email)

    assert "Sign up" in actions(client.get(f"/sessions/{run.session_id}"))
    response = client.post(f"/runs/{run.id}/signup", follow_redirects=True)

    assert flashes(response) == ["You are signed up. See you there!"]
    assert "You have a seat" in actions(response)
    assert "Cancel my sign-up" in actions(response)


def test_a_full_run_offers_the_waitlist_and_shows_the_position(client, edition, mei):
    run = placed_run(edition, starts_at=at(10), max_participants=1)
    make_signup(run, make_user())
    make_signup(run, make_user(), status="waitlisted", confirmed_at=None)
    log_in(client, mei.email)

    assert "Join the waitlist" in actions(client.get(f"/sessions/{run.session_id}"))
    response = client.post(f"/runs/{run.id}/signup", follow_redirects=True)

    assert flashes(response) == ["The run is full: you are number 2 on its waitlist."]
    assert "Number 2 on the waitlist" in actions(response)


def test_a_double_click_says_it_changed_nothing(client, edition, mei):
    run = placed_run(edition, starts_at=at(10))
    log_in(client, mei.email)
    client.post(f"/runs/{run.id}/signup", follow_redirects=True)

    response = client.post(f"/runs/{run.id}/signup", follow_redirects=True)

    assert flashes(response) == ["You already have a seat in this run."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 1


def test_teachers_see_that_they_teach_and_a_roster_link(client, edition, mei):
    run = placed_run(edition, starts_at=at(10), lead=mei)
    log_in(client, mei.email)

    text = actions(client.get(f"/sessions/{run.session_id}"))

    assert "You teach this" in text
    assert "Roster" in text
    assert "Sign up" not in text


def test_another_run_of_my_session_offers_a_switch(client, edition, mei):
    first = placed_run(edition, starts_at=at(10))
    second = placed_run(edition, session=first.learning_session, starts_at=at(10, day=9))
    make_signup(first, mei)
    log_in(client, mei.email)

    response = client.post(
        f"/signups/{db.session.scalar(sa.select(Signup.id))}/switch",
        data={"run_id": second.id},
        follow_redirects=True,
    )

    assert flashes(response) == ["You switched runs: your seat is in the other run now."]
    assert db.session.scalar(sa.select(Signup.run_id)) == second.id


def test_before_the_window_the_page_says_when_sign_up_opens(client, mei):
    edition = published_edition(signup_opens_at=datetime(2027, 2, 15, 8, tzinfo=UTC))
    run = placed_run(edition, starts_at=at(10))
    log_in(client, mei.email)

    assert "Sign-up opens Mon 15 Feb 2027, 09:00 CET." in actions(
        client.get(f"/sessions/{run.session_id}")
    )


def test_cancelling_from_the_page_frees_the_seat(client, edition, mei):
    run = placed_run(edition, starts_at=at(10))
    signup = make_signup(run, mei)
    log_in(client, mei.email)

    response = client.post(f"/signups/{signup.id}/cancel", follow_redirects=True)

    assert flashes(response) == ["Your sign-up is cancelled."]
    assert "Sign up" in actions(response)


def test_someone_elses_sign_up_is_not_found(client, edition, mei):
    signup = make_signup(placed_run(edition), make_user())
    log_in(client, mei.email)

    assert client.post(f"/signups/{signup.id}/cancel").status_code == 404
    assert client.get(f"/signups/{signup.id}/offer").status_code == 404


# --- the meeting link -------------------------------------------------------------------


def _online_run(edition, lead):
    room = make_room(kind=RoomKind.ONLINE, capacity=1, meeting_url=MEETING_URL)
    return placed_run(edition, room=room, format=SessionFormat.ONLINE, lead=lead)


@pytest.mark.parametrize(
    ("viewer", "sees_link"),
    [
        ("confirmed", True),
        ("teacher", True),
        ("organizer", True),
        ("waitlisted", False),
        ("other", False),
    ],
)
def test_only_confirmed_attendees_teachers_and_organizers_see_the_meeting_link(
    client, edition, viewer, sees_link
):
    lead = make_user(email="teacher@example.com")
    run = _online_run(edition, lead)
    make_signup(run, make_user(email="confirmed@example.com"))
    waiting = make_user(email="waitlisted@example.com")
    make_signup(run, waiting, status="waitlisted", confirmed_at=None)
    make_organizer(email="organizer@example.com")
    make_user(email="other@example.com")
    log_in(client, f"{viewer}@example.com")

    body = client.get(f"/sessions/{run.session_id}").get_data(as_text=True)

    assert (MEETING_URL in body) is sees_link


def test_the_agenda_shows_the_link_only_with_a_seat(client, edition, mei):
    run = _online_run(edition, make_user())
    make_signup(run, mei)
    log_in(client, mei.email)

    assert MEETING_URL in client.get("/agenda").get_data(as_text=True)


def test_hybrid_attendees_with_a_seat_see_the_meeting_link(app, client):
    room = make_room(equipment=["video"], meeting_url="https://meet.example.com/hybrid")
    run = placed_run(published_edition(), room=room, format=SessionFormat.HYBRID)
    make_signup(run, make_user(email="seated@example.com"))
    log_in(client, "seated@example.com")

    assert "https://meet.example.com/hybrid" in client.get(f"/sessions/{run.session_id}").get_data(
        as_text=True
    )


# --- agenda -----------------------------------------------------------------------------


def test_the_agenda_lists_seats_waitlist_places_and_teaching_by_day(client, edition, mei):
    seat = placed_run(edition, starts_at=at(10), title="Kanban")
    waiting = placed_run(edition, starts_at=at(9, day=9), title="Pandas", max_participants=1)
    placed_run(edition, starts_at=at(14, day=9), title="My talk", lead=mei)
    make_signup(seat, mei)
    make_signup(waiting, make_user())
    make_signup(waiting, mei, status="waitlisted", confirmed_at=None)
    log_in(client, mei.email)

    soup = page(client.get("/agenda"))

    assert [h.get_text(strip=True) for h in soup.select("h2")] == [
        "Mon 8 Mar 2027",
        "Tue 9 Mar 2027",
    ]
    cards = [" ".join(card.get_text(" ", strip=True).split()) for card in soup.select(".card")]
    assert "Kanban You have a seat" in cards[0]
    assert "Pandas Number 1 on the waitlist" in cards[1]
    assert "My talk You teach this" in cards[2]


def test_an_empty_agenda_points_to_the_editions(client, mei):
    log_in(client, mei.email)

    assert (
        "Nothing on your agenda yet" in page(client.get("/agenda")).select_one(".empty").get_text()
    )


def test_an_offer_can_be_accepted_from_its_page(client, mei):
    edition = published_edition(promotion_mode=PromotionMode.OFFER)
    run = placed_run(edition, starts_at=at(10))
    offer = make_signup(
        run,
        mei,
        status="offered",
        confirmed_at=None,
        offer_expires_at=utcnow() + timedelta(hours=5),
    )
    log_in(client, mei.email)
    assert "Accept the seat" in page(client.get(f"/signups/{offer.id}/offer")).get_text()

    response = client.post(f"/signups/{offer.id}/accept", follow_redirects=True)

    assert flashes(response) == ["The seat is yours: you are signed up."]
    db.session.expire_all()
    assert db.session.get(Signup, offer.id).status == "confirmed"


# --- rosters ----------------------------------------------------------------------------


def test_rosters_are_for_teachers_and_organizers_only(app, client, edition, mei):
    run = placed_run(edition, lead=make_user(email="teacher@example.com"))
    make_organizer(email="boss@example.com")

    log_in(client, mei.email)
    assert client.get(f"/runs/{run.id}/roster").status_code == 403
    assert client.get(f"/runs/{run.id}/roster.csv").status_code == 403
    assert client.post(f"/runs/{run.id}/check-in").status_code == 403
    for email in ("teacher@example.com", "boss@example.com"):
        allowed = app.test_client()
        log_in(allowed, email)
        assert allowed.get(f"/runs/{run.id}/roster").status_code == 200


def test_the_roster_csv_lists_attendees_then_the_waitlist_safely(client, edition):
    lead = make_user(email="teacher@example.com")
    run = placed_run(edition, lead=lead, max_participants=1)
    make_signup(run, make_user(display_name="=HYPERLINK(1)", department="Sales"))
    make_signup(run, make_user(display_name="Bo"), status="waitlisted", confirmed_at=None)
    log_in(client, lead.email)

    response = client.get(f"/runs/{run.id}/roster.csv")

    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "name,department,status,waitlist position,attendance"
    assert lines[1].startswith("'=HYPERLINK(1),")
    assert lines[1].endswith(",Sales,Confirmed,,")
    assert lines[2].startswith("Bo,")
    assert lines[2].endswith(",On the waitlist,1,")


def test_check_in_from_the_roster_saves_marks(client, mei):
    edition = published_edition(
        first_day=date(2026, 3, 2),
        signup_opens_at=datetime(2026, 1, 1, tzinfo=UTC),
        signup_closes_at=datetime(2026, 3, 5, tzinfo=UTC),
    )
    run = placed_run(edition, starts_at=at(10, day=2).replace(year=2026), lead=mei)
    signup = make_signup(run, make_user())
    log_in(client, mei.email)

    response = client.post(
        f"/runs/{run.id}/check-in", data={f"mark-{signup.id}": "attended"}, follow_redirects=True
    )

    assert flashes(response) == ["Check-in saved (1 change)."]
    db.session.expire_all()
    assert db.session.get(Signup, signup.id).attendance == Attendance.ATTENDED


@pytest.mark.parametrize(
    "data", [{"mark-abc": "attended"}, {"mark-1": "present"}], ids=["id", "mark"]
)
def test_malformed_check_in_marks_are_a_400(client, edition, mei, data):
    run = placed_run(edition, lead=mei)
    log_in(client, mei.email)

    assert client.post(f"/runs/{run.id}/check-in", data=data).status_code == 400


def test_check_in_before_the_run_starts_is_refused_with_a_message(client, edition, mei):
    run = placed_run(edition, lead=mei)
    signup = make_signup(run, make_user())
    log_in(client, mei.email)

    response = client.post(
        f"/runs/{run.id}/check-in", data={f"mark-{signup.id}": "attended"}, follow_redirects=True
    )

    assert flashes(response) == ["Check-in opens when the run starts."]


# --- organizers: seats and extra runs ---------------------------------------------------


def test_cutting_seats_on_the_run_page_asks_first_then_moves_people_back(client, edition):
    run = placed_run(edition, starts_at=at(10))
    for _ in range(3):
        make_signup(run, make_user())
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")

    refused = client.post(f"/organize/runs/{run.id}/seats", data={"seat_limit": "1"})
    forced = client.post(
        f"/organize/runs/{run.id}/seats",
        data={"seat_limit": "1", "force": "y"},
        follow_redirects=True,
    )

    assert refused.status_code == 422
    assert "3 people hold seats" in page(refused).select_one("#seat_limit-error").get_text()
    assert flashes(forced) == ["Seats saved: 0 moved up from the waitlist, 2 went back to it."]


def test_an_extra_run_from_the_run_page_takes_the_waitlist(client, edition):
    run = placed_run(edition, starts_at=at(10), max_participants=1)
    make_signup(run, make_user())
    waiting = make_user()
    make_signup(run, waiting, status="waitlisted", confirmed_at=None)
    room = make_room(name="Annex")
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")

    response = client.post(
        f"/organize/runs/{run.id}/extra-run",
        data={"extra-starts_at": at(14).isoformat(), "extra-room_id": room.id},
        follow_redirects=True,
    )

    assert flashes(response) == ["The new run is placed and 1 person from the waitlist moved in."]
    db.session.expire_all()
    moved = db.session.scalar(sa.select(Signup).where(Signup.user_id == waiting.id))
    assert (moved.status, moved.run_id != run.id) == ("confirmed", True)


def test_the_edition_form_sets_the_promotion_mode(client, edition):
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")

    form = page(client.get(f"/organize/editions/{edition.id}/edit"))

    assert [i["value"] for i in form.select("input[name=promotion_mode]")] == ["automatic", "offer"]
    assert form.select_one("input[name=offer_hours]")["value"] == "24"


def test_proposal_page_links_to_the_session_page_once_published(client, edition, mei):
    run = placed_run(edition, lead=mei)
    log_in(client, mei.email)

    links = [a["href"] for a in page(client.get(f"/proposals/{run.session_id}")).select("a")]

    assert f"/sessions/{run.session_id}" in links


def test_sessions_not_on_the_programme_are_hidden_from_employees(client, edition, mei):
    draft = make_proposal(edition=edition)
    log_in(client, mei.email)

    assert client.get(f"/sessions/{draft.id}").status_code == 403
