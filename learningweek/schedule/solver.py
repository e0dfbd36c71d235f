"""The automatic scheduler: CP-SAT over the same rules the board checks.

Pure: a `SchedulingProblem` of plain facts in, a `SchedulingResult` out. Candidates
come from `conflicts.problems_for` itself, so the solver and the board cannot
disagree on what a valid start or room is. The model is compact: per run, one
boolean per valid start and one per valid room; rooms, teachers and a session's
own runs never overlap (NoOverlap on intervals); co-interest is counted per topic
and period rather than per pair of sessions, which keeps the bound meaningful.

Objective, in order of weight: place as many runs as possible; after publishing,
move as few placed runs as possible; seat the expected attendance; keep sessions
of one topic apart in time and spread over the days.
"""

from __future__ import annotations

import math
import random
import time as clock
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from learningweek.core.enums import SessionFormat
from learningweek.schedule.conflicts import (
    EQUIPMENT_LABELS,
    PAIR_RULES,
    ROOM_RULES,
    TIME_RULES,
    BoardState,
    Grid,
    Placement,
    RoomFacts,
    SessionFacts,
    Settings,
    problems_for,
)

PLACE_WEIGHT = 1_000_000  # one more placed run outweighs everything else
# Rooms offered to each run: the best-fitting compatible ones. Every room in the
# model multiplies its size; a handful of near-fitting rooms keeps the search fast
# and loses little, since seating the expected people favours near fits anyway.
ROOMS_PER_RUN = 6
# Share of the wall-clock budget CP-SAT does not get. At 1,000 runs it overruns its
# own limit by about 0.3 s while it stops, and re-checking the schedule and
# explaining what is left take another 0.3 s; a 5 s budget keeps 1 s back.
AFTER_SOLVE_SHARE = 0.2
# Status of a result that is the construction alone, when CP-SAT had no time.
CONSTRUCTED = "CONSTRUCTED"
MOVE_WEIGHT_PUBLISHED = 10_000  # people rely on a published time and place
MOVE_WEIGHT_DRAFT = 1  # before publishing, a tie-breaker for stability
SEAT_WEIGHT = 10  # per expected person without a seat
TOPIC_CLASH_WEIGHT = 30  # per extra session of one topic in one period
TOPIC_SPREAD_WEIGHT = 5  # per session of a topic above its fair share of a day
# Per run outside its teachers' preferred half-days: the last of the aims, so it only
# chooses between places that are otherwise as good (above the draft move tie-breaker).
PREFERENCE_WEIGHT = 2
# Share of the deterministic limit for the neighbourhood search after CP-SAT's own
# (`_improve`), and the most one neighbourhood may take. On a full week CP-SAT's own
# search gains next to nothing; on small problems it proves optimality and ends early.
NEIGHBOURHOOD_SHARE = 0.9
NEIGHBOURHOOD_LIMIT = 1.0


@dataclass(frozen=True)
class RunToPlace:
    """A run the scheduler may place or move (pinned runs are given as fixed)."""

    run_id: int
    session: SessionFacts
    topic_ids: tuple[int, ...] = ()
    current: tuple[datetime, int] | None = None  # (start, room id) when placed


@dataclass(frozen=True)
class SchedulingProblem:
    grid: Grid
    rooms: tuple[RoomFacts, ...]
    runs: tuple[RunToPlace, ...]
    fixed: tuple[Placement, ...] = ()
    settings: Settings = field(default_factory=Settings)
    published: bool = False


@dataclass
class SchedulingResult:
    placements: dict[int, tuple[datetime, int]]
    unplaced: dict[int, str]
    moved: list[int]
    status: str
    objective: float | None = None
    bound: float | None = None
    seconds: float = 0.0
    first_solution_seconds: float | None = None
    shortages: list[str] = field(default_factory=list)

    @property
    def has_schedule(self) -> bool:
        """Whether the placements are a schedule found in time (possibly partial)."""
        return self.status in ("OPTIMAL", "FEASIBLE", CONSTRUCTED)

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return abs(self.objective - self.bound) / abs(self.objective)


