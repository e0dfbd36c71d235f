"""iCalendar feeds as bytes, from plain facts: pure, so a feed is a function of its data.

Nothing here reads the clock: DTSTAMP is each run's last change, so a feed whose
runs did not change is byte-identical between requests, and calendar clients
(and HTTP caches) see nothing new. UIDs come from the run's own id, never its
position, so clients update events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import icalendar

from learningweek.core.text import one_line, paragraphs

PRODID = "-//learningweek//Learning Week calendar feeds//EN"
# Calendar clients poll at their own pace; this is the pace we suggest.
REFRESH_INTERVAL = timedelta(hours=1)
ALARM_BEFORE = timedelta(minutes=15)


class EventStatus:
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class FeedEvent:
    """One run as a calendar event."""

    run_id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str
    url: str
    categories: tuple[str, ...]
    sequence: int
    last_changed: datetime
    status: str = EventStatus.CONFIRMED
    alarm: bool = False


def uid(run_id: int, host: str) -> str:
    """The run's event identity for its whole life."""
    return f"learningweek-run-{run_id}@{host}"


def _event(item: FeedEvent, *, zone: ZoneInfo, host: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid(item.run_id, host))
    event.add("dtstamp", item.last_changed)
    event.add("last-modified", item.last_changed)
    event.add("sequence", item.sequence)
    # In the zone's repeated hour a wall-clock time names two instants, and RFC 5545
    # picks the first: a run in the second would move an hour, or end before it
    # starts, and readers do not all follow the RFC there. UTC is never ambiguous.
    shown_in = UTC if _is_ambiguous(zone, item.starts_at, item.ends_at) else zone
    event.add("dtstart", item.starts_at.astimezone(shown_in))
    event.add("dtend", item.ends_at.astimezone(shown_in))
    # Stored text may hold line breaks and control characters that a content line
    # cannot carry (icalendar refuses some, readers choke on others).
    event.add("summary", one_line(item.title))
    event.add("description", paragraphs(item.description))
    event.add("location", one_line(item.location))
    event.add("url", item.url)
    if item.categories:
        event.add("categories", [one_line(category) for category in item.categories])
    event.add("status", item.status)
    # Without TRANSP a cancelled or tentative event would still block the person's time.
    event.add("transp", "OPAQUE" if item.status == EventStatus.CONFIRMED else "TRANSPARENT")
    if item.alarm and item.status != EventStatus.CANCELLED:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{one_line(item.title)} starts in 15 minutes")
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    return event


def _is_ambiguous(zone: ZoneInfo, *instants: datetime) -> bool:
    """Whether the wall-clock time of any instant in the zone occurs twice that day."""
    for instant in instants:
        local = instant.astimezone(zone)
        if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
            return True
    return False


