"""Moments of the spring edition's week (8 March 2027 on), and a `NOW` before it."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from learningweek.schedule.conflicts import Settings

SETTINGS = Settings()
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2027, 2, 1, 12, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 8) -> datetime:
    """That hour of the day in Stockholm, as UTC."""
    return datetime(2027, 3, day, hour, minute, tzinfo=STOCKHOLM).astimezone(UTC)