@dataclass
class _Candidates:
    starts: list[int]  # indices into the grid's slot starts
    rooms: list[int]  # indices into problem.rooms
    length: int  # in slots
    off_preference: frozenset[int] = frozenset()  # starts outside the preferred half-days


def _candidates(problem: SchedulingProblem, slot_starts: list[datetime]) -> list[_Candidates]:
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
            _Candidates(
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


def _covered_slots(
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


def _covered_stretches(
    placement: Placement, slot_starts: list[datetime], slot_minutes: int
) -> list[tuple[int, int]]:
    """The covered slots as runs of consecutive indices (first, last)."""
    stretches: list[tuple[int, int]] = []
    for index in _covered_slots(placement, slot_starts, slot_minutes):
        if stretches and stretches[-1][1] == index - 1:
            stretches[-1] = (stretches[-1][0], index)
        else:
            stretches.append((index, index))
    return stretches


@dataclass
class _Occupancy:
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
    ) -> _Occupancy:
        occupancy = cls()
        for placement in placements:
            occupancy.add(
                _covered_slots(placement, slot_starts, problem.grid.slot_minutes),
                placement.room.id,
                placement.session,
            )
        return occupancy

    def add(self, periods: Iterable[int], room_id: int, session: SessionFacts) -> None:
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


def _best_fitting(
    problem: SchedulingProblem, run: RunToPlace, rooms: list[int], keep: set[int]
) -> list[int]:
    """The compatible rooms closest to seating the run's expected people, plus `keep`."""
    needed = _needed(run.session)
    ranked = sorted(
        rooms,
        key=lambda m: (
            problem.rooms[m].capacity < needed,
            abs(problem.rooms[m].capacity - needed),
            m,
        ),
    )
    return sorted(set(ranked[:ROOMS_PER_RUN]) | (keep & set(rooms)))


def _needed(session: SessionFacts) -> int:
    return min(session.max_participants, session.expected_demand)


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = clock.perf_counter() - self.started


def solve(
    problem: SchedulingProblem,
    *,
    time_limit: float = 10.0,
    deterministic_limit: float | None = None,
    workers: int = 2,
    warm_start: bool = True,
) -> SchedulingResult:
    """Place the problem's runs; the same problem and limits give the same schedule.

    Determinism comes from CP-SAT's interleaved search with a deterministic time
    limit (by default half of `time_limit`). The wall-clock `time_limit` bounds the
    whole call, from the first rule check to the last explanation: it is a safety net
    for a slow or busy machine, and a hard budget when an answer is needed at once.
    """
    if deterministic_limit is None:
        deterministic_limit = time_limit / 2
    started = clock.perf_counter()
    deadline = started + time_limit
    # Kept back from CP-SAT for re-checking the schedule and explaining what is left.
    reserve = time_limit * AFTER_SOLVE_SHARE
    slot_starts = problem.grid.slot_starts()
    candidates = _candidates(problem, slot_starts)
    # The greedy schedule is a valid start: CP-SAT improves on it instead of searching
    # from nothing, which at company size it would not finish in time.
    hint = construct(problem, candidates) if warm_start else {}
    constructed_at = clock.perf_counter() - started
    relaxation_bound = _relaxation_bound(problem, candidates, slot_starts)
    room_index = {room.id: m for m, room in enumerate(problem.rooms)}
    explain_rooms = [list(cand.rooms) for cand in candidates]
    for run, cand in zip(problem.runs, candidates, strict=True):
        keep = {
            room_index[chosen[1]]
            for chosen in (hint.get(run.run_id), run.current)
            if chosen and chosen[1] in room_index
        }
        cand.rooms = _best_fitting(problem, run, cand.rooms, keep)
    is_trimmed = any(
        len(cand.rooms) < len(rooms) for cand, rooms in zip(candidates, explain_rooms, strict=True)
    )
    built = _build_model(problem, candidates, hint, slot_starts, room_index)
    model = built.model

    if hint:
        _complete_hint(model, deadline - reserve)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.0, deadline - reserve - clock.perf_counter())
    solver.parameters.max_deterministic_time = deterministic_limit * (1 - NEIGHBOURHOOD_SHARE)
    solver.parameters.num_workers = workers
    solver.parameters.interleave_search = True
    # CP-SAT's presolve spends the whole time limit on this model without helping it.
    solver.parameters.cp_model_presolve = False
    solver.parameters.random_seed = 7
    solver.parameters.relative_gap_limit = 0.01  # within 1% of the bound is good enough
    callback = _FirstSolution(started)
    status = solver.solve(model, callback)
    result = SchedulingResult(
        placements={}, unplaced={}, moved=[], status=solver.status_name(status)
    )
    result.bound = relaxation_bound
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.objective = solver.objective_value
        if not is_trimmed:
            # CP-SAT's bound is of the model it was given; only then of the whole problem.
            result.bound = max(relaxation_bound, solver.best_objective_bound)
        values = list(solver.response_proto.solution)
        if status == cp_model.FEASIBLE:
            values, result.objective, _ = _improve(
                problem,
                built,
                values,
                result.objective,
                budget=deterministic_limit - solver.response_proto.deterministic_time,
                deadline=deadline - reserve,
                # Where CP-SAT itself would stop: within 1% of the bound.
                stop_at=result.bound / (1 - solver.parameters.relative_gap_limit),
            )
        result.placements = _placements_of(problem, built, values)
    elif status == cp_model.UNKNOWN and hint:
        # The budget ran out before CP-SAT took up its start: the construction is
        # still a valid schedule, and better than none.
        result.status = CONSTRUCTED
        result.placements = dict(hint)
        callback.first = constructed_at
    for cand, rooms in zip(candidates, explain_rooms, strict=True):
        cand.rooms = rooms
    _verify_and_explain(problem, candidates, result)
    result.moved = [
        run.run_id
        for run in problem.runs
        if run.current is not None and result.placements.get(run.run_id) != run.current
    ]
    result.seconds = clock.perf_counter() - started
    result.first_solution_seconds = callback.first
    result.shortages = shortages(problem, result, candidates=candidates) if result.unplaced else []
    return result


