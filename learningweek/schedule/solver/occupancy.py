"""Which grid periods a placement covers, and which each room, teacher and session holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from learningweek.schedule.conflicts import Placement, SessionFacts
from learningweek.schedule.solver.problem import SchedulingProblem


def covered_slots(
    placement: Placement, slot_starts: list[datetime], slot_minutes: int
) -> list[int]:
    """Indices of the grid slots a placement overlaps in real time (on or off the grid)."""
    end = placement.starts_at + timedelta(minutes=placement.session.duration_minutes)
    slot = timedelta(minutes=slot_minutes)
    return [
        index
        for index, start in enumerate(slot_starts)
        if start < end and placement.starts_at < start + slot
    ]


def covered_stretches(
    placement: Placement, slot_starts: list[datetime], slot_minutes: int
) -> list[tuple[int, int]]:
    """The covered slots as runs of consecutive indices (first, last)."""
    stretches: list[tuple[int, int]] = []
    for index in covered_slots(placement, slot_starts, slot_minutes):
        if stretches and stretches[-1][1] == index - 1:
            stretches[-1] = (stretches[-1][0], index)
        else:
            stretches.append((index, index))
    return stretches


@dataclass
class Occupancy:
    """The grid periods each room, teacher and session holds.

    The pairwise rules (room busy, teacher busy, a session's runs overlapping) as set
    look-ups over whole periods, as the model states them: asking `problems_for` for
    every start and room of every run instead is far too slow at company size.
    """

    rooms: set[tuple[int, int]] = field(default_factory=set)
    teachers: set[tuple[int, int]] = field(default_factory=set)
    sessions: set[tuple[int, int]] = field(default_factory=set)

    @classmethod
    def of(
        cls,
        problem: SchedulingProblem,
        placements: Iterable[Placement],
        slot_starts: list[datetime],
    ) -> Occupancy:
        """The periods the placements hold."""
        occupancy = cls()
        for placement in placements:
            occupancy.add(
                covered_slots(placement, slot_starts, problem.grid.slot_minutes),
                placement.room.id,
                placement.session,
            )
        return occupancy

    def add(self, periods: Iterable[int], room_id: int, session: SessionFacts) -> None:
        """Hold `periods` for the room, the session and its teachers."""
        for p in periods:
            self.rooms.add((room_id, p))
            self.sessions.add((session.id, p))
            for teacher, _ in session.teachers:
                self.teachers.add((teacher, p))

    def are_teachers_free(self, session: SessionFacts, periods: range) -> bool:
        """Neither a teacher nor another run of the session is busy in `periods`."""
        return not any((session.id, p) in self.sessions for p in periods) and not any(
            (teacher, p) in self.teachers for teacher, _ in session.teachers for p in periods
        )

    def is_room_free(self, room_id: int, periods: range) -> bool:
        """No run holds the room in `periods`."""
        return not any((room_id, p) in self.rooms for p in periods)
