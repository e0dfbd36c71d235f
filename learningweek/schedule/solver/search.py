"""`solve`: construct a schedule, let CP-SAT and the neighbourhood search improve it,
re-check it with the board's rules and explain what is left."""

from __future__ import annotations

import time as clock

from ortools.sat.python import cp_model

from learningweek.schedule.solver.bound import relaxation_bound
from learningweek.schedule.solver.candidates import best_fitting, candidates_for
from learningweek.schedule.solver.construct import construct
from learningweek.schedule.solver.explain import shortages, verify_and_explain
from learningweek.schedule.solver.model import (
    build_model,
    complete_hint,
    improve,
    placements_from,
)
from learningweek.schedule.solver.problem import CONSTRUCTED, SchedulingProblem, SchedulingResult

# Share of the wall-clock budget CP-SAT does not get. At 1,000 runs it overruns its
# own limit by about 0.3 s while it stops, and re-checking the schedule and
# explaining what is left take another 0.3 s; a 5 s budget keeps 1 s back.
AFTER_SOLVE_SHARE = 0.2
# Share of the deterministic limit for the neighbourhood search after CP-SAT's own
# (`improve`). On a full week CP-SAT's own search gains next to nothing; on small
# problems it proves optimality and ends early.
NEIGHBOURHOOD_SHARE = 0.9


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    """Notes when CP-SAT reports its first solution, counted from `started`."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        """Called by CP-SAT on every solution; only the first one's time is kept."""
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
    candidates = candidates_for(problem, slot_starts)
    # The greedy schedule is a valid start: CP-SAT improves on it instead of searching
    # from nothing, which at company size it would not finish in time.
    hint = construct(problem, candidates) if warm_start else {}
    constructed_at = clock.perf_counter() - started
    lp_bound = relaxation_bound(problem, candidates, slot_starts)
    room_index = {room.id: m for m, room in enumerate(problem.rooms)}
    explain_rooms = [list(cand.rooms) for cand in candidates]
    for run, cand in zip(problem.runs, candidates, strict=True):
        keep = {
            room_index[chosen[1]]
            for chosen in (hint.get(run.run_id), run.current)
            if chosen and chosen[1] in room_index
        }
        cand.rooms = best_fitting(problem, run, cand.rooms, keep)
    is_trimmed = any(
        len(cand.rooms) < len(rooms) for cand, rooms in zip(candidates, explain_rooms, strict=True)
    )
    built = build_model(problem, candidates, hint, slot_starts, room_index)
    model = built.model

    if hint:
        complete_hint(model, deadline - reserve)
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
    result.bound = lp_bound
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.objective = solver.objective_value
        if not is_trimmed:
            # CP-SAT's bound is of the model it was given; only then of the whole problem.
            result.bound = max(lp_bound, solver.best_objective_bound)
        values = list(solver.response_proto.solution)
        if status == cp_model.FEASIBLE:
            values, result.objective, _ = improve(
                problem,
                built,
                values,
                result.objective,
                budget=deterministic_limit - solver.response_proto.deterministic_time,
                deadline=deadline - reserve,
                # Where CP-SAT itself would stop: within 1% of the bound.
                stop_at=result.bound / (1 - solver.parameters.relative_gap_limit),
            )
        result.placements = placements_from(problem, built, values)
    elif status == cp_model.UNKNOWN and hint:
        # The budget ran out before CP-SAT took up its start: the construction is
        # still a valid schedule, and better than none.
        result.status = CONSTRUCTED
        result.placements = dict(hint)
        callback.first = constructed_at
    for cand, rooms in zip(candidates, explain_rooms, strict=True):
        cand.rooms = rooms
    verify_and_explain(problem, candidates, result)
    result.moved = [
        run.run_id
        for run in problem.runs
        if run.current is not None and result.placements.get(run.run_id) != run.current
    ]
    result.seconds = clock.perf_counter() - started
    result.first_solution_seconds = callback.first
    result.shortages = shortages(problem, result, candidates=candidates) if result.unplaced else []
    return result
