"""iCalendar feeds as bytes, from plain facts: pure, so a feed is a function of its data.

Nothing here reads the clock: DTSTAMP is each run's last change, so a feed whose
runs did not change is byte-identical between requests, and calendar clients
(and HTTP caches) see nothing new. UIDs come from the run's own id, never its
position, so clients update events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

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
    event.add("summary", item.title)
    event.add("description", item.description)
    event.add("location", item.location)
    event.add("url", item.url)
    if item.categories:
        event.add("categories", list(item.categories))
    event.add("status", item.status)
    # Without TRANSP a cancelled or tentative event would still block the person's time.
    event.add("transp", "OPAQUE" if item.status == EventStatus.CONFIRMED else "TRANSPARENT")
    if item.alarm and item.status != EventStatus.CANCELLED:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{item.title} starts in 15 minutes")
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    return event


def build_calendar(*, name: str, zone: ZoneInfo, host: str, events: Iterable[FeedEvent]) -> bytes:
    """A complete VCALENDAR: the events in time order with the VTIMEZONE they use."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(zone))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL).to_ical().decode())
    items = sorted(events, key=lambda item: (item.starts_at, item.run_id))
    for item in items:
        calendar.add_component(_event(item, zone=zone, host=host))
    if items:
        # Transitions only for the years the events span keep the feed small.
        first = items[0].starts_at.date() - timedelta(days=366)
        last = items[-1].ends_at.date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
