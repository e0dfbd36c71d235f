"""What a schedule costs: the objective's weights, and its value for any schedule.

In order of weight: place as many runs as possible; after publishing, move as few
placed runs as possible; seat the expected attendance; keep sessions of one topic
apart in time and spread over the days; honour the teachers' preferred half-days.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime

from learningweek.schedule.solver.candidates import candidates_for, seats_wanted
from learningweek.schedule.solver.problem import SchedulingProblem

PLACE_WEIGHT = 1_000_000  # one more placed run outweighs everything else
MOVE_WEIGHT_PUBLISHED = 10_000  # people rely on a published time and place
MOVE_WEIGHT_DRAFT = 1  # before publishing, a tie-breaker for stability
SEAT_WEIGHT = 10  # per expected person without a seat
TOPIC_CLASH_WEIGHT = 30  # per extra session of one topic in one period
TOPIC_SPREAD_WEIGHT = 5  # per session of a topic above its fair share of a day
# Per run outside its teachers' preferred half-days: the last of the aims, so it only
# chooses between places that are otherwise as good (above the draft move tie-breaker).
PREFERENCE_WEIGHT = 2


def move_weight(problem: SchedulingProblem) -> int:
    """The cost of moving a placed run, or of leaving it out."""
    return MOVE_WEIGHT_PUBLISHED if problem.published else MOVE_WEIGHT_DRAFT


def topic_sizes(problem: SchedulingProblem) -> dict[int, int]:
    """How many of the runs to place belong to each topic."""
    members: dict[int, int] = defaultdict(int)
    for run in problem.runs:
        for topic in run.topic_ids:
            members[topic] += 1
    return dict(members)


def fair_share(runs: int, days: int) -> int:
    """How many runs of one topic a day holds before the spread term counts the rest."""
    return math.ceil(runs / max(1, days))


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
        for run, cand in zip(problem.runs, candidates_for(problem, slot_starts), strict=True)
    }
    cost = 0.0
    active: dict[tuple[int, int], int] = defaultdict(int)
    per_day: dict[tuple[int, object], int] = defaultdict(int)
    members = topic_sizes(problem)
    for run in problem.runs:
        chosen = placements.get(run.run_id)
        cand = candidates[run.run_id]
        if chosen is None:
            cost += PLACE_WEIGHT if cand.starts and cand.rooms else 0
            if run.current is not None:
                cost += move_weight(problem)
            continue
        start, room_id = chosen
        cost += SEAT_WEIGHT * max(0, seats_wanted(run.session) - rooms[room_id].capacity)
        if run.current is not None and chosen != run.current:
            cost += move_weight(problem)
        first = index_of[start]
        cost += PREFERENCE_WEIGHT * (first in cand.off_preference)
        for topic in run.topic_ids:
            per_day[(topic, day_of_slot[first])] += 1
            for p in range(first, min(first + cand.length, len(slot_starts))):
                active[(topic, p)] += 1
    cost += TOPIC_CLASH_WEIGHT * sum(max(0, n - 1) for n in active.values())
    for (topic, _), n in per_day.items():
        if members[topic] >= 2:
            cost += TOPIC_SPREAD_WEIGHT * max(0, n - fair_share(members[topic], days))
    return cost
