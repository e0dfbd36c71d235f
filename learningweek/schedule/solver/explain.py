"""Why runs are left unplaced, and which resource runs short, in an organizer's terms."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from learningweek.core.enums import SessionFormat
from learningweek.proposals.half_days import half_day_at
from learningweek.schedule.conflicts import (
    EQUIPMENT_LABELS,
    BoardState,
    Grid,
    Placement,
    SessionFacts,
    problems_for,
)
from learningweek.schedule.solver.candidates import Candidates, candidates_for
from learningweek.schedule.solver.occupancy import Occupancy
from learningweek.schedule.solver.problem import SchedulingProblem, SchedulingResult


def verify_and_explain(
    problem: SchedulingProblem, candidates: list[Candidates], result: SchedulingResult
) -> None:
    """Re-check the schedule with the board's rules; explain every run left unplaced."""
    placements = _as_placements(problem, result.placements)
    state = BoardState.of(problem.grid, [*problem.fixed, *placements])
    for placement in placements:
        hard = [p for p in problems_for(placement, state, problem.settings) if p.is_hard]
        if hard:  # never expected: the model holds every hard rule
            del result.placements[placement.run_id]
            state.remove(placement.run_id)
            result.unplaced[placement.run_id] = hard[0].message
    for run_id, reason in explain(problem, result.placements, candidates=candidates).items():
        result.unplaced.setdefault(run_id, reason)


def _as_placements(
    problem: SchedulingProblem, placements: dict[int, tuple[datetime, int]]
) -> list[Placement]:
    """The schedule's placements of the problem's runs, in the problem's order."""
    rooms = {room.id: room for room in problem.rooms}
    placed = []
    for run in problem.runs:
        if run.run_id in placements:
            start, room_id = placements[run.run_id]
            placed.append(Placement(run.run_id, run.session, start, rooms[room_id]))
    return placed


def _room_need(session: SessionFacts, *, noun: str = "room") -> str:
    """The kind of room a session needs, in words ("physical room with video conferencing")."""
    kind = {
        SessionFormat.ONLINE: f"online {noun}",
        SessionFormat.HYBRID: f"physical {noun} with video conferencing",
        SessionFormat.IN_PERSON: f"physical {noun}",
    }[session.format]
    if session.equipment:
        labels = ", ".join(
            EQUIPMENT_LABELS.get(tag, tag).lower() for tag in sorted(session.equipment)
        )
        kind += f" {'and' if ' with ' in kind else 'with'} {labels}"
    return kind


def explain(
    problem: SchedulingProblem,
    placements: dict[int, tuple[datetime, int]],
    *,
    candidates: list[Candidates] | None = None,
) -> dict[int, str]:
    """Why each run missing from `placements` has no place, in terms an organizer can act on.

    The unary rules come from the board's rules through the candidates; the pairwise
    ones are looked up in the schedule's occupancy, built once.
    """
    slot_starts = problem.grid.slot_starts()
    candidates = candidates or candidates_for(problem, slot_starts)
    occupancy = Occupancy.of(
        problem, [*problem.fixed, *_as_placements(problem, placements)], slot_starts
    )
    reasons = {}
    for run, cand in zip(problem.runs, candidates, strict=True):
        if run.run_id in placements:
            continue
        teacher_free, both_free = [], []
        for i in cand.starts:
            periods = range(i, i + cand.length)
            if occupancy.are_teachers_free(run.session, periods):
                teacher_free.append(slot_starts[i])
                if any(occupancy.is_room_free(problem.rooms[m].id, periods) for m in cand.rooms):
                    both_free.append(slot_starts[i])
        reasons[run.run_id] = unplaced_reason(problem, run.session, cand, teacher_free, both_free)
    return reasons


