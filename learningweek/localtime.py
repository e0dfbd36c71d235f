"""Converting between stored UTC instants and an edition's wall-clock time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """An edition's wall-clock time as a UTC instant."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def utc_to_local(instant: datetime, zone: ZoneInfo) -> datetime:
    """A UTC instant as a naive wall-clock time in the edition's zone (for forms)."""
    return instant.astimezone(zone).replace(tzinfo=None)


def format_local(
    instant: datetime | None, zone: str | ZoneInfo, fmt: str = "%a %d %b %Y, %H:%M"
) -> str:
    """A UTC instant as wall-clock text in `zone`, with the zone's abbreviation."""
    if instant is None:
        return ""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = instant.astimezone(tz)
    return f"{local.strftime(fmt)} {local.tzname()}"


def day_label(day: date) -> str:
    """A day as people say it: Mon 2 Mar 2026."""
    return f"{day:%a} {day.day} {day:%b %Y}"