@dataclass
class _Model:
    """The CP-SAT model and, per run, its start and room booleans."""

    model: cp_model.CpModel
    starts_var: list[dict[int, cp_model.IntVar]]
    rooms_var: list[dict[int, cp_model.IntVar]]
    placed_var: list[cp_model.IntVar]


def _build_model(
    problem: SchedulingProblem,
    candidates: list[_Candidates],
    hint: dict[int, tuple[datetime, int]],
    slot_starts: list[datetime],
    room_index: dict[int, int],
) -> _Model:
    """The model over the candidates, with the hinted placements as its hint."""
    index_of = {start: index for index, start in enumerate(slot_starts)}
    model = cp_model.CpModel()

    day_of_slot = [problem.grid.local(start).date() for start in slot_starts]
    days = sorted(set(day_of_slot))
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
            shortfall = max(0, _needed(run.session) - problem.rooms[m].capacity)
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
            weight = MOVE_WEIGHT_PUBLISHED if problem.published else MOVE_WEIGHT_DRAFT
            costs.append(weight * (1 - stay))

    for placement in problem.fixed:
        for first, last in _covered_stretches(placement, slot_starts, problem.grid.slot_minutes):
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

    return _Model(model, starts_var, rooms_var, placed_var)


def _complete_hint(model: cp_model.CpModel, deadline: float) -> None:
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


