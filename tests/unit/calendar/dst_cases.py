"""Runs on the days the clocks change, in four zones, as wall-clock times the
organizers would read on the programme, and the UTC instants that are stored.

Each zone with summer time gets, on its spring-forward day, a run in the morning and
one across the skipped hour; on its fall-back day, one in the morning, one from the
first to the second occurrence of a wall-clock time (an hour long, zero on the
clock), and one in the second occurrence of the repeated hour. Asia/Kolkata has no
summer time: its runs sit on Stockholm's change days at the same wall-clock times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DstRun:
    zone_name: str
    what: str
    local_start: datetime  # in the zone, `fold` saying which of a repeated hour
    minutes: int

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name)

    @property
    def starts_at(self) -> datetime:
        return self.local_start.astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def day(self) -> date:
        return self.local_start.date()

    @property
    def id(self) -> str:
        return f"{self.zone_name}-{self.what}"


def _runs(zone: str, spring: date, fall: date, skipped: int, repeated: int) -> list[DstRun]:
    """`skipped` and `repeated` are the hours that the clocks skip and repeat."""

    def wall(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
        return datetime(*day.timetuple()[:3], hour, minute, fold=fold, tzinfo=ZoneInfo(zone))

    return [
        DstRun(zone, "spring-forward-morning", wall(spring, 10), 90),
        DstRun(zone, "across-the-skipped-hour", wall(spring, skipped - 1, 30), 60),
        DstRun(zone, "fall-back-morning", wall(fall, 10), 90),
        DstRun(zone, "first-to-second-repeated-hour", wall(fall, repeated, 30), 60),
        DstRun(zone, "in-the-second-repeated-hour", wall(fall, repeated, fold=1), 30),
    ]


STOCKHOLM_SPRING, STOCKHOLM_FALL = date(2027, 3, 28), date(2027, 10, 31)
KOLKATA = ZoneInfo("Asia/Kolkata")
DST_RUNS = [
    *_runs("Europe/Stockholm", STOCKHOLM_SPRING, STOCKHOLM_FALL, skipped=2, repeated=2),
    *_runs("America/New_York", date(2027, 3, 14), date(2027, 11, 7), skipped=2, repeated=1),
    *_runs("Australia/Sydney", date(2027, 10, 3), date(2027, 4, 4), skipped=2, repeated=2),
    DstRun("Asia/Kolkata", "on-a-spring-day", datetime(2027, 3, 28, 2, 30, tzinfo=KOLKATA), 60),
    DstRun("Asia/Kolkata", "on-a-fall-back-day", datetime(2027, 10, 31, 2, 30, tzinfo=KOLKATA), 60),
]


def offset_changes_on(zone: ZoneInfo, day: date) -> bool:
    """Whether the zone's offset at the day's end differs from its start (a change day)."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    return start.utcoffset() != (start + timedelta(days=1)).utcoffset()
