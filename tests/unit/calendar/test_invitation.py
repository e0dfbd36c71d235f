"""A mailed invitation on plain facts (RFC 5546): who organizes, who attends and in
what state, and which times it carries."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from learningweek.calendar.ical import (
    EventStatus,
    FeedEvent,
    build_calendar,
    build_invitation,
    method_of,
)

HOST = "learningweek.example.com"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
CHANGED = datetime(2027, 2, 1, 12, tzinfo=UTC)
SENT = datetime(2027, 2, 20, 8, 15, tzinfo=UTC)
START = datetime(2027, 3, 8, 9, tzinfo=UTC)


def event(**changes) -> FeedEvent:
    values = {
        "run_id": 3,
        "title": "Pandas för alla",
        "description": "",
        "starts_at": START,
        "ends_at": START + timedelta(minutes=90),
        "location": "Sälen – Örebro",
        "url": f"https://{HOST}/sessions/3",
        "categories": (),
        "sequence": 2,
        "last_changed": CHANGED,
    }
    return FeedEvent(**(values | changes))


def invitation(method: str = "REQUEST", item: FeedEvent | None = None) -> bytes:
    return build_invitation(
        item or event(status=EventStatus.CONFIRMED if method == "REQUEST" else "CANCELLED"),
        method=method,
        zone=STOCKHOLM,
        host=HOST,
        organizer=("Learning Week", "week@example.com"),
        attendee=("Jörg Müller", "jorg@example.com"),
        now=SENT,
    )


def vevent(body: bytes) -> icalendar.Event:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")[0]


def test_a_request_names_the_attendee_as_accepted_and_asks_for_no_answer():
    attendee = vevent(invitation())["ATTENDEE"]

    assert str(attendee) == "mailto:jorg@example.com"
    assert attendee.params["CN"] == "Jörg Müller"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"  # the seat is taken in the app already
    assert attendee.params["RSVP"] == "FALSE"


def test_the_organizer_is_the_site_under_its_name_at_the_sender_address():
    body = invitation()
    organizer = vevent(body)["ORGANIZER"]

    assert str(organizer) == "mailto:week@example.com"
    assert organizer.params["CN"] == "Learning Week"
    other = vobject.readOne(io.StringIO(body.decode())).vevent
    assert other.organizer.params["CN"] == ["Learning Week"]
    assert other.attendee.params["PARTSTAT"] == ["ACCEPTED"]


def test_last_modified_is_the_runs_last_change_and_dtstamp_the_sending():
    parsed = vevent(invitation())

    assert parsed.decoded("LAST-MODIFIED") == CHANGED
    assert parsed.decoded("DTSTAMP") == SENT


def test_the_invitation_carries_the_feeds_event_as_it_is():
    # Same UID, SEQUENCE, times and LAST-MODIFIED as the feed, so a client holding both
    # sees one event.
    mailed = vevent(invitation())
    fed = icalendar.Calendar.from_ical(
        build_calendar(
            name="Learning Week",
            zone=STOCKHOLM,
            host=HOST,
            events=[event(status=EventStatus.CONFIRMED)],
            span=(START.date(), START.date()),
        )
    ).walk("VEVENT")[0]

    for name in ("UID", "SEQUENCE", "DTSTART", "DTEND", "LAST-MODIFIED", "LOCATION", "SUMMARY"):
        assert mailed[name].to_ical() == fed[name].to_ical(), name


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_the_method_inside_is_the_one_asked_for_and_readable_for_the_mail_part(method):
    body = invitation(method)

    assert icalendar.Calendar.from_ical(body)["METHOD"] == method
    assert method_of(body) == method


def test_a_cancellation_asks_for_no_answer_and_marks_the_event_cancelled():
    parsed = vevent(invitation("CANCEL", event(status=EventStatus.CANCELLED)))

    assert parsed["STATUS"] == "CANCELLED"
    assert parsed["ATTENDEE"].params["RSVP"] == "FALSE"
    assert "PARTSTAT" not in parsed["ATTENDEE"].params
