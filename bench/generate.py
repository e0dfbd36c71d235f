"""Company-sized scheduling instances, built in memory as plain facts.

`company(seed)`: 600 sessions (some with 2 runs), 40 rooms of which 10 online,
5 days of 8 hourly slots, runs of 1–3 hours, 20,000 people's interest marks,
teacher availability and preferred half-days, and equipment needs. `tight(seed)`:
the same, with runs filling about 83% of the room-hours. `overfull(seed)`: more
run-hours than rooms offer.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, time
from zoneinfo import ZoneInfo

from learningweek.core.enums import RoomKind, SessionFormat
from learningweek.proposals.half_days import AFTERNOON, MORNING, HalfDay
from learningweek.schedule.conflicts import Grid, RoomFacts, SessionFacts, Settings
from learningweek.schedule.solver import RunToPlace, SchedulingProblem

GRID = Grid(
    zone=ZoneInfo("Europe/Stockholm"),
    days=frozenset(date(2027, 3, 8 + i) for i in range(5)),
    day_starts_at=time(9, 0),
    day_ends_at=time(17, 0),
    slot_minutes=60,
)
TOPICS = 20
PEOPLE = 20_000
STARS_PER_PERSON = (1, 8)
PREFERENCE_SHARE = 0.3  # sessions whose teachers name up to 3 preferred half-days


def rooms(rng: random.Random) -> tuple[RoomFacts, ...]:
    physical = []
    capacities = [12] * 8 + [20] * 8 + [30] * 6 + [50] * 5 + [100] * 2 + [250]
    for index, capacity in enumerate(capacities):
        equipment = {"projector", "whiteboard"}
        if index % 3 == 0:
            equipment.add("video")
        if index % 5 == 0:
            equipment.add("laptops")
        physical.append(
            RoomFacts(
                index + 1, f"Room {index + 1}", RoomKind.PHYSICAL, capacity, frozenset(equipment)
            )
        )
    online = [
        RoomFacts(100 + i, f"Online {i + 1}", RoomKind.ONLINE, 300, frozenset({"video"}))
        for i in range(10)
    ]
    return tuple(physical + online)


def _interest(rng: random.Random, sessions: int) -> Counter:
    # Popularity is skewed: a few sessions draw crowds, most draw a room-full.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(sessions)]
    counts: Counter = Counter()
    for _ in range(PEOPLE):
        for choice in set(
            rng.choices(range(sessions), weights=weights, k=rng.randint(*STARS_PER_PERSON))
        ):
            counts[choice] += 1
    return counts


def instance(
    seed: int, *, sessions: int, two_run_share: float, hours: tuple[float, float, float]
) -> SchedulingProblem:
    rng = random.Random(seed)
    # Preferences draw from their own stream, so adding them left the rest unchanged.
    preference_rng = random.Random(f"{seed} preferences")
    room_list = rooms(rng)
    stars = _interest(rng, sessions)
    days = sorted(GRID.days)
    runs = []
    teacher_count = int(sessions * 0.85)
    for index in range(sessions):
        session_format = rng.choices(
            [SessionFormat.IN_PERSON, SessionFormat.ONLINE, SessionFormat.HYBRID], [0.6, 0.28, 0.12]
        )[0]
        duration = 60 * rng.choices([1, 2, 3], hours)[0]
        equipment = set()
        if session_format != SessionFormat.ONLINE and rng.random() < 0.1:
            equipment.add("laptops")
        unavailable = set()
        for day in days:
            for half in (MORNING, AFTERNOON):
                if rng.random() < 0.15:
                    unavailable.add(HalfDay(day, half).key)
        lead = rng.randrange(teacher_count)
        teachers = [(lead, f"Teacher {lead}")]
        if rng.random() < 0.2:
            co = rng.randrange(teacher_count)
            if co != lead:
                teachers.append((co, f"Teacher {co}"))
        available = [
            HalfDay(day, half).key
            for day in days
            for half in (MORNING, AFTERNOON)
            if HalfDay(day, half).key not in unavailable
        ]
        preferred = set()
        if preference_rng.random() < PREFERENCE_SHARE:
            preferred = set(preference_rng.sample(available, min(len(available), 3)))
        facts = SessionFacts(
            id=index + 1,
            title=f"Session {index + 1}",
            format=session_format,
            duration_minutes=duration,
            max_participants=rng.choice([12, 20, 30, 50, 100]),
            equipment=frozenset(equipment),
            unavailable_half_days=frozenset(unavailable),
            teachers=tuple(teachers),
            expected_demand=round(stars[index] * Settings().show_up_factor),
            preferred_half_days=frozenset(preferred),
        )
        count = 2 if rng.random() < two_run_share else 1
        for _ in range(count):
            runs.append(
                RunToPlace(run_id=len(runs) + 1, session=facts, topic_ids=(index % TOPICS,))
            )
    return SchedulingProblem(grid=GRID, rooms=room_list, runs=tuple(runs))


def company(seed: int = 1) -> SchedulingProblem:
    """The size the product is designed for."""
    return instance(seed, sessions=600, two_run_share=0.15, hours=(0.55, 0.3, 0.15))


def tight(seed: int = 2) -> SchedulingProblem:
    """Runs fill about 83% of the room-hours."""
    return instance(seed, sessions=600, two_run_share=0.3, hours=(0.45, 0.33, 0.22))


def overfull(seed: int = 3) -> SchedulingProblem:
    """More run-hours than the rooms offer: no complete schedule exists."""
    return instance(seed, sessions=700, two_run_share=0.45, hours=(0.35, 0.35, 0.3))


def utilisation(problem: SchedulingProblem) -> float:
    asked = sum(run.session.duration_minutes for run in problem.runs) / 60
    offered = len(problem.rooms) * len(problem.grid.slot_starts()) * problem.grid.slot_minutes / 60
    return asked / offered
