"""The automatic scheduler on small fixtures, judged by the independent checker."""

from dataclasses import replace
from datetime import UTC, date, datetime, time
from time import perf_counter
from zoneinfo import ZoneInfo

from bench.checker import violations
from learningweek.core.enums import RoomKind, SessionFormat
from learningweek.schedule.conflicts import (
    BoardState,
    Grid,
    Placement,
    RoomFacts,
    SessionFacts,
    Settings,
    problems_for,
)
from learningweek.schedule.solver import (
    RunToPlace,
    SchedulingProblem,
    explain,
    greedy,
    objective_of,
    solve,
)
from learningweek.schedule.solver.candidates import candidates_for
from learningweek.schedule.solver.explain import unplaced_reason
from learningweek.schedule.solver.model import (
    build_model,
    complete_hint,
    improve,
    placements_from,
)

ZONE = ZoneInfo("Europe/Stockholm")
GRID = Grid(
    zone=ZONE,
    days=frozenset({date(2027, 3, 8), date(2027, 3, 9)}),
    day_starts_at=time(9),
    day_ends_at=time(13),
    slot_minutes=60,
)
BIG = RoomFacts(1, "Auditorium", RoomKind.PHYSICAL, 100, frozenset({"video", "projector"}))
SMALL = RoomFacts(2, "Fika", RoomKind.PHYSICAL, 10, frozenset())
ONLINE = RoomFacts(3, "Online 1", RoomKind.ONLINE, 300, frozenset({"video"}))


def session(number: int, **changes) -> SessionFacts:
    values = {
        "id": number,
        "title": f"S{number}",
        "format": SessionFormat.IN_PERSON,
        "duration_minutes": 60,
        "max_participants": 30,
        "equipment": frozenset(),
        "unavailable_half_days": frozenset(),
        "teachers": ((number, f"Teacher {number}"),),
        "expected_demand": 5,
    }
    return SessionFacts(**(values | changes))


def problem(*sessions: SessionFacts, rooms=(BIG, SMALL, ONLINE), **changes) -> SchedulingProblem:
    runs = tuple(RunToPlace(run_id=s.id, session=s, topic_ids=(1,)) for s in sessions)
    return SchedulingProblem(grid=GRID, rooms=rooms, runs=runs, settings=Settings(), **changes)


def at(hour: int, day: int = 8) -> datetime:
    return datetime(2027, 3, day, hour, tzinfo=ZONE).astimezone(UTC)


def test_places_everything_when_a_feasible_schedule_exists():
    fixture = problem(
        session(1, expected_demand=80),
        session(2, format=SessionFormat.ONLINE),
        session(3, format=SessionFormat.HYBRID),
        session(4, duration_minutes=180),
        session(5, teachers=((1, "Teacher 1"),)),  # shares a teacher with session 1
        session(6, unavailable_half_days=frozenset({"2027-03-08 am"})),
    )

    result = solve(fixture, time_limit=10)

    assert result.unplaced == {}
    assert len(result.placements) == 6
    assert violations(fixture, result.placements) == []
    assert result.objective is not None
    assert result.bound <= result.objective


def test_popular_sessions_get_the_big_room():
    fixture = problem(
        session(1, expected_demand=80), session(2, expected_demand=8), rooms=(BIG, SMALL)
    )

    result = solve(fixture, time_limit=10)

    assert result.placements[1][1] == BIG.id


def test_runs_that_cannot_fit_are_explained_and_the_short_resource_named():
    online = [
        session(n, format=SessionFormat.ONLINE, teachers=((n, f"T{n}"),)) for n in range(1, 11)
    ]
    fixture = problem(*online, rooms=(BIG, ONLINE))  # one online room, 8 online hours

    result = solve(fixture, time_limit=10)

    assert len(result.placements) == 8
    assert len(result.unplaced) == 2
    assert all("No online room is free" in reason for reason in result.unplaced.values())
    assert "online rooms: 10 hours of sessions need one, only 8 room-hours exist" in (
        result.shortages
    )
    assert violations(fixture, result.placements) == []