def unplaced_reason(
    problem: SchedulingProblem,
    session: SessionFacts,
    cand: Candidates,
    teacher_free: list[datetime],
    both_free: list[datetime],
) -> str:
    """The reason, from the starts where the teachers are free and where a room is too."""
    if not problem.rooms:
        return "There are no rooms available for scheduling."
    if not cand.starts:
        return (
            f"“{session.title}” ({session.duration_minutes} minutes) fits no start in a day "
            f"within the teachers' stated availability."
        )
    if not cand.rooms:
        return f"No {_room_need(session)} exists for “{session.title}”."
    if not teacher_free:
        return (
            f"{session.teacher_names} already teach at every time they are available for "
            f"“{session.title}”."
        )
    if both_free:
        return (
            f"“{session.title}” could go {_half_days_text(problem.grid, both_free)}, but the "
            "solver ran out of time before placing it; run the scheduler again with more time."
        )
    when = _half_days_text(problem.grid, teacher_free)
    return f"No {_room_need(session)} is free {when} while {session.teacher_names} can teach."


def _half_days_text(grid: Grid, starts: Sequence[datetime]) -> str:
    halves = []
    for start in starts:
        label = half_day_at(grid.local(start)).in_sentence
        if label not in halves:
            halves.append(label)
    if len(halves) > 3:
        return "at any of the times"
    return "on " + " or ".join(halves)


def shortages(
    problem: SchedulingProblem,
    result: SchedulingResult,
    *,
    candidates: list[Candidates] | None = None,
) -> list[str]:
    """Which resource runs out: hours asked for against hours offered, where runs are left."""
    slot_starts = problem.grid.slot_starts()
    slot_hours = problem.grid.slot_minutes / 60
    candidates = candidates or candidates_for(problem, slot_starts)
    busy_hours: dict[int, float] = defaultdict(float)  # room id → hours held by fixed runs
    for placement in problem.fixed:
        busy_hours[placement.room.id] += placement.session.duration_minutes / 60
    room_hours = len(slot_starts) * slot_hours
    asked: dict[str, float] = defaultdict(float)
    offered: dict[str, float] = {}
    short_needs = set()
    teacher_asked: dict[tuple[int, str], float] = defaultdict(float)
    teacher_free: dict[tuple[int, str], set[int]] = defaultdict(set)
    for run, cand in zip(problem.runs, candidates, strict=True):
        need = _room_need(run.session, noun="rooms")
        hours = run.session.duration_minutes / 60
        asked[need] += hours
        offered[need] = sum(
            max(0.0, room_hours - busy_hours[problem.rooms[m].id]) for m in cand.rooms
        )
        free_slots = {
            index
            for index, start in enumerate(slot_starts)
            if not set(problem.grid.half_day_keys(start, start + timedelta(minutes=1)))
            & run.session.unavailable_half_days
        }
        for teacher in run.session.teachers:
            teacher_asked[teacher] += hours
            teacher_free[teacher] |= free_slots
        if run.run_id in result.unplaced:
            short_needs.add(need)
    lines = []
    for need in sorted(short_needs, key=lambda n: offered[n] - asked[n]):
        if asked[need] > offered[need]:
            lines.append(
                f"{need}: {asked[need]:.0f} hours of sessions need one, only "
                f"{offered[need]:.0f} room-hours exist"
            )
        else:
            lines.append(
                f"{need}: {asked[need]:.0f} of {offered[need]:.0f} room-hours asked for; "
                "enough in total, but the rest does not fit around teachers and other runs"
            )
    unplaced_teachers = {
        teacher
        for run in problem.runs
        if run.run_id in result.unplaced
        for teacher in run.session.teachers
    }
    for teacher in sorted(unplaced_teachers, key=lambda t: t[1]):
        available = len(teacher_free[teacher]) * slot_hours
        if teacher_asked[teacher] > available:
            lines.append(
                f"teacher time: {teacher[1]} would teach {teacher_asked[teacher]:.0f} hours "
                f"but is available for {available:.0f}"
            )
    return lines
