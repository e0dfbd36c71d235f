"""Benchmark the automatic scheduler on company-sized instances against the targets.

    .venv/bin/python -m bench.scheduler [--seconds 60] [--instance company|tight|overfull|all]

For each instance it prints, for the greedy baseline and for the CP-SAT scheduler (once
with a 5 s budget for the whole call, once with the full time): time to the first
valid schedule, final time, runs placed, hard violations recomputed by the independent
checker, the objective and proven bound with the gap, the demand-weighted seat
shortfall, interest clashes (same-topic runs at once), the reasons for runs left over
and the short resources, and peak memory.
"""

from __future__ import annotations

import argparse
import resource
from collections import Counter
from datetime import timedelta

from bench.checker import violations
from bench.generate import company, overfull, tight, utilisation
from learningweek.schedule.solver import SchedulingProblem, SchedulingResult, greedy, solve
from learningweek.schedule.solver.candidates import seats_wanted


def seat_shortfall(problem: SchedulingProblem, result: SchedulingResult) -> int:
    """Expected people without a seat, over every placed run."""
    rooms = {room.id: room for room in problem.rooms}
    runs = {run.run_id: run for run in problem.runs}
    return sum(
        max(0, seats_wanted(runs[r].session) - rooms[m].capacity)
        for r, (_, m) in result.placements.items()
    )


def topic_clashes(problem: SchedulingProblem, result: SchedulingResult) -> int:
    """Pairs of runs of one topic that overlap in time (a proxy for co-interest clashes)."""
    slot = timedelta(minutes=problem.grid.slot_minutes)
    runs = {run.run_id: run for run in problem.runs}
    per_period: Counter = Counter()
    for run_id, (start, _) in result.placements.items():
        run = runs[run_id]
        steps = -(-run.session.duration_minutes // problem.grid.slot_minutes)
        for step in range(steps):
            for topic in run.topic_ids:
                per_period[(topic, start + step * slot)] += 1
    return sum(count * (count - 1) // 2 for count in per_period.values())


def report(name: str, problem: SchedulingProblem, result: SchedulingResult) -> None:
    """Print one line on a result's speed and quality, then its reasons and shortages."""
    gap = f"{result.gap:.1%}" if result.gap is not None else "—"
    objective = f"{result.objective:,.0f}" if result.objective is not None else "—"
    bound = f"{result.bound:,.0f}" if result.bound is not None else "—"
    first = (
        f"{result.first_solution_seconds:.1f}s"
        if result.first_solution_seconds is not None
        else "—"
    )
    print(
        f"  {name:<8} first valid {first:>6}  final {result.seconds:5.1f}s  "
        f"placed {len(result.placements)}/{len(problem.runs)}  "
        f"violations {len(violations(problem, result.placements))}  "
        f"objective {objective} bound {bound} gap {gap}  "
        f"seat shortfall {seat_shortfall(problem, result):,}  "
        f"topic clashes {topic_clashes(problem, result):,}"
    )
    if result.unplaced:
        explained = sum(1 for reason in result.unplaced.values() if reason)
        print(f"           {explained} of {len(result.unplaced)} unplaced runs have a reason, e.g.")
        kinds = {}  # one example per kind of reason, told apart by its opening words
        for reason in result.unplaced.values():
            kinds.setdefault(" ".join(reason.split()[:3]), reason)
        for reason in list(kinds.values())[:4]:
            print(f"             {reason}")
    for line in result.shortages:
        print(f"           short: {line}")


def main() -> None:
    """Run the baseline and the scheduler on the chosen instances."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--instance", choices=["company", "tight", "overfull", "all"], default="all"
    )
    arguments = parser.parse_args()
    instances = {"company": company, "tight": tight, "overfull": overfull}
    names = list(instances) if arguments.instance == "all" else [arguments.instance]
    for name in names:
        problem = instances[name]()
        print(
            f"{name}: {len(problem.runs)} runs of {len({r.session.id for r in problem.runs})} "
            f"sessions, {len(problem.rooms)} rooms, {utilisation(problem):.0%} of room-hours"
        )
        report("greedy", problem, greedy(problem))
        # The budget an organizer waits for: the whole call, model building included.
        report("cp-sat 5s", problem, solve(problem, time_limit=5))
        report(
            "cp-sat",
            problem,
            solve(
                problem,
                time_limit=arguments.seconds * 1.5,
                deterministic_limit=arguments.seconds / 2,
            ),
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
