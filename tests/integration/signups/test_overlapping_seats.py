"""Two seats that overlap after an organizer's "move anyway", and waiting people a seat
cannot go to because of a seat they hold (issue 16, findings 2 and 7)."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from learningweek.core.enums import NotificationKind, SignupStatus
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.schedule import services as schedule
from learningweek.schedule.conflicts import Settings
from learningweek.signups.models import Signup
from tests.conftest import log_in
from tests.factories import make_room, make_signup, make_user
from tests.integration.html import flashes, page
from tests.integration.signups.helpers import NOW, at, placed_run, published_edition, statuses


@pytest.fixture
def edition(app):
    # Sign-up open around the real clock (the pages use it), the week well ahead of it.
    return published_edition(
        first_day=date(2027, 3, 8),
        signup_opens_at=datetime(2020, 1, 1, tzinfo=UTC),
        signup_closes_at=datetime(2027, 3, 12, 11, tzinfo=UTC),
    )


@pytest.fixture
def ana(app):
    return make_user(email="ana@example.com", display_name="Ana")


def cards(response) -> dict[str, str]:
    """Each agenda card's text, by its session's title."""
    return {
        card.select_one("h3").get_text(strip=True): " ".join(card.get_text(" ", strip=True).split())
        for card in page(response).select(".card")
    }


def keep_buttons(response) -> dict[str, str]:
    """Where each card's "Keep this one" posts, by the card's session title."""
    found = {}
    for card in page(response).select(".card"):
        for button in card.select("form button"):
            if button.get_text(strip=True) == "Keep this one":
                found[card.select_one("h3").get_text(strip=True)] = button.find_parent("form")[
                    "action"
                ]
    return found


def move_anyway(run, starts_at, organizer) -> None:
    """The organizer's confirmed move onto a seat holder's other seat."""
    schedule.place_run(
        db.session,
        run,
        starts_at,
        make_room(capacity=30),
        actor=organizer,
        now=NOW,
        settings=Settings(),
        force_clashes=True,
    )
    db.session.commit()


@pytest.fixture
def double_booked(edition, ana, organizer):
    """Ana holds seats in Kanban and in SQL windows, which Wen waits for; the organizer
    moves Kanban onto SQL windows anyway."""
    kanban = placed_run(edition, starts_at=at(10), title="Kanban")
    sql = placed_run(edition, starts_at=at(14), title="SQL windows", max_participants=1)
    wen = make_user(email="wen@example.com", display_name="Wen")
    make_signup(kanban, ana)
    make_signup(sql, ana)
    make_signup(sql, wen, status=SignupStatus.WAITLISTED, confirmed_at=None)
    move_anyway(kanban, at(14), organizer)
    return kanban, sql, wen


def test_a_move_anyway_marks_both_overlapping_seats_on_the_agenda_with_keep_this_one(
    client, ana, double_booked
):
    kanban, sql, _ = double_booked
    log_in(client, ana.email)

    agenda = client.get("/agenda")

    text = cards(agenda)
    assert "Clash: this overlaps “SQL windows” (Mon 08 Mar 2027, 14:00" in text["Kanban"]
    assert "Clash: this overlaps “Kanban” (Mon 08 Mar 2027, 14:00" in text["SQL windows"]
    signups = {
        s.run_id: s.id for s in db.session.scalars(sa.select(Signup).filter_by(user_id=ana.id))
    }
    assert keep_buttons(agenda) == {
        "Kanban": f"/signups/{signups[kanban.id]}/keep",
        "SQL windows": f"/signups/{signups[sql.id]}/keep",
    }
    assert len(page(agenda).select(".card.has-clash")) == 2


def test_keeping_one_seat_releases_the_other_promotes_the_next_waiting_and_clears_the_mark(
    client, ana, double_booked
):
    kanban, sql, wen = double_booked
    log_in(client, ana.email)
    keep_kanban = keep_buttons(client.get("/agenda"))["Kanban"]
    db.session.execute(sa.delete(Notification))
    db.session.commit()

    kept = client.post(keep_kanban, data={"next": "/agenda"}, follow_redirects=True)

    assert flashes(kept) == ["You kept this seat; the one that overlapped it is released."]
    assert statuses(kanban) == {ana.id: SignupStatus.CONFIRMED}
    assert statuses(sql) == {ana.id: SignupStatus.CANCELLED, wen.id: SignupStatus.CONFIRMED}
    told = db.session.execute(
        sa.select(Notification.recipient_id, Notification.kind, Notification.calendar_method)
        .where(Notification.run_id == sql.id)
        .order_by(Notification.recipient_id)
    ).all()
    assert sorted(told) == sorted(
        [
            (ana.id, NotificationKind.SIGNUP_CANCELLED, "CANCEL"),
            (wen.id, NotificationKind.SEAT_CONFIRMED, "REQUEST"),
        ]
    )
    assert page(kept).select(".card.has-clash") == []
    assert keep_buttons(kept) == {}
    assert list(cards(kept)) == ["Kanban"]


def test_keeping_a_seat_that_no_longer_overlaps_changes_nothing(client, ana, double_booked):
    kanban, sql, wen = double_booked
    log_in(client, ana.email)
    buttons = keep_buttons(client.get("/agenda"))
    client.post(buttons["Kanban"], data={"next": "/agenda"}, follow_redirects=True)

    again = client.post(buttons["SQL windows"], data={"next": "/agenda"}, follow_redirects=True)

    assert flashes(again) == ["You no longer hold this seat."]
    assert statuses(kanban) == {ana.id: SignupStatus.CONFIRMED}
    assert statuses(sql)[wen.id] == SignupStatus.CONFIRMED


def test_keep_this_one_is_for_my_own_seats_only(app, client, ana, double_booked):
    log_in(client, ana.email)
    keep_kanban = keep_buttons(client.get("/agenda"))["Kanban"]
    someone_else = app.test_client()
    log_in(someone_else, "wen@example.com")

    response = someone_else.post(keep_kanban)

    assert response.status_code == 404


# --- finding 7: waiting behind a seat of one's own ---------------------------------------


@pytest.fixture
def held_back(edition, ana):
    """Ana waits for Pandas (full) and holds a seat in SQL windows at the same time."""
    pandas = placed_run(edition, starts_at=at(14), title="Pandas", max_participants=1)
    sql = placed_run(edition, starts_at=at(14, 30), title="SQL windows")
    make_signup(pandas, make_user())
    make_signup(sql, ana)
    waiting = make_signup(pandas, ana, status=SignupStatus.WAITLISTED, confirmed_at=None)
    return pandas, sql, waiting


HELD_BACK = (
    "You keep your place, but a seat cannot go to you while you hold a seat in "
    "“SQL windows” (Mon 08 Mar 2027, 14:30"
)


def test_a_waiting_person_holding_a_clashing_seat_reads_why_on_the_agenda(client, ana, held_back):
    log_in(client, ana.email)

    text = cards(client.get("/agenda"))

    assert "Number 1 on the waitlist" in text["Pandas"]
    assert HELD_BACK in text["Pandas"]
    assert "cannot go to you" not in text["SQL windows"]


def test_a_waiting_person_holding_a_clashing_seat_reads_why_on_the_session_page(
    client, ana, held_back
):
    pandas, _, _ = held_back
    log_in(client, ana.email)

    response = client.get(f"/sessions/{pandas.session_id}")

    note = page(response).select_one(".runs ~ .clash-note")
    assert note is not None
    assert " ".join(note.get_text(" ", strip=True).split()).startswith(HELD_BACK)


def test_a_waiting_person_without_a_clashing_seat_reads_only_their_place(
    client, edition, ana, held_back
):
    pandas, sql, _ = held_back
    sql_seat = db.session.scalars(sa.select(Signup).where(Signup.run_id == sql.id)).one()
    sql_seat.status = SignupStatus.CANCELLED
    db.session.commit()
    log_in(client, ana.email)

    agenda = cards(client.get("/agenda"))
    session_page = client.get(f"/sessions/{pandas.session_id}")

    assert "cannot go to you" not in agenda["Pandas"]
    assert page(session_page).select(".clash-note") == []


def test_back_to_back_seats_are_not_a_clash(client, edition, ana):
    make_signup(placed_run(edition, starts_at=at(10), title="Kanban"), ana)  # 60 minutes
    make_signup(placed_run(edition, starts_at=at(11), title="SQL windows"), ana)
    log_in(client, ana.email)

    agenda = client.get("/agenda")

    assert list(cards(agenda)) == ["Kanban", "SQL windows"]
    assert page(agenda).select(".clash-note") == []
    assert keep_buttons(agenda) == {}