def _offset_at(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # an aware time in a zone always has one
    return offset


@cache
def _transitions(zone: ZoneInfo, first: date, last: date) -> tuple[datetime, ...]:
    """The UTC instants, to the minute, at which the zone's offset changes."""
    moment = datetime.combine(first, time(), tzinfo=UTC)
    end = datetime.combine(last, time(), tzinfo=UTC)
    found = []
    while moment < end:
        following = moment + timedelta(hours=1)
        if _offset_at(zone, moment) != _offset_at(zone, following):
            low, high = moment, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset_at(zone, middle) == _offset_at(zone, low):
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
        moment = following
    return tuple(found)


def _observance(zone: ZoneInfo, before: datetime, after: datetime, starts: datetime):
    """One STANDARD or DAYLIGHT part. Its DTSTART is wall-clock time in the offset it
    leaves behind, as RFC 5545 defines it (icalendar's generated VTIMEZONE gets this
    wrong for the start of summer time, an hour late)."""
    local_after = after.astimezone(zone)
    part = icalendar.TimezoneDaylight() if local_after.dst() else icalendar.TimezoneStandard()
    offset_from = _offset_at(zone, before)
    part.add("dtstart", (starts + offset_from).replace(tzinfo=None))
    part.add("tzoffsetfrom", offset_from)
    part.add("tzoffsetto", local_after.utcoffset())
    part.add("tzname", local_after.tzname())
    return part


def vtimezone(zone: ZoneInfo, first: date, last: date) -> icalendar.Timezone:
    """The zone's definition from `first` to `last`: it opens with the last offset change
    before `first` (readers mishandle an opening part that changes nothing while summer
    time is on), then every change before `last` begins (00:00 UTC)."""
    component = icalendar.Timezone()
    component.add("tzid", str(zone))
    changes = list(_transitions(zone, first - timedelta(days=400), last))
    earlier = [change for change in changes if change.date() <= first]
    if earlier:
        changes = changes[len(earlier) - 1 :]
    else:  # no offset change for over a year before: a zone without summer time
        start = datetime.combine(first, time(), tzinfo=UTC)
        component.add_component(_observance(zone, start, start, start))
    for change in changes:
        component.add_component(_observance(zone, change - timedelta(minutes=1), change, change))
    return component


def _covering_vtimezone(
    zone: ZoneInfo, items: list[FeedEvent], span: tuple[date, date]
) -> icalendar.Timezone:
    """The zone's definition for `span` and every event, with a year either side: that
    covers any client's view, and every offset change on an event's own day (readers
    convert an event's wall-clock times with the definition, not the zone's name)."""
    first = min([span[0], *(item.starts_at.date() for item in items)]) - timedelta(days=366)
    last = max([span[1], *(item.ends_at.date() for item in items)]) + timedelta(days=366)
    return vtimezone(zone, first, last)


def build_calendar(
    *,
    name: str,
    zone: ZoneInfo,
    host: str,
    events: Iterable[FeedEvent],
    span: tuple[date, date],
) -> bytes:
    """A complete VCALENDAR: the events in time order and the VTIMEZONE they use.

    `span` is the stretch of days the zone's definition covers at least (the
    edition's); it grows to cover every event. No METHOD: with one, RFC 5545 would
    make DTSTAMP the time the feed was made rather than the event's last change.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", one_line(name))
    calendar.add("x-wr-timezone", str(zone))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL).to_ical().decode())
    items = sorted(events, key=lambda item: (item.starts_at, item.run_id))
    # A VTIMEZONE even without events: an empty VCALENDAR is invalid, and a new
    # subscriber's feed is often empty.
    calendar.add_component(_covering_vtimezone(zone, items, span))
    for item in items:
        calendar.add_component(_event(item, zone=zone, host=host))
    return calendar.to_ical()


def build_invitation(
    item: FeedEvent,
    *,
    method: str,
    zone: ZoneInfo,
    host: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    now: datetime,
) -> bytes:
    """A one-event calendar for a mail: METHOD:REQUEST offers "add to calendar",
    METHOD:CANCEL removes it. Same UID, SEQUENCE, times and LAST-MODIFIED as the feeds,
    so clients update the event they hold. Unlike feeds, RFC 5546 wants ORGANIZER and
    ATTENDEE here, and DTSTAMP is when the message is made (`now`). `organizer` and
    `attendee` are (name, address)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_covering_vtimezone(zone, [item], (item.starts_at.date(),) * 2))
    event = _event(item, zone=zone, host=host)
    event.pop("dtstamp")
    event.add("dtstamp", now.astimezone(UTC))
    organizer_name, organizer_address = organizer
    event.add("organizer", f"mailto:{organizer_address}", parameters={"CN": organizer_name})
    name, address = attendee
    # The seat is already taken in the app, so a REQUEST says ACCEPTED, and RSVP=FALSE
    # asks for no answer: with NEEDS-ACTION clients offer "Decline", whose reply goes
    # to a sender that reads none, and the person would think the seat released while
    # it still blocks the waitlist. A CANCEL removes the event whatever the answer was.
    parameters = {"CN": name, "RSVP": "FALSE"}
    if method == "REQUEST":
        parameters["PARTSTAT"] = "ACCEPTED"
    event.add("attendee", f"mailto:{address}", parameters=parameters)
    calendar.add_component(event)
    return calendar.to_ical()


def method_of(invitation: bytes) -> str:
    """The METHOD an invitation carries, which its mail part must repeat (RFC 6047)."""
    return str(icalendar.Calendar.from_ical(invitation)["METHOD"])
