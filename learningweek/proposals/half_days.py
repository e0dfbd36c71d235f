"""Half-days: the mornings and afternoons teachers say they cannot teach, or prefer.

A proposal stores them as keys ("2027-03-08 am", "2027-03-08 pm"); its form lists the
edition's half-days and the scheduling rules check runs against them, both from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from learningweek.core.localtime import day_label

if TYPE_CHECKING:
    from learningweek.editions.models import Edition

NOON = time(12, 0)
MORNING = "am"
AFTERNOON = "pm"


@dataclass(frozen=True)
class HalfDay:
    """A morning or an afternoon of one day."""

    day: date
    half: str  # MORNING or AFTERNOON

    @classmethod
    def from_key(cls, key: str) -> HalfDay:
        """The half-day a stored key names."""
        day, half = key.split()
        return cls(date.fromisoformat(day), half)

    @property
    def key(self) -> str:
        """As stored: "2027-03-08 am"."""
        return f"{self.day.isoformat()} {self.half}"

    @property
    def part_of_day(self) -> str:
        """ "morning" or "afternoon"."""
        return "morning" if self.half == MORNING else "afternoon"

    @property
    def label(self) -> str:
        """As a choice in a list: "Mon 8 Mar 2027, morning"."""
        return f"{day_label(self.day)}, {self.part_of_day}"

    @property
    def in_sentence(self) -> str:
        """As part of a sentence: "not available on Mon 8 Mar 2027 morning"."""
        return f"{day_label(self.day)} {self.part_of_day}"


def half_days(edition: Edition) -> list[HalfDay]:
    """The mornings and afternoons of the edition's grid, in order."""
    halves = [
        half
        for half, on_grid in (
            (MORNING, edition.day_starts_at < NOON),
            (AFTERNOON, edition.day_ends_at > NOON),
        )
        if on_grid
    ]
    return [HalfDay(day, half) for day in edition.days for half in halves]


def half_day_at(local: datetime) -> HalfDay:
    """The half-day a wall-clock moment falls in (noon begins the afternoon)."""
    return HalfDay(local.date(), MORNING if local.time() < NOON else AFTERNOON)


def half_days_touched(local_start: datetime, local_end: datetime) -> list[HalfDay]:
    """The half-days a stretch of wall-clock time starting on one day touches."""
    day = local_start.date()
    touched = []
    if local_start.time() < NOON:
        touched.append(HalfDay(day, MORNING))
    if local_end.time() > NOON or local_end.date() > day:
        touched.append(HalfDay(day, AFTERNOON))
    return touched