def test_missing_equipment_is_named():
    fixture = problem(session(1, equipment=frozenset({"laptops"})))

    result = solve(fixture, time_limit=5)

    assert result.unplaced == {1: "No physical room with laptops for attendees exists for “S1”."}


def test_a_teacher_with_no_time_left_is_named():
    busy = [session(n, teachers=((9, "Ana Ruiz"),), duration_minutes=240) for n in (1, 2, 3)]

    result = solve(problem(*busy), time_limit=5)

    assert len(result.unplaced) == 1
    assert "Ana Ruiz already teach at every time they are available" in next(
        iter(result.unplaced.values())
    )


def test_fixed_runs_keep_their_place_and_block_others():
    pinned = Placement(99, session(99, teachers=((1, "Teacher 1"),)), at(9), BIG)
    fixture = problem(session(1), rooms=(BIG,), fixed=(pinned,))

    result = solve(fixture, time_limit=5)

    assert result.placements[1][0] != at(9)  # its teacher and the room are taken then
    assert violations(fixture, result.placements) == []


def test_after_publishing_placed_runs_stay_unless_moving_is_needed():
    first, second = session(1), session(2)
    fixture = problem(first, second, rooms=(BIG, SMALL), published=True)
    current = {1: (at(10), SMALL.id), 2: (at(11), BIG.id)}
    fixture = replace(
        fixture,
        runs=tuple(replace(run, current=current[run.run_id]) for run in fixture.runs)
        + (RunToPlace(3, session(3), (1,)),),
    )

    result = solve(fixture, time_limit=10)

    assert result.moved == []
    assert result.placements[1] == current[1]
    assert result.placements[2] == current[2]
    assert 3 in result.placements


def test_the_same_input_gives_the_same_schedule():
    sessions = [session(n, expected_demand=n * 7 % 60) for n in range(1, 9)]

    first = solve(problem(*sessions), time_limit=10, deterministic_limit=5)
    second = solve(problem(*sessions), time_limit=10, deterministic_limit=5)

    assert first.placements == second.placements


def test_the_greedy_baseline_never_breaks_a_hard_rule():
    sessions = [session(n, teachers=((n % 3, f"T{n % 3}"),)) for n in range(1, 12)]
    fixture = problem(*sessions)

    result = greedy(fixture)

    assert violations(fixture, result.placements) == []
    assert len(result.placements) + len(result.unplaced) == 11


def test_the_model_objective_matches_a_direct_computation():
    sessions = [session(n, expected_demand=n * 9 % 70) for n in range(1, 9)]
    fixture = problem(*sessions)

    result = solve(fixture, time_limit=10)

    assert result.objective == objective_of(fixture, result.placements)
    assert greedy(fixture).objective >= result.objective


def test_an_impossible_current_place_does_not_spoil_the_start():
    # The run sits where its teacher is already busy with a fixed run.
    pinned = Placement(99, session(99, teachers=((1, "Teacher 1"),)), at(9), SMALL)
    stuck = RunToPlace(1, session(1), (1,), current=(at(9), BIG.id))
    fixture = replace(problem(session(2), session(3)), fixed=(pinned,))
    fixture = replace(fixture, runs=(*fixture.runs, stuck))

    result = solve(fixture, time_limit=10)

    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert set(result.placements) == {1, 2, 3}
    assert violations(fixture, result.placements) == []


def test_published_runs_are_never_dropped_for_new_ones():
    one_day = replace(GRID, days=frozenset({date(2027, 3, 8)}))
    big = RunToPlace(1, session(1, duration_minutes=180), (1,), current=(at(9), BIG.id))
    newcomers = tuple(RunToPlace(n, session(n), (1,)) for n in (2, 3, 4))
    fixture = SchedulingProblem(
        grid=one_day, rooms=(BIG,), runs=(big, *newcomers), settings=Settings(), published=True
    )

    result = solve(fixture, time_limit=10)

    assert result.placements[1] == (at(9), BIG.id)
    assert len(result.unplaced) == 2
    assert violations(fixture, result.placements) == []


