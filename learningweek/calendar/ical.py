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
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("dtend", item.ends_at.astimezone(zone))
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
    time is on), then every change up to `last`."""
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
    # subscriber's feed is often empty. A year either side covers any client's view.
    first = min([span[0], *(item.starts_at.date() for item in items)]) - timedelta(days=366)
    last = max([span[1], *(item.ends_at.date() for item in items)]) + timedelta(days=366)
    calendar.add_component(vtimezone(zone, first, last))
    for item in items:
        calendar.add_component(_event(item, zone=zone, host=host))
    return calendar.to_ical()


def build_invitation(
    item: FeedEvent,
    *,
    method: str,
    zone: ZoneInfo,
    host: str,
    organizer: str,
    attendee: tuple[str, str],
) -> bytes:
    """A one-event calendar for a mail: METHOD:REQUEST offers "add to calendar",
    METHOD:CANCEL removes it. Same UID and SEQUENCE as the feeds, so clients update
    the event they hold. Unlike feeds, RFC 5546 wants ORGANIZER and ATTENDEE here."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(vtimezone(zone, item.starts_at.date(), item.ends_at.date()))
    event = _event(item, zone=zone, host=host)
    event["last-modified"] = event["dtstamp"]  # the run's change, kept from the feeds' view
    event.add("organizer", f"mailto:{organizer}")
    name, email = attendee
    event.add("attendee", f"mailto:{email}", parameters={"CN": name, "RSVP": "FALSE"})
    calendar.add_component(event)
    return calendar.to_ical()
