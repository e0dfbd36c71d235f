"""Three readings of a calendar's event times, as clients make them, in UTC.

icalendar finds the zone by its TZID name; vobject and clients without that name
(Outlook, ical.js) convert wall-clock times with the VTIMEZONE the calendar carries,
so a wrong definition shows only there. vobject keeps the first VTIMEZONE it meets
for each TZID for the life of the process, so each reading starts it afresh, as a
client reading a new mail would.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import icalendar
import vobject
import vobject.icalendar

Times = list[tuple[datetime, datetime]]


def by_icalendar(body: bytes) -> Times:
    """Start and end of each event as icalendar reads them (zone by name)."""
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    return [
        (e.decoded("DTSTART").astimezone(UTC), e.decoded("DTEND").astimezone(UTC)) for e in events
    ]


def by_vobject(body: bytes) -> Times:
    """Start and end of each event as vobject reads them (through the VTIMEZONE)."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    kept = {"UTC": registry["UTC"]}
    registry.clear()
    registry.update(kept)
    calendar = vobject.readOne(io.StringIO(body.decode()))
    events = getattr(calendar, "vevent_list", [])
    return [(e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC)) for e in events]


def by_vtimezone(body: bytes) -> Times:
    """Start and end of each event with their wall-clock times converted by icalendar
    through the calendar's own VTIMEZONE, never the zone database."""
    calendar = icalendar.Calendar.from_ical(body)
    zones = {str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in calendar.walk("VTIMEZONE")}

    def instant(prop: icalendar.vDDDTypes) -> datetime:
        if "TZID" not in prop.params:
            return prop.dt.astimezone(UTC)
        zone = zones[prop.params["TZID"]]
        return prop.dt.replace(tzinfo=None).replace(tzinfo=zone).astimezone(UTC)

    return [(instant(e["DTSTART"]), instant(e["DTEND"])) for e in calendar.walk("VEVENT")]


READERS: dict[str, Callable[[bytes], Times]] = {
    "icalendar": by_icalendar,
    "vobject": by_vobject,
    "vtimezone": by_vtimezone,
}
