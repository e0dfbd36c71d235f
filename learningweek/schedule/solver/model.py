"""The CP-SAT model of a scheduling problem, its hint, and the neighbourhood search on it.

The model is compact: per run, one boolean per valid start and one per valid room;
rooms, teachers and a session's own runs never overlap (NoOverlap on intervals);
co-interest is counted per topic and period rather than per pair of sessions, which
keeps the bound meaningful.
"""

from __future__ import annotations

import math
import random
import time as clock
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ortools.sat.python import cp_model

from learningweek.schedule.solver.candidates import Candidates, seats_wanted
from learningweek.schedule.solver.objective import (
    PLACE_WEIGHT,
    PREFERENCE_WEIGHT,
    SEAT_WEIGHT,
    TOPIC_CLASH_WEIGHT,
    TOPIC_SPREAD_WEIGHT,
    fair_share,
    move_weight,
)
from learningweek.schedule.solver.occupancy import covered_stretches
from learningweek.schedule.solver.problem import SchedulingProblem

# The most deterministic time one neighbourhood of `improve` may take.
NEIGHBOURHOOD_LIMIT = 1.0


@dataclass
class BuiltModel:
    """The CP-SAT model and, per run, its start and room booleans."""

    model: cp_model.CpModel
    starts_var: list[dict[int, cp_model.IntVar]]
    rooms_var: list[dict[int, cp_model.IntVar]]
    placed_var: list[cp_model.IntVar]


def build_model(
    problem: SchedulingProblem,
    candidates: list[Candidates],
    hint: dict[int, tuple[datetime, int]],
    slot_starts: list[datetime],
    room_index: dict[int, int],
) -> BuiltModel:
    """The model over the candidates, with the hinted placements as its hint."""
    index_of = {start: index for index, start in enumerate(slot_starts)}
    model = cp_model.CpModel()

    day_of_slot = [problem.grid.local(start).date() for start in slot_starts]
    days = len(set(day_of_slot))
    room_intervals: dict[int, list] = defaultdict(list)
    teacher_intervals: dict[int, list] = defaultdict(list)
    session_intervals: dict[int, list] = defaultdict(list)
    costs: list = []
    starts_var, rooms_var, placed_var = [], [], []

    for run, cand in zip(problem.runs, candidates, strict=True):
        placed = model.new_bool_var(f"placed_{run.run_id}")
        placed_var.append(placed)
        if cand.starts and cand.rooms:
            # A run with no valid start or room cannot be placed: leaving it out of the
            # objective keeps the relative gap about the runs the solver can decide.
            costs.append(PLACE_WEIGHT * (1 - placed))
        y = {i: model.new_bool_var(f"s_{run.run_id}_{i}") for i in cand.starts}
        x = {m: model.new_bool_var(f"r_{run.run_id}_{m}") for m in cand.rooms}
        starts_var.append(y)
        rooms_var.append(x)
        model.add(sum(y.values()) == placed)
        model.add(sum(x.values()) == placed)
        if not y or not x:
            model.add(placed == 0)
            continue
        start = model.new_int_var(0, len(slot_starts), f"start_{run.run_id}")
        model.add(start == sum(i * var for i, var in y.items()))
        end = model.new_int_var(0, len(slot_starts) + cand.length, f"end_{run.run_id}")
        interval = model.new_optional_interval_var(
            start, cand.length, end, placed, f"run_{run.run_id}"
        )
        for teacher_id, _ in run.session.teachers:
            teacher_intervals[teacher_id].append(interval)
        session_intervals[run.session.id].append(interval)
        for m, present in x.items():
            room_intervals[m].append(
                model.new_optional_interval_var(
                    start, cand.length, end, present, f"in_{run.run_id}_{m}"
                )
            )
            shortfall = max(0, seats_wanted(run.session) - problem.rooms[m].capacity)
            if shortfall:
                costs.append(SEAT_WEIGHT * shortfall * present)
        costs.extend(PREFERENCE_WEIGHT * y[i] for i in cand.off_preference)
        hinted = hint.get(run.run_id)
        if hinted is not None:
            hinted_start, hinted_room = hinted
            for i, var in y.items():
                model.add_hint(var, i == index_of.get(hinted_start))
            for m, var in x.items():
                model.add_hint(var, problem.rooms[m].id == hinted_room)
            model.add_hint(placed, True)
        else:
            model.add_hint(placed, False)
            for var in (*y.values(), *x.values()):
                model.add_hint(var, False)
        if run.current is not None:
            current_start, current_room = run.current
            i0 = index_of.get(current_start)
            m0 = next((m for m in x if problem.rooms[m].id == current_room), None)
            stay = model.new_bool_var(f"stay_{run.run_id}")
            if i0 in y and m0 is not None:
                model.add_implication(stay, y[i0])
                model.add_implication(stay, x[m0])
                if problem.published:
                    # People hold seats in it: it may move, but never drop off the programme.
                    model.add(placed == 1)
            else:
                model.add(stay == 0)
            weight = move_weight(problem)
            costs.append(weight * (1 - stay))

    for placement in problem.fixed:
        for first, last in covered_stretches(placement, slot_starts, problem.grid.slot_minutes):
            fixed = model.new_fixed_size_interval_var(
                first, last - first + 1, f"fixed_{placement.run_id}_{first}"
            )
            if placement.room.id in room_index:
                room_intervals[room_index[placement.room.id]].append(fixed)
            for teacher_id, _ in placement.session.teachers:
                teacher_intervals[teacher_id].append(fixed)
            session_intervals[placement.session.id].append(fixed)
    for intervals in (
        *room_intervals.values(),
        *teacher_intervals.values(),
        *session_intervals.values(),
    ):
        if len(intervals) > 1:
            model.add_no_overlap(intervals)

    _add_topic_terms(model, problem, candidates, starts_var, day_of_slot, days, costs)
    model.minimize(sum(costs))

    return BuiltModel(model, starts_var, rooms_var, placed_var)


