"""Each scheduling rule, with the reason it gives, as pure functions."""

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from learningweek.core.enums import RoomKind, SessionFormat
from learningweek.schedule.conflicts import (
    BoardState,
    Grid,
    Placement,
    RoomFacts,
    SessionFacts,
    Settings,
    Severity,
    board_problems,
    problems_for,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
GRID = Grid(
    zone=STOCKHOLM,
    days=frozenset({date(2027, 3, 8), date(2027, 3, 9)}),
    day_starts_at=time(9, 0),
    day_ends_at=time(17, 0),
    slot_minutes=30,
)
SETTINGS = Settings(show_up_factor=1.0, clash_threshold=3)
ORION = RoomFacts(1, "Orion", RoomKind.PHYSICAL, 40, frozenset({"projector", "video"}))
FIKA = RoomFacts(2, "Fika Room", RoomKind.PHYSICAL, 12, frozenset({"whiteboard"}))
ONLINE = RoomFacts(3, "Online 1", RoomKind.ONLINE, 300, frozenset({"video"}))
GIT = SessionFacts(
    id=10,
    title="Git beyond commit",
    format=SessionFormat.IN_PERSON,
    duration_minutes=60,
    max_participants=30,
    equipment=frozenset(),
    unavailable_half_days=frozenset(),
    teachers=((100, "Ana Ruiz"),),
)
SQL = replace(GIT, id=11, title="SQL windows", teachers=((101, "Mei Chen"),))


def at(hour: int, minute: int = 0, day: int = 8) -> datetime:
    """A wall-clock time in Stockholm on the 8th or 9th of March 2027, as UTC."""
    return datetime(2027, 3, day, hour, minute, tzinfo=STOCKHOLM).astimezone(UTC)


def place(session=GIT, start=None, room=ORION, run_id=1) -> Placement:
    return Placement(run_id, session, start or at(10), room)


def check(candidate: Placement, *others: Placement, co_interest=None) -> list[tuple[str, str]]:
    state = BoardState.of(GRID, others, co_interest)
    return [(p.rule, p.message) for p in problems_for(candidate, state, SETTINGS)]


def test_a_free_slot_in_a_fitting_room_has_no_problems():
    assert check(place(), place(SQL, at(11), run_id=2)) == []


def test_room_busy_names_the_other_session_and_time():
    assert check(place(), place(SQL, at(10, 30), run_id=2)) == [
        ("room_busy", "Orion is taken by “SQL windows” (Mon 10:30–11:30).")
    ]


def test_back_to_back_runs_do_not_clash():
    assert check(place(start=at(10)), place(SQL, at(11), run_id=2)) == []


def test_two_runs_of_one_session_never_overlap():
    other_run = place(start=at(10, 30), room=FIKA, run_id=2)

    assert check(place(), other_run) == [
        ("same_session", "Another run of “Git beyond commit” is at that time (Mon 10:30–11:30).")
    ]


def test_two_runs_of_one_session_on_one_day_is_a_warning():
    other_run = place(start=at(14), room=FIKA, run_id=2)

    problems = problems_for(place(), BoardState.of(GRID, [other_run]), SETTINGS)

    assert [(p.severity, p.rule) for p in problems] == [(Severity.WARNING, "same_session_day")]
    assert "different days reach more people" in problems[0].message


@pytest.mark.parametrize("teacher", [(100, "Ana Ruiz"), (555, "Jonas Berg")], ids=["lead", "co"])
def test_a_teacher_cannot_teach_twice_at_once(teacher):
    git = replace(GIT, teachers=((100, "Ana Ruiz"), (555, "Jonas Berg")))
    sql = replace(SQL, teachers=(teacher,))

    assert check(place(git), place(sql, at(10, 30), FIKA, run_id=2)) == [
        (
            "teacher_busy",
            f"{teacher[1]} teaches “SQL windows” at that time (Mon 10:30–11:30).",
        )
    ]


def test_the_teachers_availability_is_respected():
    unavailable = replace(
        GIT,
        unavailable_half_days=frozenset({"2027-03-08 pm"}),
        teachers=((100, "Ana Ruiz"), (101, "Mei Chen")),
    )

    assert check(place(unavailable, at(11, 30))) == [
        (
            "availability",
            "Ana Ruiz and Mei Chen are not available on Mon 8 Mar 2027 afternoon "
            "(the session's stated availability).",
        )
    ]
    assert check(place(unavailable, at(10))) == []


@pytest.mark.parametrize(
    ("session_format", "room", "message"),
    [
        (
            SessionFormat.ONLINE,
            ORION,
            "“Git beyond commit” is online, so it needs an online room; Orion is a physical room.",
        ),
        (
            SessionFormat.IN_PERSON,
            ONLINE,
            "“Git beyond commit” is in person, so it needs a physical room; Online 1 is an online "
            "room.",
        ),
        (
            SessionFormat.HYBRID,
            FIKA,
            "“Git beyond commit” is hybrid, so it needs a physical room with video conferencing; "
            "Fika Room is not one.",
        ),
        (
            SessionFormat.HYBRID,
            ONLINE,
            "“Git beyond commit” is hybrid, so it needs a physical room with video conferencing; "
            "Online 1 is not one.",
        ),
    ],
    ids=["online-in-physical", "in-person-online", "hybrid-without-video", "hybrid-online"],
)
def test_the_format_fits_the_room(session_format, room, message):
    session = replace(GIT, format=session_format, max_participants=10)

    assert check(place(session, room=room)) == [("format", message)]


def test_hybrid_fits_a_physical_room_with_video():
    assert check(place(replace(GIT, format=SessionFormat.HYBRID), room=ORION)) == []


def test_the_room_has_the_equipment_needed():
    needy = replace(
        GIT, equipment=frozenset({"laptops", "projector", "whiteboard"}), max_participants=10
    )

    assert check(place(needy, room=FIKA)) == [
        ("equipment", "Fika Room has no laptops for attendees, projector, which it needs.")
    ]


@pytest.mark.parametrize(
    ("start", "rule", "message"),
    [
        (
            at(16, 30),
            "day_end",
            "“Git beyond commit” (60 minutes) would end at 17:30, after the day ends at 17:00.",
        ),
        (
            at(10, 10),
            "grid",
            "10:10 is not a start time of the 30-minute grid that begins at 09:00.",
        ),
        (
            at(8, 30),
            "grid",
            "08:30 is not a start time of the 30-minute grid that begins at 09:00.",
        ),
        (at(10, day=10), "day", "Wed 10 Mar 2027 is not a day of this edition."),
    ],
    ids=["past-day-end", "off-grid", "before-day-start", "not-an-edition-day"],
)
def test_the_run_fits_the_days_grid(start, rule, message):
    assert check(place(start=start)) == [(rule, message)]


def test_an_inactive_room_is_not_offered():
    closed = replace(ORION, is_active=False)

    assert check(place(room=closed)) == [
        ("room_inactive", "Orion is not available for scheduling.")
    ]


def test_a_room_smaller_than_expected_demand_is_a_warning():
    popular = replace(GIT, expected_demand=25, max_participants=30)

    problems = problems_for(place(popular, room=FIKA), BoardState.of(GRID, []), SETTINGS)

    assert [(p.severity, p.message) for p in problems] == [
        (
            Severity.WARNING,
            "Fika Room holds 12, but about 25 people are expected for “Git beyond commit”.",
        )
    ]


def test_demand_above_the_teachers_maximum_asks_only_for_the_maximum():
    capped = replace(GIT, expected_demand=200, max_participants=40)

    assert check(place(capped, room=ORION)) == []


def test_sessions_the_same_people_want_clash_as_a_warning():
    co_interest = {GIT.id: {SQL.id: 7}, SQL.id: {GIT.id: 7}}

    problems = problems_for(
        place(), BoardState.of(GRID, [place(SQL, at(10), FIKA, run_id=2)], co_interest), SETTINGS
    )

    assert [(p.severity, p.message) for p in problems] == [
        (
            Severity.WARNING,
            "7 people interested in this also want “SQL windows”, which runs at the same time.",
        )
    ]


def test_small_co_interest_is_not_a_clash():
    co_interest = {GIT.id: {SQL.id: 2}}

    assert check(place(), place(SQL, at(10), FIKA, run_id=2), co_interest=co_interest) == []


def test_hard_problems_come_before_warnings():
    popular = replace(GIT, expected_demand=25)

    problems = problems_for(
        place(popular, room=FIKA),
        BoardState.of(GRID, [place(SQL, at(10), FIKA, run_id=2)]),
        SETTINGS,
    )

    assert [p.severity for p in problems] == [Severity.HARD, Severity.WARNING]


def test_board_problems_report_both_sides_of_a_clash():
    first, second = place(run_id=1), place(SQL, at(10, 30), run_id=2)

    problems = board_problems(BoardState.of(GRID, [first, second]), SETTINGS)

    assert sorted(problems) == [1, 2]
    assert all(p.rule == "room_busy" for ps in problems.values() for p in ps)


def test_a_placement_checked_in_place_ignores_itself():
    existing = place()

    assert problems_for(existing, BoardState.of(GRID, [existing]), SETTINGS) == []


def test_removing_a_placement_frees_its_room():
    state = BoardState.of(GRID, [place(SQL, at(10), run_id=2)])
    state.remove(2)

    assert problems_for(place(), state, SETTINGS) == []


def test_slot_starts_follow_the_local_grid_across_a_daylight_saving_change():
    # Europe/Stockholm springs forward on 28 March 2027.
    grid = replace(
        GRID, days=frozenset({date(2027, 3, 26), date(2027, 3, 29)}), day_ends_at=time(10)
    )

    starts = [grid.local(start).strftime("%d %H:%M %Z") for start in grid.slot_starts()]

    assert starts == ["26 09:00 CET", "26 09:30 CET", "29 09:00 CEST", "29 09:30 CEST"]
