"""The feed builder on plain facts: RFC 5545 shape, checked with two independent parsers."""

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from learningweek.calendar.ical import EventStatus, FeedEvent, build_calendar

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HOST = "learningweek.example.com"


def event(run_id: int, **changes) -> FeedEvent:
    start = datetime(2027, 3, 8, 9, tzinfo=UTC) + timedelta(hours=run_id)
    values = {
        "run_id": run_id,
        "title": f"Run {run_id}",
        "description": "Plain text.\nSecond line.",
        "starts_at": start,
        "ends_at": start + timedelta(minutes=90),
        "location": "Orion, Building B",
        "url": f"https://{HOST}/sessions/{run_id}",
        "categories": ("Data", "Security"),
        "sequence": 0,
        "last_changed": datetime(2027, 2, 1, 12, tzinfo=UTC),
    }
    return FeedEvent(**(values | changes))


SPAN = (date(2027, 3, 8), date(2027, 3, 12))


def build(*events: FeedEvent, zone=STOCKHOLM) -> bytes:
    return build_calendar(name="Learning Week", zone=zone, host=HOST, events=events, span=SPAN)


def test_lines_end_in_crlf_and_fold_at_75_octets():
    body = build(event(1, description="Å lång beskrivning med ünïcödé " * 20))

    lines = body.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # no bare LF anywhere
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # it did have to fold


def test_both_parsers_read_the_same_events_with_their_utc_times():
    first, second = event(1), event(2, sequence=3)

    body = build(first, second)
    parsed = icalendar.Calendar.from_ical(body)
    other = vobject.readOne(io.StringIO(body.decode()))

    events = parsed.walk("VEVENT")
    assert [e["UID"] for e in events] == [
        f"learningweek-run-1@{HOST}",
        f"learningweek-run-2@{HOST}",
    ]
    for item, parsed_event, vevent in zip((first, second), events, other.vevent_list, strict=True):
        assert parsed_event.decoded("DTSTART").astimezone(UTC) == item.starts_at
        assert parsed_event.decoded("DTEND").astimezone(UTC) == item.ends_at
        assert vevent.dtstart.value.astimezone(UTC) == item.starts_at
        assert vevent.dtend.value.astimezone(UTC) == item.ends_at
        assert int(vevent.sequence.value) == item.sequence
    assert other.vevent_list[0].location.value == "Orion, Building B"


def test_every_tzid_has_its_vtimezone_with_real_transitions():
    summer_start = datetime(2027, 7, 1, 8, tzinfo=UTC)
    body = build(event(1), event(2, starts_at=summer_start, ends_at=summer_start + timedelta(1)))

    parsed = icalendar.Calendar.from_ical(body)
    used = {e["DTSTART"].params["TZID"] for e in parsed.walk("VEVENT")}
    defined = {tz["TZID"] for tz in parsed.walk("VTIMEZONE")}
    assert used == defined == {"Europe/Stockholm"}
    offsets = {part.decoded("TZOFFSETTO") for part in parsed.walk("DAYLIGHT")}
    assert offsets == {timedelta(hours=2)}  # summer time is described, not just one offset
    summer = parsed.walk("VEVENT")[1]
    assert summer.decoded("DTSTART").utcoffset() == timedelta(hours=2)


def test_the_same_facts_give_the_same_bytes():
    assert build(event(1), event(2)) == build(event(2), event(1))


def test_dtstamp_is_the_last_change_not_the_time_of_the_request():
    parsed = icalendar.Calendar.from_ical(build(event(1)))

    assert parsed.walk("VEVENT")[0].decoded("DTSTAMP") == datetime(2027, 2, 1, 12, tzinfo=UTC)


def test_non_ascii_titles_survive_both_parsers():
    title = "Kanban för alla – 日本語 ✓"

    body = build(event(1, title=title))

    assert icalendar.Calendar.from_ical(body).walk("VEVENT")[0]["SUMMARY"] == title
    assert vobject.readOne(io.StringIO(body.decode())).vevent.summary.value == title


def test_no_organizer_or_attendee_so_clients_mail_nobody():
    body = build(event(1))

    assert b"ORGANIZER" not in body
    assert b"ATTENDEE" not in body


def test_cancelled_events_are_marked_and_free_the_time():
    parsed = icalendar.Calendar.from_ical(build(event(1, status=EventStatus.CANCELLED)))

    vevent = parsed.walk("VEVENT")[0]
    assert (vevent["STATUS"], vevent["TRANSP"]) == ("CANCELLED", "TRANSPARENT")


def test_reminders_come_15_minutes_before_and_never_for_cancelled_events():
    body = build(event(1, alarm=True), event(2, alarm=True, status=EventStatus.CANCELLED))

    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    alarms = [e.walk("VALARM") for e in events]
    assert alarms[0][0].decoded("TRIGGER") == -timedelta(minutes=15)
    assert alarms[1] == []


def test_calendar_properties_name_the_feed_and_suggest_a_poll_interval():
    parsed = icalendar.Calendar.from_ical(build(event(1)))

    assert parsed["VERSION"] == "2.0"
    assert parsed["PRODID"] == "-//learningweek//Learning Week calendar feeds//EN"
    assert parsed["X-WR-CALNAME"] == "Learning Week"
    assert parsed["X-WR-TIMEZONE"] == "Europe/Stockholm"
    assert parsed.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert parsed["X-PUBLISHED-TTL"] == "PT1H"


def test_an_empty_feed_still_holds_a_component():
    body = build()

    parsed = icalendar.Calendar.from_ical(body)
    assert parsed.walk("VEVENT") == []
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert vobject.readOne(io.StringIO(body.decode())).name == "VCALENDAR"


ZONES = ["Europe/Stockholm", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]


@pytest.mark.parametrize("name", ZONES)
def test_the_vtimezone_gives_the_same_offset_as_zoneinfo_every_hour(name):
    zone = ZoneInfo(name)
    body = build(event(1), zone=zone)
    definition = vobject.readOne(io.StringIO(body.decode())).vtimezone.gettzinfo()

    moment, end = datetime(2026, 3, 9, tzinfo=UTC), datetime(2028, 3, 11, tzinfo=UTC)
    wrong = []
    while moment < end:
        if moment.astimezone(definition).utcoffset() != moment.astimezone(zone).utcoffset():
            wrong.append(moment)
        moment += timedelta(hours=1)

    assert wrong == []


def test_no_method_so_dtstamp_means_the_last_change():
    assert b"METHOD" not in build(event(1))