def complete_hint(model: cp_model.CpModel, deadline: float) -> None:
    """Give every variable a hinted value, derived from the hinted placements.

    CP-SAT adopts a complete, feasible hint as its first solution at once; with only
    the placement booleans hinted it searches from scratch, which at company size
    finds nothing in time. Fixing the hinted booleans leaves only the auxiliary
    variables (interval ends, penalties), which one quick solve settles.
    """
    helper = cp_model.CpSolver()
    helper.parameters.fix_variables_to_their_hinted_value = True
    helper.parameters.cp_model_presolve = False
    helper.parameters.num_workers = 1
    helper.parameters.max_time_in_seconds = max(0.0, deadline - clock.perf_counter())
    helper.parameters.max_deterministic_time = 5.0
    if helper.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return  # keep the partial hint: the solver still starts from it
    values = [
        (model.get_int_var_from_proto_index(index), None)
        for index in range(len(model.proto.variables))
    ]
    model.clear_hints()
    for variable, _ in values:
        model.add_hint(variable, helper.value(variable))


def improve(
    problem: SchedulingProblem,
    built: BuiltModel,
    values: list[int],
    objective: float,
    *,
    budget: float,
    deadline: float,
    stop_at: float = -math.inf,
    seed: int = 7,
) -> tuple[list[int], float, float]:
    """Large-neighbourhood search: re-solve a few runs at a time with the rest fixed.

    `values` is a solution of `built.model` (every variable, by proto index) and
    `objective` its cost. CP-SAT's own search on the whole model hardly moves on a
    full week: with two workers its LNS never gets a turn, and each neighbourhood
    it tries carries the whole model without presolve. Here every run outside the
    neighbourhood is fixed to its place, so presolve removes it and what is left
    solves in well under a second. The neighbourhoods cross days (see
    `_neighbourhood`), which is where a schedule built run by run can still gain.

    A neighbourhood's result is kept only if it costs less, so the search never
    makes the schedule worse; the current solution is each step's complete hint.
    `budget` is in deterministic seconds and the choices are seeded, so the same
    input gives the same schedule; `deadline` (wall clock) is a safety net. It stops
    early once the cost is at most `stop_at`. Returns the solution, its cost and
    the deterministic time used.
    """
    rng = random.Random(seed)
    run_vars = [
        [var.index for var in (*y.values(), *x.values(), placed)]
        for y, x, placed in zip(built.starts_var, built.rooms_var, built.placed_var, strict=True)
    ]
    used = 0.0
    while used < budget and objective > stop_at and clock.perf_counter() < deadline:
        free = set(_neighbourhood(problem, built, values, rng))
        model = built.model.clone()
        for k, indices in enumerate(run_vars):
            if k not in free:
                for index in indices:
                    domain = model.proto.variables[index].domain
                    domain[0] = domain[1] = values[index]
        model.clear_hints()
        model.proto.solution_hint.vars.extend(range(len(values)))
        model.proto.solution_hint.values.extend(values)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.max_deterministic_time = min(NEIGHBOURHOOD_LIMIT, budget - used)
        solver.parameters.max_time_in_seconds = max(0.0, deadline - clock.perf_counter())
        # Measured on the tight benchmark: symmetry detection and probing cost more
        # wall clock than they save here, and presolve's dual reductions may cut off
        # the hint, which the solver then repairs into a worse schedule. Without them,
        # 8 deterministic seconds gained 163 points in 37 s; with CP-SAT's defaults,
        # 4 gained 69 in the same 37 s.
        solver.parameters.symmetry_level = 0
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.keep_all_feasible_solutions_in_presolve = True
        status = solver.solve(model)
        # At least a little per step, so that any budget runs out: cloning and fixing
        # the model take time the solver does not count.
        used += max(solver.response_proto.deterministic_time, 0.01)
        # Presolve may cut off the hint and repair it into something worse: only a
        # lower cost is taken.
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < objective:
            values, objective = list(solver.response_proto.solution), solver.objective_value
        if status == cp_model.OPTIMAL and len(free) == len(run_vars):
            break  # the neighbourhood was the whole problem: nothing is left to gain
    return values, objective, used


