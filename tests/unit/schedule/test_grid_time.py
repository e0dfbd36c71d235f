"""The grid in local time: clock changes and the past."""

from datetime import UTC, date, datetime, time, timedelta
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
    problems_for,
)

ROOM = RoomFacts(1, "Orion", RoomKind.PHYSICAL, 40, frozenset())
TALK = SessionFacts(
    id=10,
    title="Git beyond commit",
    format=SessionFormat.IN_PERSON,
    duration_minutes=30,
    max_participants=30,
    equipment=frozenset(),
    unavailable_half_days=frozenset(),
    teachers=((100, "Ana Ruiz"),),
)

# Change days of 2026, and the wall-clock hour that is skipped or repeated there.
SPRING_FORWARD = [
    ("Europe/Stockholm", date(2026, 3, 29), "02"),
    ("America/New_York", date(2026, 3, 8), "02"),
]
FALL_BACK = [
    ("Europe/Stockholm", date(2026, 10, 25), "02", ("CEST", "CET")),
    ("America/New_York", date(2026, 11, 1), "01", ("EDT", "EST")),
]


def night_grid(zone: str, day: date, **extra) -> Grid:
    """A grid covering 01:00–04:00 on a change day."""
    return Grid(
        zone=ZoneInfo(zone),
        days=frozenset({day}),
        day_starts_at=time(1, 0),
        day_ends_at=time(4, 0),
        slot_minutes=30,
        **extra,
    )


@pytest.mark.parametrize(("zone", "day", "hour"), SPRING_FORWARD, ids=["stockholm", "new_york"])
def test_the_grid_offers_no_start_the_clocks_skip(zone, day, hour):
    grid = night_grid(zone, day)

    labels = [grid.label(start) for start in grid.slot_starts()]

    assert [label[-5:] for label in labels] == ["01:00", "01:30", "03:00", "03:30"]
    assert not any(f"{hour}:" in label[-5:] for label in labels)


@pytest.mark.parametrize(("zone", "day", "hour", "names"), FALL_BACK, ids=["stockholm", "new_york"])
def test_the_grid_offers_both_repeated_starts_with_labels_that_tell_them_apart(
    zone, day, hour, names
):
    grid = night_grid(zone, day)
    first, second = names

    starts = grid.slot_starts()
    labels = [grid.time_label(start) for start in starts]

    assert labels.count(f"{hour}:00 {first}") == labels.count(f"{hour}:00 {second}") == 1
    assert labels.count(f"{hour}:30 {first}") == labels.count(f"{hour}:30 {second}") == 1
    assert len(set(starts)) == len(starts) == 8  # three wall-clock hours, one of them twice
    assert all(b - a == timedelta(minutes=30) for a, b in zip(starts, starts[1:], strict=False))


@pytest.mark.parametrize(("zone", "day", "hour", "names"), FALL_BACK, ids=["stockholm", "new_york"])
def test_a_run_in_the_second_repeated_hour_is_on_the_grid(zone, day, hour, names):
    grid = night_grid(zone, day)
    second = [s for s in grid.slot_starts() if grid.time_label(s) == f"{hour}:30 {names[1]}"]

    problems = problems_for(
        Placement(1, TALK, second[0], ROOM), BoardState.of(grid, []), Settings()
    )

    assert problems == []


def test_nothing_is_placed_at_a_time_already_begun():
    now = datetime(2026, 3, 9, 12, tzinfo=UTC)
    grid = Grid(
        zone=ZoneInfo("Europe/Stockholm"),
        days=frozenset({date(2026, 3, 9), date(2026, 3, 10)}),
        day_starts_at=time(9, 0),
        day_ends_at=time(17, 0),
        slot_minutes=30,
        not_before=now,
    )
    earlier = Placement(1, TALK, datetime(2026, 3, 9, 9, tzinfo=UTC), ROOM)

    moved_there = problems_for(earlier, BoardState.of(grid, []), Settings())
    staying = problems_for(earlier, BoardState.of(grid, [earlier]), Settings())

    assert [(p.rule, p.is_hard) for p in moved_there] == [("past", True)]
    assert staying == []
    assert min(grid.open_slot_starts()) == datetime(2026, 3, 9, 12, tzinfo=UTC)
