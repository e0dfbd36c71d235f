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


def format_local_range(
    start: datetime | None, end: datetime | None, zone: str | ZoneInfo, date_fmt: str = ""
) -> str:
    """A span of wall-clock time, the zone named once: "Mon 02 Mar 2026, 10:00–11:00 CET"."""
    if start is None or end is None:
        return ""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    prefix = f"{local_start.strftime(date_fmt)}, " if date_fmt else ""
    return f"{prefix}{local_start:%H:%M}–{local_end:%H:%M} {local_end.tzname()}"