def _improve(
    problem: SchedulingProblem,
    built: _Model,
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


def _placements_of(
    problem: SchedulingProblem, built: _Model, values: list[int]
) -> dict[int, tuple[datetime, int]]:
    """The schedule a solution of the model stands for: run id → (start, room id)."""
    slot_starts = problem.grid.slot_starts()
    placements = {}
    for run, y, x in zip(problem.runs, built.starts_var, built.rooms_var, strict=True):
        i = next((i for i, var in y.items() if values[var.index]), None)
        m = next((m for m, var in x.items() if values[var.index]), None)
        if i is not None and m is not None:
            placements[run.run_id] = (slot_starts[i], problem.rooms[m].id)
    return placements


def _neighbourhood(
    problem: SchedulingProblem, built: _Model, values: list[int], rng: random.Random
) -> list[int]:
    """The runs (indices) to re-solve next, chosen so that they can trade places across days.

    One of: every run of two topics (their clashes and spread over the week), every
    run in the three rooms nearest in size to one (who gets the big rooms), or every
    run starting in two half-days (swaps between them). Some unplaced runs come
    along, if there are any: placing one outweighs everything else.
    """
    slot_starts = problem.grid.slot_starts()
    placed = {}
    for k, (y, x) in enumerate(zip(built.starts_var, built.rooms_var, strict=True)):
        i = next((i for i, var in y.items() if values[var.index]), None)
        m = next((m for m, var in x.items() if values[var.index]), None)
        if i is not None and m is not None:
            placed[k] = (i, m)
    runs = range(len(problem.runs))
    kind = rng.choice(("topics", "rooms", "half-days"))
    if kind == "topics":
        topics = sorted({topic for run in problem.runs for topic in run.topic_ids})
        picked = set(rng.sample(topics, min(2, len(topics))))
        chosen = {k for k in runs if picked & set(problem.runs[k].topic_ids)}
    elif kind == "rooms":
        pivot = rng.choice(problem.rooms).capacity
        nearest = sorted(
            range(len(problem.rooms)),
            key=lambda m: (abs(problem.rooms[m].capacity - pivot), rng.random()),
        )
        picked = set(nearest[:3])
        chosen = {k for k, (_, m) in placed.items() if m in picked}
    else:
        minute = timedelta(minutes=1)
        half_day = [problem.grid.half_day_keys(start, start + minute)[0] for start in slot_starts]
        half_days = sorted({half_day[i] for i, _ in placed.values()})
        picked = set(rng.sample(half_days, min(2, len(half_days))))
        chosen = {k for k, (i, _) in placed.items() if half_day[i] in picked}
    unplaced = [k for k in runs if k not in placed]
    chosen |= set(rng.sample(unplaced, min(len(unplaced), 20)))
    return sorted(chosen)


def _relaxation_bound(
    problem: SchedulingProblem, candidates: list[_Candidates], slot_starts: list[datetime]
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
        covered = _covered_slots(placement, slot_starts, problem.grid.slot_minutes)
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
                var, SEAT_WEIGHT * max(0, _needed(run.session) - room.capacity)
            )
        covered = {p for i in cand.starts for p in range(i, i + cand.length)}
        for teacher, _ in run.session.teachers:
            teacher_load[teacher].append((placed, cand.length))
            teacher_periods[teacher] |= covered
        for topic in run.topic_ids:
            topic_load[topic].append((placed, cand.length))
            topic_periods[topic] |= covered
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


def _add_topic_terms(model, problem, candidates, starts_var, day_of_slot, days, costs) -> None:
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
        per_day: dict[object, list] = defaultdict(list)
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
        fair_share = math.ceil(len(members) / max(1, len(days)))
        for day, variables in per_day.items():
            if len(variables) > fair_share:
                over = model.new_int_var(0, len(variables), f"spread_{topic_id}_{day}")
                model.add(over >= sum(variables) - fair_share)
                costs.append(TOPIC_SPREAD_WEIGHT * over)


def _verify_and_explain(
    problem: SchedulingProblem, candidates: list[_Candidates], result: SchedulingResult
) -> None:
    """Re-check the schedule with the board's rules; explain every run left unplaced."""
    rooms = {room.id: room for room in problem.rooms}
    placements = [
        Placement(run.run_id, run.session, *_start_and_room(result.placements[run.run_id], rooms))
        for run in problem.runs
        if run.run_id in result.placements
    ]
    state = BoardState.of(problem.grid, [*problem.fixed, *placements])
    for placement in placements:
        hard = [p for p in problems_for(placement, state, problem.settings) if p.is_hard]
        if hard:  # never expected: the model holds every hard rule
            del result.placements[placement.run_id]
            state.remove(placement.run_id)
            result.unplaced[placement.run_id] = hard[0].message
    for run_id, reason in explain(problem, result.placements, candidates=candidates).items():
        result.unplaced.setdefault(run_id, reason)


def _start_and_room(chosen: tuple[datetime, int], rooms: dict[int, RoomFacts]):
    start, room_id = chosen
    return start, rooms[room_id]


def _room_need(session: SessionFacts, *, noun: str = "room") -> str:
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
    candidates: list[_Candidates] | None = None,
) -> dict[int, str]:
    """Why each run missing from `placements` has no place, in terms an organizer can act on.

    The unary rules come from the board's rules through the candidates; the pairwise
    ones are looked up in the schedule's occupancy, built once.
    """
    slot_starts = problem.grid.slot_starts()
    candidates = candidates or _candidates(problem, slot_starts)
    rooms = {room.id: room for room in problem.rooms}
    placed = [
        Placement(run.run_id, run.session, *_start_and_room(placements[run.run_id], rooms))
        for run in problem.runs
        if run.run_id in placements
    ]
    occupancy = _Occupancy.of(problem, [*problem.fixed, *placed], slot_starts)
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
        reasons[run.run_id] = _reason(problem, run.session, cand, teacher_free, both_free)
    return reasons