def test_an_off_grid_fixed_run_blocks_only_the_time_it_takes():
    off_grid = Placement(99, session(99), at(9).replace(minute=30), BIG)
    fixture = replace(problem(session(1), rooms=(BIG,)), fixed=(off_grid,))

    result = solve(fixture, time_limit=5)

    assert 1 in result.placements
    assert result.placements[1][0] not in (at(9), at(10))
    assert violations(fixture, result.placements) == []


def test_a_placed_run_in_a_room_no_longer_offered_does_not_crash():
    moved_out = RunToPlace(1, session(1), (1,), current=(at(9), 999))

    result = solve(replace(problem(), runs=(moved_out,)), time_limit=5)

    assert 1 in result.placements


def test_no_rooms_at_all_is_said_plainly():
    result = solve(problem(session(1), rooms=()), time_limit=5)

    assert result.unplaced == {1: "There are no rooms available for scheduling."}


def _explain_by_rules(fixture: SchedulingProblem, placements: dict) -> dict[int, str]:
    """The slow way: ask the board's rules about every start and room of every left-over run."""
    rooms = {room.id: room for room in fixture.rooms}
    runs = {run.run_id: run for run in fixture.runs}
    placed = [
        Placement(r, runs[r].session, start, rooms[m]) for r, (start, m) in placements.items()
    ]
    state = BoardState.of(fixture.grid, [*fixture.fixed, *placed])
    slot_starts = fixture.grid.slot_starts()
    reasons = {}
    for run, cand in zip(fixture.runs, candidates_for(fixture, slot_starts), strict=True):
        if run.run_id in placements:
            continue
        teacher_free, both_free = [], []
        for i in cand.starts:
            broken = [
                {
                    p.rule
                    for p in problems_for(
                        Placement(run.run_id, run.session, slot_starts[i], fixture.rooms[m]),
                        state,
                        fixture.settings,
                    )
                    if p.is_hard
                }
                for m in cand.rooms
            ]
            if not any(rules & {"teacher_busy", "same_session"} for rules in broken):
                teacher_free.append(slot_starts[i])
                if any("room_busy" not in rules for rules in broken):
                    both_free.append(slot_starts[i])
        reasons[run.run_id] = unplaced_reason(fixture, run.session, cand, teacher_free, both_free)
    return reasons


def test_fast_explanations_agree_with_the_board_rules_for_every_kind_of_reason():
    ana = ((50, "Ana Ruiz"),)
    online = {"format": SessionFormat.ONLINE}
    not_tuesday = {"unavailable_half_days": frozenset({"2027-03-09 am", "2027-03-09 pm"})}
    placed = [
        RunToPlace(11, session(11, teachers=ana, duration_minutes=240), (1,)),
        RunToPlace(12, session(12, duration_minutes=240, **online), (1,)),
        RunToPlace(13, session(13, duration_minutes=240, **online), (1,)),
        RunToPlace(14, session(14, **not_tuesday), (1,)),
    ]
    left_over = [
        RunToPlace(1, session(1, duration_minutes=300), (1,)),  # longer than a day
        RunToPlace(2, session(2, equipment=frozenset({"laptops"})), (1,)),  # no such room
        RunToPlace(3, session(3, teachers=ana), (1,)),  # Ana teaches all week
        RunToPlace(4, session(4, **online, **not_tuesday), (1,)),  # the online room is full
        RunToPlace(5, session(5, **not_tuesday), (1,)),  # a room is free: only time ran out
        RunToPlace(15, session(14, **not_tuesday), (1,)),  # its sibling holds Monday 9:00
    ]
    pinned = Placement(99, session(99, teachers=ana, duration_minutes=240), at(9, day=9), SMALL)
    fixture = replace(problem(), runs=(*placed, *left_over), fixed=(pinned,))
    placements = {
        11: (at(9), BIG.id),
        12: (at(9), ONLINE.id),
        13: (at(9, day=9), ONLINE.id),
        14: (at(9), SMALL.id),
    }

    reasons = explain(fixture, placements)

    assert reasons == _explain_by_rules(fixture, placements)
    assert reasons == {
        1: "“S1” (300 minutes) fits no start in a day within the teachers' stated availability.",
        2: "No physical room with laptops for attendees exists for “S2”.",
        3: "Ana Ruiz already teach at every time they are available for “S3”.",
        4: "No online room is free on Mon 8 Mar 2027 morning or Mon 8 Mar 2027 afternoon "
        "while Teacher 4 can teach.",
        5: "“S5” could go on Mon 8 Mar 2027 morning or Mon 8 Mar 2027 afternoon, but the "
        "solver ran out of time before placing it; run the scheduler again with more time.",
        15: "“S14” could go on Mon 8 Mar 2027 morning or Mon 8 Mar 2027 afternoon, but the "
        "solver ran out of time before placing it; run the scheduler again with more time.",
    }


