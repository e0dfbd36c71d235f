"""Schedules built run by run: the construction CP-SAT starts from, and the greedy baseline."""

from __future__ import annotations

import time as clock
from collections import defaultdict
from datetime import datetime

from learningweek.schedule.conflicts import PAIR_RULES, BoardState, Placement, problems_for
from learningweek.schedule.solver import objective
from learningweek.schedule.solver.candidates import Candidates, candidates_for, seats_wanted
from learningweek.schedule.solver.explain import explain
from learningweek.schedule.solver.occupancy import Occupancy
from learningweek.schedule.solver.problem import SchedulingProblem, SchedulingResult


def construct(
    problem: SchedulingProblem, candidates: list[Candidates]
) -> dict[int, tuple[datetime, int]]:
    """A good first schedule: most expected people first, each run where it costs least.

    Pairwise rules are checked with an `Occupancy` (the unary rules are already in
    `candidates`); `solve` re-checks the result with the board's rules. Runs already
    placed are tried at their place first.
    """
    slot_starts = problem.grid.slot_starts()
    index_of = {start: index for index, start in enumerate(slot_starts)}
    day_of_slot = [problem.grid.local(start).date() for start in slot_starts]
    days = len(set(day_of_slot))
    occupancy = Occupancy.of(problem, problem.fixed, slot_starts)
    topic_active: dict[tuple[int, int], int] = defaultdict(int)
    topic_day: dict[tuple[int, object], int] = defaultdict(int)
    members = objective.topic_sizes(problem)

    # Most expected people first: only a few rooms seat them, and a small session put
    # there first would push them into a room far too small. On the tight benchmark
    # this ordering alone cuts the seat shortfall fivefold against hardest-first.
    order = sorted(
        range(len(problem.runs)),
        key=lambda k: (
            problem.runs[k].current is None,
            -seats_wanted(problem.runs[k].session),
            len(candidates[k].starts) * len(candidates[k].rooms),
            -problem.runs[k].session.duration_minutes,
            problem.runs[k].run_id,
        ),
    )
    chosen: dict[int, tuple[datetime, int]] = {}
    for k in order:
        run, cand = problem.runs[k], candidates[k]
        needed = seats_wanted(run.session)
        best, best_cost = None, None
        current = run.current and (index_of.get(run.current[0]), run.current[1])
        for i in cand.starts:
            periods = range(i, i + cand.length)
            if not occupancy.are_teachers_free(run.session, periods):
                continue
            time_cost = sum(
                objective.TOPIC_CLASH_WEIGHT * (topic_active[(topic, p)] > 0)
                for topic in run.topic_ids
                for p in periods
            ) + sum(
                objective.TOPIC_SPREAD_WEIGHT
                * (topic_day[(topic, day_of_slot[i])] >= objective.fair_share(members[topic], days))
                for topic in run.topic_ids
            )
            time_cost += objective.PREFERENCE_WEIGHT * (i in cand.off_preference)
            for m in cand.rooms:
                room = problem.rooms[m]
                if not occupancy.is_room_free(room.id, periods):
                    continue
                cost = time_cost + objective.SEAT_WEIGHT * max(0, needed - room.capacity)
                if current is not None and (i, room.id) != current:
                    cost += objective.move_weight(problem)
                if best_cost is None or cost < best_cost:
                    best, best_cost = (i, room.id), cost
        if best is None:
            continue
        i, room_id = best
        occupancy.add(range(i, i + cand.length), room_id, run.session)
        for topic in run.topic_ids:
            topic_day[(topic, day_of_slot[i])] += 1
            for p in range(i, i + cand.length):
                topic_active[(topic, p)] += 1
        chosen[run.run_id] = (slot_starts[i], room_id)
    return chosen


def greedy(
    problem: SchedulingProblem, *, candidates: list[Candidates] | None = None
) -> SchedulingResult:
    """The baseline: hardest runs first, each at the first start and best-fitting room free.

    Hardest means fewest candidate starts × rooms, then longest, then most expected.
    Runs already placed keep their place when it is still free (a re-solve's start).
    """
    started = clock.perf_counter()
    slot_starts = problem.grid.slot_starts()
    candidates = candidates or candidates_for(problem, slot_starts)
    state = BoardState.of(problem.grid, problem.fixed)
    result = SchedulingResult(placements={}, unplaced={}, moved=[], status="GREEDY")
    order = sorted(
        range(len(problem.runs)),
        key=lambda k: (
            len(candidates[k].starts) * len(candidates[k].rooms),
            -problem.runs[k].session.duration_minutes,
            -problem.runs[k].session.expected_demand,
            problem.runs[k].run_id,
        ),
    )
    for k in order:
        run, cand = problem.runs[k], candidates[k]
        needed = seats_wanted(run.session)
        rooms = sorted(
            (problem.rooms[m] for m in cand.rooms),
            key=lambda room: (room.capacity < needed, room.capacity),
        )
        choice = None
        for room in rooms:
            for i in cand.starts:
                placement = Placement(run.run_id, run.session, slot_starts[i], room)
                if not any(
                    p.is_hard and p.rule in PAIR_RULES
                    for p in problems_for(placement, state, problem.settings)
                ):
                    choice = placement
                    break
            if choice:
                break
        if choice is not None:
            state.add(choice)
            result.placements[run.run_id] = (choice.starts_at, choice.room.id)
    result.unplaced = explain(problem, result.placements, candidates=candidates)
    result.objective = objective.objective_of(problem, result.placements)
    result.seconds = clock.perf_counter() - started
    result.first_solution_seconds = result.seconds
    return result