def placements_from(
    problem: SchedulingProblem, built: BuiltModel, values: list[int]
) -> dict[int, tuple[datetime, int]]:
    """The schedule a solution of the model stands for: run id → (start, room id)."""
    slot_starts = problem.grid.slot_starts()
    return {
        problem.runs[k].run_id: (slot_starts[i], problem.rooms[m].id)
        for k, (i, m) in _chosen(built, values).items()
    }


def _chosen(built: BuiltModel, values: list[int]) -> dict[int, tuple[int, int]]:
    """The placed runs of a solution: run index → (start index, room index)."""
    chosen = {}
    for k, (y, x) in enumerate(zip(built.starts_var, built.rooms_var, strict=True)):
        i = next((i for i, var in y.items() if values[var.index]), None)
        m = next((m for m, var in x.items() if values[var.index]), None)
        if i is not None and m is not None:
            chosen[k] = (i, m)
    return chosen


def _neighbourhood(
    problem: SchedulingProblem, built: BuiltModel, values: list[int], rng: random.Random
) -> list[int]:
    """The runs (indices) to re-solve next, chosen so that they can trade places across days.

    One of: every run of two topics (their clashes and spread over the week), every
    run in the three rooms nearest in size to one (who gets the big rooms), or every
    run starting in two half-days (swaps between them). Some unplaced runs come
    along, if there are any: placing one outweighs everything else.
    """
    slot_starts = problem.grid.slot_starts()
    placed = _chosen(built, values)
    runs = range(len(problem.runs))
    kind = rng.choice(("topics", "rooms", "half-days"))
    if kind == "topics":
        topics = sorted({topic for run in problem.runs for topic in run.topic_ids})
        picked_topics = set(rng.sample(topics, min(2, len(topics))))
        chosen = {k for k in runs if picked_topics & set(problem.runs[k].topic_ids)}
    elif kind == "rooms":
        pivot = rng.choice(problem.rooms).capacity
        nearest = sorted(
            range(len(problem.rooms)),
            key=lambda m: (abs(problem.rooms[m].capacity - pivot), rng.random()),
        )
        picked_rooms = set(nearest[:3])
        chosen = {k for k, (_, m) in placed.items() if m in picked_rooms}
    else:
        minute = timedelta(minutes=1)
        half_day = [problem.grid.half_day_keys(start, start + minute)[0] for start in slot_starts]
        half_days = sorted({half_day[i] for i, _ in placed.values()})
        picked_half_days = set(rng.sample(half_days, min(2, len(half_days))))
        chosen = {k for k, (i, _) in placed.items() if half_day[i] in picked_half_days}
    unplaced = [k for k in runs if k not in placed]
    chosen |= set(rng.sample(unplaced, min(len(unplaced), 20)))
    return sorted(chosen)


def _add_topic_terms(
    model: cp_model.CpModel,
    problem: SchedulingProblem,
    candidates: list[Candidates],
    starts_var: list[dict[int, cp_model.IntVar]],
    day_of_slot: list[date],
    days: int,
    costs: list,
) -> None:
    """Sessions of one topic share an audience: keep them apart in time, spread over days."""
    by_topic: dict[int, list[int]] = defaultdict(list)
    for index, run in enumerate(problem.runs):
        for topic_id in run.topic_ids:
            by_topic[topic_id].append(index)
    periods = len(day_of_slot)
    for topic_id, members in by_topic.items():
        if len(members) < 2:
            continue
        active: dict[int, list] = defaultdict(list)
        per_day: dict[date, list] = defaultdict(list)
        for index in members:
            length = candidates[index].length
            for i, var in starts_var[index].items():
                per_day[day_of_slot[i]].append(var)
                for p in range(i, min(i + length, periods)):
                    active[p].append(var)
        for p, variables in active.items():
            if len(variables) > 1:
                excess = model.new_int_var(0, len(variables), f"topic_{topic_id}_{p}")
                model.add(excess >= sum(variables) - 1)
                costs.append(TOPIC_CLASH_WEIGHT * excess)
        share = fair_share(len(members), days)
        for day, variables in per_day.items():
            if len(variables) > share:
                over = model.new_int_var(0, len(variables), f"spread_{topic_id}_{day}")
                model.add(over >= sum(variables) - share)
                costs.append(TOPIC_SPREAD_WEIGHT * over)