def test_with_no_time_left_for_cp_sat_the_construction_is_the_answer():
    fixture = problem(*[session(n) for n in range(1, 8)])

    result = solve(fixture, time_limit=0)

    assert result.status == "CONSTRUCTED"
    assert result.has_schedule
    assert len(result.placements) == 7
    assert violations(fixture, result.placements) == []


def test_preferred_half_days_decide_between_otherwise_equal_starts():
    tuesday_morning = frozenset({"2027-03-09 am"})
    fixture = problem(session(1, preferred_half_days=tuesday_morning), rooms=(BIG,))

    result = solve(fixture, time_limit=5)

    assert result.placements[1][0] in (at(9, day=9), at(10, day=9), at(11, day=9))
    assert result.objective == objective_of(fixture, result.placements) == 0
    assert objective_of(fixture, {1: (at(9), BIG.id)}) > 0  # Monday would cost something


def _greedy_start(fixture: SchedulingProblem):
    """The model of `fixture` with the greedy baseline's schedule as a complete solution."""
    slot_starts = fixture.grid.slot_starts()
    candidates = candidates_for(fixture, slot_starts)
    start = greedy(fixture, candidates=candidates).placements
    room_index = {room.id: m for m, room in enumerate(fixture.rooms)}
    built = build_model(fixture, candidates, start, slot_starts, room_index)
    complete_hint(built.model, deadline=perf_counter() + 10)
    hinted = built.model.proto.solution_hint
    hint = dict(zip(hinted.vars, hinted.values, strict=True))
    values = [hint[index] for index in range(len(built.model.proto.variables))]
    return built, values, objective_of(fixture, start)


def _crowded() -> SchedulingProblem:
    # Four topics, so a neighbourhood of two is part of the problem; the greedy
    # baseline takes the first free starts, so runs of one topic clash.
    sessions = [
        session(n, expected_demand=5 + 7 * n, duration_minutes=60 * (1 + n % 2))
        for n in range(1, 11)
    ]
    fixture = problem(*sessions)
    return replace(
        fixture, runs=tuple(replace(run, topic_ids=(run.run_id % 4,)) for run in fixture.runs)
    )


def test_the_neighbourhood_search_never_worsens_and_keeps_every_hard_rule():
    fixture = _crowded()
    built, values, start_cost = _greedy_start(fixture)

    values, cost, used = improve(
        fixture, built, values, start_cost, budget=0.5, deadline=perf_counter() + 30
    )

    placements = placements_from(fixture, built, values)
    assert cost < start_cost  # the greedy baseline clashes: there is something to gain
    assert cost == objective_of(fixture, placements)
    assert len(placements) == len(fixture.runs)
    assert violations(fixture, placements) == []
    assert 0 < used <= 0.5


def test_the_neighbourhood_search_gives_the_same_schedule_for_the_same_input():
    first_built, first_values, cost = _greedy_start(_crowded())
    second_built, second_values, _ = _greedy_start(_crowded())

    first = improve(_crowded(), first_built, first_values, cost, budget=1.0, deadline=1e12)
    second = improve(_crowded(), second_built, second_values, cost, budget=1.0, deadline=1e12)

    assert first == second
