"""The automatic scheduler: CP-SAT over the same rules the board checks.

Pure: a `SchedulingProblem` of plain facts in, a `SchedulingResult` out. Candidates
come from `conflicts.problems_for` itself, so the solver and the board cannot
disagree on what a valid start or room is (`candidates`). A greedy construction
(`construct`) is CP-SAT's warm start; the model and the neighbourhood search that
improves its solution are in `model`, the LP lower bound in `bound`, and why runs
are left unplaced in `explain`. `search.solve` ties them together.
"""

from learningweek.schedule.solver.construct import construct, greedy
from learningweek.schedule.solver.explain import explain, shortages
from learningweek.schedule.solver.objective import objective_of
from learningweek.schedule.solver.problem import (
    CONSTRUCTED,
    RunToPlace,
    SchedulingProblem,
    SchedulingResult,
)
from learningweek.schedule.solver.search import solve

__all__ = [
    "CONSTRUCTED",
    "RunToPlace",
    "SchedulingProblem",
    "SchedulingResult",
    "construct",
    "explain",
    "greedy",
    "objective_of",
    "shortages",
    "solve",
]
