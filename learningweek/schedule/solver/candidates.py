"""Which starts and rooms each run may take, decided by the board's own unary rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from learningweek.schedule.conflicts import (
    ROOM_RULES,
    TIME_RULES,
    BoardState,
    Grid,
    Placement,
    SessionFacts,
    problems_for,
)
from learningweek.schedule.solver.problem import RunToPlace, SchedulingProblem

# Rooms offered to each run: the best-fitting compatible ones. Every room in the
# model multiplies its size; a handful of near-fitting rooms keeps the search fast
# and loses little, since seating the expected people favours near fits anyway.
ROOMS_PER_RUN = 6


@dataclass
class Candidates:
    """One run's valid starts and rooms, its length, and the starts it would rather avoid."""

    starts: list[int]  # indices into the grid's slot starts
    rooms: list[int]  # indices into problem.rooms
    length: int  # in slots
    off_preference: frozenset[int] = frozenset()  # starts outside the preferred half-days


def candidates_for(problem: SchedulingProblem, slot_starts: list[datetime]) -> list[Candidates]:
    """Valid starts and rooms per run, decided by the board's own unary rules."""
    empty = BoardState.of(problem.grid, [])
    slot = problem.grid.slot_minutes
    cache: dict[int, tuple[list[int], list[int]]] = {}
    result = []
    for run in problem.runs:
        session = run.session
        if session.id not in cache:
            probe_room = problem.rooms[0] if problem.rooms else None
            starts = []
            if probe_room is not None:
                for index, start in enumerate(slot_starts):
                    placement = Placement(run.run_id, session, start, probe_room)
                    if not any(
                        p.is_hard and p.rule in TIME_RULES
                        for p in problems_for(placement, empty, problem.settings)
                    ):
                        starts.append(index)
            probe_start = slot_starts[starts[0]] if starts else None
            rooms = []
            if probe_start is not None:
                for index, room in enumerate(problem.rooms):
                    placement = Placement(run.run_id, session, probe_start, room)
                    if not any(
                        p.is_hard and p.rule in ROOM_RULES
                        for p in problems_for(placement, empty, problem.settings)
                    ):
                        rooms.append(index)
            cache[session.id] = (starts, rooms)
        starts, rooms = cache[session.id]
        result.append(
            Candidates(
                starts,
                rooms,
                max(1, math.ceil(session.duration_minutes / slot)),
                _off_preference(problem.grid, session, slot_starts, starts),
            )
        )
    return result


def _off_preference(
    grid: Grid, session: SessionFacts, slot_starts: list[datetime], starts: list[int]
) -> frozenset[int]:
    """The starts whose run touches a half-day the teachers did not prefer, if they did."""
    if not session.preferred_half_days:
        return frozenset()
    length = timedelta(minutes=session.duration_minutes)
    return frozenset(
        i
        for i in starts
        if not set(grid.half_day_keys(slot_starts[i], slot_starts[i] + length))
        <= session.preferred_half_days
    )


def best_fitting(
    problem: SchedulingProblem, run: RunToPlace, rooms: list[int], keep: set[int]
) -> list[int]:
    """The compatible rooms closest to seating the run's expected people, plus `keep`."""
    needed = seats_wanted(run.session)
    ranked = sorted(
        rooms,
        key=lambda m: (
            problem.rooms[m].capacity < needed,
            abs(problem.rooms[m].capacity - needed),
            m,
        ),
    )
    return sorted(set(ranked[:ROOMS_PER_RUN]) | (keep & set(rooms)))


def seats_wanted(session: SessionFacts) -> int:
    """The seats a run of the session should have: its expected people, up to its maximum."""
    return min(session.max_participants, session.expected_demand)