def _reason(
    problem: SchedulingProblem,
    session: SessionFacts,
    cand: _Candidates,
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
        local = grid.local(start)
        label = f"{local:%A} {'morning' if local.hour < 12 else 'afternoon'}"
        if label not in halves:
            halves.append(label)
    if len(halves) > 3:
        return "at any of the times"
    return "on " + " or ".join(halves)


def shortages(
    problem: SchedulingProblem,
    result: SchedulingResult,
    *,
    candidates: list[_Candidates] | None = None,
) -> list[str]:
    """Which resource runs out: hours asked for against hours offered, where runs are left."""
    slot_starts = problem.grid.slot_starts()
    slot_hours = problem.grid.slot_minutes / 60
    candidates = candidates or _candidates(problem, slot_starts)
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


def objective_of(problem: SchedulingProblem, placements: dict[int, tuple[datetime, int]]) -> float:
    """The model's cost of a schedule, computed directly: it puts any schedule (the
    greedy baseline's, say) on the solver's scale, and cross-checks the solver."""
    slot_starts = problem.grid.slot_starts()
    index_of = {start: index for index, start in enumerate(slot_starts)}
    day_of_slot = [problem.grid.local(start).date() for start in slot_starts]
    days = len(set(day_of_slot))
    rooms = {room.id: room for room in problem.rooms}
    candidates = {
        run.run_id: cand
        for run, cand in zip(problem.runs, _candidates(problem, slot_starts), strict=True)
    }
    cost = 0.0
    active: dict[tuple[int, int], int] = defaultdict(int)
    per_day: dict[tuple[int, object], int] = defaultdict(int)
    members: dict[int, int] = defaultdict(int)
    for run in problem.runs:
        for topic in run.topic_ids:
            members[topic] += 1
        chosen = placements.get(run.run_id)
        cand = candidates[run.run_id]
        if chosen is None:
            cost += PLACE_WEIGHT if cand.starts and cand.rooms else 0
            if run.current is not None:
                cost += MOVE_WEIGHT_PUBLISHED if problem.published else MOVE_WEIGHT_DRAFT
            continue
        start, room_id = chosen
        cost += SEAT_WEIGHT * max(0, _needed(run.session) - rooms[room_id].capacity)
        if run.current is not None and chosen != run.current:
            cost += MOVE_WEIGHT_PUBLISHED if problem.published else MOVE_WEIGHT_DRAFT
        first = index_of[start]
        cost += PREFERENCE_WEIGHT * (first in cand.off_preference)
        for topic in run.topic_ids:
            per_day[(topic, day_of_slot[first])] += 1
            for p in range(first, min(first + cand.length, len(slot_starts))):
                active[(topic, p)] += 1
    cost += TOPIC_CLASH_WEIGHT * sum(max(0, n - 1) for n in active.values())
    for (topic, _), n in per_day.items():
        if members[topic] >= 2:
            cost += TOPIC_SPREAD_WEIGHT * max(0, n - math.ceil(members[topic] / max(1, days)))
    return cost


def construct(
    problem: SchedulingProblem, candidates: list[_Candidates]
) -> dict[int, tuple[datetime, int]]:
    """A good first schedule: most expected people first, each run where it costs least.

    Pairwise rules are checked with an `_Occupancy` (the unary rules are already in
    `candidates`); `solve` re-checks the result with the board's rules. Runs already
    placed are tried at their place first.
    """
    slot_starts = problem.grid.slot_starts()
    index_of = {start: index for index, start in enumerate(slot_starts)}
    day_of_slot = [problem.grid.local(start).date() for start in slot_starts]
    days = max(1, len(set(day_of_slot)))
    occupancy = _Occupancy.of(problem, problem.fixed, slot_starts)
    topic_active: dict[tuple[int, int], int] = defaultdict(int)
    topic_day: dict[tuple[int, object], int] = defaultdict(int)
    members: dict[int, int] = defaultdict(int)
    for run in problem.runs:
        for topic in run.topic_ids:
            members[topic] += 1

    # Most expected people first: only a few rooms seat them, and a small session put
    # there first would push them into a room far too small. On the tight benchmark
    # this ordering alone cuts the seat shortfall fivefold against hardest-first.
    order = sorted(
        range(len(problem.runs)),
        key=lambda k: (
            problem.runs[k].current is None,
            -_needed(problem.runs[k].session),
            len(candidates[k].starts) * len(candidates[k].rooms),
            -problem.runs[k].session.duration_minutes,
            problem.runs[k].run_id,
        ),
    )
    chosen: dict[int, tuple[datetime, int]] = {}
    for k in order:
        run, cand = problem.runs[k], candidates[k]
        needed = _needed(run.session)
        best, best_cost = None, None
        current = run.current and (index_of.get(run.current[0]), run.current[1])
        for i in cand.starts:
            periods = range(i, i + cand.length)
            if not occupancy.are_teachers_free(run.session, periods):
                continue
            time_cost = sum(
                TOPIC_CLASH_WEIGHT * (topic_active[(topic, p)] > 0)
                for topic in run.topic_ids
                for p in periods
            ) + sum(
                TOPIC_SPREAD_WEIGHT
                * (topic_day[(topic, day_of_slot[i])] >= math.ceil(members[topic] / days))
                for topic in run.topic_ids
            )
            time_cost += PREFERENCE_WEIGHT * (i in cand.off_preference)
            for m in cand.rooms:
                room = problem.rooms[m]
                if not occupancy.is_room_free(room.id, periods):
                    continue
                cost = time_cost + SEAT_WEIGHT * max(0, needed - room.capacity)
                if current is not None and (i, room.id) != current:
                    cost += MOVE_WEIGHT_PUBLISHED if problem.published else MOVE_WEIGHT_DRAFT
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
    problem: SchedulingProblem, *, candidates: list[_Candidates] | None = None
) -> SchedulingResult:
    """The baseline: hardest runs first, each at the first start and best-fitting room free.

    Hardest means fewest candidate starts × rooms, then longest, then most expected.
    Runs already placed keep their place when it is still free (a re-solve's start).
    """
    started = clock.perf_counter()
    slot_starts = problem.grid.slot_starts()
    candidates = candidates or _candidates(problem, slot_starts)
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
        needed = _needed(run.session)
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
    result.objective = objective_of(problem, result.placements)
    result.seconds = clock.perf_counter() - started
    result.first_solution_seconds = result.seconds
    return result
