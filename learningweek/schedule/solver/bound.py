"""A proven lower bound on the objective, from an LP relaxation of the whole problem."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime

from ortools.linear_solver import pywraplp

from learningweek.schedule.solver.candidates import Candidates, seats_wanted
from learningweek.schedule.solver.objective import PLACE_WEIGHT, SEAT_WEIGHT, TOPIC_CLASH_WEIGHT
from learningweek.schedule.solver.occupancy import covered_slots
from learningweek.schedule.solver.problem import SchedulingProblem


def relaxation_bound(
    problem: SchedulingProblem, candidates: list[Candidates], slot_starts: list[datetime]
) -> float:
    """A lower bound on the objective from an LP relaxation of the whole problem.

    Over every compatible room, so it also bounds what the solver's trimmed room lists
    leave out. Time is aggregated: a room holds at most its free periods of runs, a
    teacher teaches at most the periods they are available, and a topic clashes at
    least as often as its runs' periods exceed the periods it can use. Each is a
    consequence of the model's constraints, so the LP's optimum is a valid bound.
    """
    lp = pywraplp.Solver.CreateSolver("GLOP")
    objective = lp.Objective()
    periods = len(slot_starts)
    room_free = {room.id: periods for room in problem.rooms}
    teacher_busy: dict[int, set[int]] = defaultdict(set)
    for placement in problem.fixed:
        covered = covered_slots(placement, slot_starts, problem.grid.slot_minutes)
        if placement.room.id in room_free:
            room_free[placement.room.id] -= len(covered)
        for teacher, _ in placement.session.teachers:
            teacher_busy[teacher].update(covered)
    # Per resource, the (variable, periods) terms that use it.
    room_load: dict[int, list] = defaultdict(list)
    teacher_load: dict[int, list] = defaultdict(list)
    teacher_periods: dict[int, set[int]] = defaultdict(set)
    topic_load: dict[int, list] = defaultdict(list)
    topic_periods: dict[int, set[int]] = defaultdict(set)
    offset = 0
    for run, cand in zip(problem.runs, candidates, strict=True):
        if not cand.starts or not cand.rooms:
            continue
        placed = lp.NumVar(0, 1, "")
        offset += PLACE_WEIGHT
        objective.SetCoefficient(placed, -PLACE_WEIGHT)
        one_room = lp.Constraint(0, 0)
        one_room.SetCoefficient(placed, -1)
        for m in cand.rooms:
            room = problem.rooms[m]
            var = lp.NumVar(0, 1, "")
            one_room.SetCoefficient(var, 1)
            room_load[room.id].append((var, cand.length))
            objective.SetCoefficient(
                var, SEAT_WEIGHT * max(0, seats_wanted(run.session) - room.capacity)
            )
        reachable = {p for i in cand.starts for p in range(i, i + cand.length)}
        for teacher, _ in run.session.teachers:
            teacher_load[teacher].append((placed, cand.length))
            teacher_periods[teacher] |= reachable
        for topic in run.topic_ids:
            topic_load[topic].append((placed, cand.length))
            topic_periods[topic] |= reachable
    limits = [(load, room_free[room_id]) for room_id, load in room_load.items()]
    limits += [
        (load, len(teacher_periods[teacher] - teacher_busy[teacher]))
        for teacher, load in teacher_load.items()
    ]
    for topic, load in topic_load.items():
        if len(load) > 1:
            excess = lp.NumVar(0, lp.infinity(), "")
            objective.SetCoefficient(excess, TOPIC_CLASH_WEIGHT)
            limits.append(([*load, (excess, -1)], len(topic_periods[topic])))
    for load, limit in limits:
        constraint = lp.Constraint(-lp.infinity(), limit)
        for var, coefficient in load:
            constraint.SetCoefficient(var, coefficient)
    objective.SetOffset(offset)
    objective.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return 0.0
    # The objective is a sum of integers: round up, with a margin for float error.
    return float(math.ceil(objective.Value() - 1e-6))
