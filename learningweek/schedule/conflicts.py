"""The scheduling rules, as pure functions over plain values.

`problems_for` is the one statement of every rule: the board, the move and place
services, publishing and the automatic scheduler all ask it, so they cannot
disagree. A `BoardState` indexes the placed runs by room and day, teacher and day,
and session, so one check looks only at the runs that could clash with it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from learningweek.core.enums import Equipment, RoomKind, SessionFormat
from learningweek.core.localtime import day_label
from learningweek.proposals.half_days import HalfDay, half_days_touched

EQUIPMENT_LABELS = {tag.value: tag.label for tag in Equipment}
# Hard rules that depend only on the start (and the session), only on the room, or on
# other runs. The scheduler filters candidates with the first two and models the third.
TIME_RULES = frozenset({"day", "grid", "day_end", "availability"})
ROOM_RULES = frozenset({"room_inactive", "format", "equipment"})
PAIR_RULES = frozenset({"room_busy", "same_session", "teacher_busy"})


class Severity(StrEnum):
    """A hard rule refuses a placement; a warning only points at it."""

    HARD = "hard"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One rule a placement breaks, with a message an organizer can act on."""

    severity: Severity
    rule: str
    message: str

    @property
    def is_hard(self) -> bool:
        """Whether the rule refuses the placement."""
        return self.severity == Severity.HARD


@dataclass(frozen=True)
class SessionFacts:
    """What the rules need to know about a session."""

    id: int
    title: str
    format: SessionFormat
    duration_minutes: int
    max_participants: int
    equipment: frozenset[str]
    unavailable_half_days: frozenset[str]
    teachers: tuple[tuple[int, str], ...]  # (user id, name), lead first
    expected_demand: int = 0
    preferred_half_days: frozenset[str] = frozenset()  # empty: no preference

    @property
    def teacher_names(self) -> str:
        """The teachers' names in prose: "Ann", "Ann, Bo and Cy"."""
        names = [name for _, name in self.teachers]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class RoomFacts:
    """What the rules need to know about a room."""

    id: int
    name: str
    kind: RoomKind
    capacity: int
    equipment: frozenset[str]
    is_active: bool = True


@dataclass(frozen=True)
class Placement:
    """A run at a start time in a room (an existing placement or a candidate)."""

    run_id: int
    session: SessionFacts
    starts_at: datetime
    room: RoomFacts

    @property
    def ends_at(self) -> datetime:
        """When the run would end."""
        return self.starts_at + timedelta(minutes=self.session.duration_minutes)

    def overlaps(self, other: Placement) -> bool:
        """Whether the two placements share any time."""
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


@dataclass(frozen=True)
class Grid:
    """An edition's days and daily slots, in its own time zone."""

    zone: ZoneInfo
    days: frozenset[date]
    day_starts_at: time
    day_ends_at: time
    slot_minutes: int

    def local(self, instant: datetime) -> datetime:
        """The instant in the edition's time zone."""
        return instant.astimezone(self.zone)

    def slot_starts(self) -> list[datetime]:
        """Every start time on the grid, as UTC instants, day by day."""
        starts = []
        for day in sorted(self.days):
            moment = datetime.combine(day, self.day_starts_at, tzinfo=self.zone)
            end = datetime.combine(day, self.day_ends_at, tzinfo=self.zone)
            while moment < end:
                starts.append(moment.astimezone(UTC))
                moment += timedelta(minutes=self.slot_minutes)
        return starts

    def half_day_keys(self, starts_at: datetime, ends_at: datetime) -> list[str]:
        """The half-days ("YYYY-MM-DD am"/"pm") a run from start to end touches."""
        return [
            half_day.key
            for half_day in half_days_touched(self.local(starts_at), self.local(ends_at))
        ]


@dataclass
class Settings:
    """Tunable judgement: how many marked people come, and what counts as a clash."""

    show_up_factor: float = 0.7
    clash_threshold: int = 3


def settings_from(config: Mapping[str, Any]) -> Settings:
    """The rules' judgement calls from the app's configuration."""
    return Settings(
        show_up_factor=float(config["LEARNINGWEEK_SHOW_UP_FACTOR"]),
        clash_threshold=int(config["LEARNINGWEEK_INTEREST_CLASH_MIN"]),
    )


def expected_attendance(interest_count: int, show_up_factor: float) -> int:
    """People expected to come, from interest marks."""
    return math.ceil(interest_count * show_up_factor)


@dataclass
class BoardState:
    """Placed runs indexed for the rules, plus who is interested in what together."""

    grid: Grid
    co_interest: Mapping[int, Mapping[int, int]] = field(default_factory=dict)
    by_room_day: dict[tuple[int, date], list[Placement]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_teacher_day: dict[tuple[int, date], list[Placement]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_session: dict[int, list[Placement]] = field(default_factory=lambda: defaultdict(list))
    by_run: dict[int, Placement] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        grid: Grid,
        placements: Iterable[Placement],
        co_interest: Mapping[int, Mapping[int, int]] | None = None,
    ) -> BoardState:
        """The state holding `placements`."""
        state = cls(grid=grid, co_interest=co_interest or {})
        for placement in placements:
            state.add(placement)
        return state

    def add(self, placement: Placement) -> None:
        """Index one more placement."""
        day = self.grid.local(placement.starts_at).date()
        self.by_room_day[(placement.room.id, day)].append(placement)
        for teacher_id, _ in placement.session.teachers:
            self.by_teacher_day[(teacher_id, day)].append(placement)
        self.by_session[placement.session.id].append(placement)
        self.by_run[placement.run_id] = placement

    def remove(self, run_id: int) -> None:
        """Forget a run's placement, if it has one."""
        placement = self.by_run.pop(run_id, None)
        if placement is None:
            return
        day = self.grid.local(placement.starts_at).date()
        self.by_room_day[(placement.room.id, day)].remove(placement)
        for teacher_id, _ in placement.session.teachers:
            self.by_teacher_day[(teacher_id, day)].remove(placement)
        self.by_session[placement.session.id].remove(placement)


def _span(grid: Grid, placement: Placement) -> str:
    start, end = grid.local(placement.starts_at), grid.local(placement.ends_at)
    return f"{start:%a} {start:%H:%M}–{end:%H:%M}"


def _grid_problems(placement: Placement, grid: Grid) -> list[Problem]:
    local_start = grid.local(placement.starts_at)
    local_end = grid.local(placement.ends_at)
    day = local_start.date()
    if day not in grid.days:
        return [Problem(Severity.HARD, "day", f"{day_label(day)} is not a day of this edition.")]
    day_start = datetime.combine(day, grid.day_starts_at, tzinfo=grid.zone)
    offset = (local_start - day_start).total_seconds() / 60
    if offset < 0 or offset % grid.slot_minutes:
        return [
            Problem(
                Severity.HARD,
                "grid",
                f"{local_start:%H:%M} is not a start time of the {grid.slot_minutes}-minute grid "
                f"that begins at {grid.day_starts_at:%H:%M}.",
            )
        ]
    if local_end.date() != day or local_end.time() > grid.day_ends_at:
        return [
            Problem(
                Severity.HARD,
                "day_end",
                f"“{placement.session.title}” ({placement.session.duration_minutes} minutes) "
                f"would end at {local_end:%H:%M}, after the day ends at "
                f"{grid.day_ends_at:%H:%M}.",
            )
        ]
    return []


def _room_problems(placement: Placement) -> list[Problem]:
    session, room = placement.session, placement.room
    problems = []
    if not room.is_active:
        problems.append(
            Problem(Severity.HARD, "room_inactive", f"{room.name} is not available for scheduling.")
        )
    if session.format == SessionFormat.ONLINE and room.kind != RoomKind.ONLINE:
        problems.append(
            Problem(
                Severity.HARD,
                "format",
                f"“{session.title}” is online, so it needs an online room; "
                f"{room.name} is a physical room.",
            )
        )
    elif session.format == SessionFormat.IN_PERSON and room.kind != RoomKind.PHYSICAL:
        problems.append(
            Problem(
                Severity.HARD,
                "format",
                f"“{session.title}” is in person, so it needs a physical room; "
                f"{room.name} is an online room.",
            )
        )
    elif session.format == SessionFormat.HYBRID and (
        room.kind != RoomKind.PHYSICAL or Equipment.VIDEO.value not in room.equipment
    ):
        problems.append(
            Problem(
                Severity.HARD,
                "format",
                f"“{session.title}” is hybrid, so it needs a physical room with video "
                f"conferencing; {room.name} is not one.",
            )
        )
    missing = sorted(session.equipment - room.equipment)
    if missing:
        labels = ", ".join(EQUIPMENT_LABELS.get(tag, tag).lower() for tag in missing)
        problems.append(
            Problem(Severity.HARD, "equipment", f"{room.name} has no {labels}, which it needs.")
        )
    if session.expected_demand:
        needed = min(session.max_participants, session.expected_demand)
        if room.capacity < needed:
            problems.append(
                Problem(
                    Severity.WARNING,
                    "capacity",
                    f"{room.name} holds {room.capacity}, but about {needed} people are "
                    f"expected for “{session.title}”.",
                )
            )
    return problems


def _availability_problems(placement: Placement, grid: Grid) -> list[Problem]:
    session = placement.session
    blocked = [
        key
        for key in grid.half_day_keys(placement.starts_at, placement.ends_at)
        if key in session.unavailable_half_days
    ]
    if not blocked:
        return []
    when = ", ".join(HalfDay.from_key(key).in_sentence for key in blocked)
    who = "is" if len(session.teachers) == 1 else "are"
    return [
        Problem(
            Severity.HARD,
            "availability",
            f"{session.teacher_names} {who} not available on {when} (the session's stated "
            "availability).",
        )
    ]


def _clash_problems(placement: Placement, state: BoardState, settings: Settings) -> list[Problem]:
    grid, session = state.grid, placement.session
    day = grid.local(placement.starts_at).date()
    problems = []
    for other in state.by_room_day.get((placement.room.id, day), ()):
        if other.run_id != placement.run_id and other.overlaps(placement):
            problems.append(
                Problem(
                    Severity.HARD,
                    "room_busy",
                    f"{placement.room.name} is taken by “{other.session.title}” "
                    f"({_span(grid, other)}).",
                )
            )
    for other in state.by_session.get(session.id, ()):
        if other.run_id == placement.run_id:
            continue
        if other.overlaps(placement):
            problems.append(
                Problem(
                    Severity.HARD,
                    "same_session",
                    f"Another run of “{session.title}” is at that time ({_span(grid, other)}).",
                )
            )
        elif grid.local(other.starts_at).date() == day:
            problems.append(
                Problem(
                    Severity.WARNING,
                    "same_session_day",
                    f"Another run of “{session.title}” is on the same day "
                    f"({_span(grid, other)}); different days reach more people.",
                )
            )
    for teacher_id, teacher_name in session.teachers:
        for other in state.by_teacher_day.get((teacher_id, day), ()):
            if other.session.id != session.id and other.overlaps(placement):
                problems.append(
                    Problem(
                        Severity.HARD,
                        "teacher_busy",
                        f"{teacher_name} teaches “{other.session.title}” at that time "
                        f"({_span(grid, other)}).",
                    )
                )
    for other_session_id, shared in state.co_interest.get(session.id, {}).items():
        if shared < settings.clash_threshold:
            continue
        for other in state.by_session.get(other_session_id, ()):
            if other.overlaps(placement):
                problems.append(
                    Problem(
                        Severity.WARNING,
                        "interest_clash",
                        f"{shared} people interested in this also want "
                        f"“{other.session.title}”, which runs at the same time.",
                    )
                )
    return problems


def problems_for(placement: Placement, state: BoardState, settings: Settings) -> list[Problem]:
    """Every rule this placement breaks against the others on the board, hard ones first.

    The placement's own run is ignored in `state`, so an existing placement can be
    checked in place and a move can be checked before it is made.
    """
    grid_problems = _grid_problems(placement, state.grid)
    problems = [
        *grid_problems,
        *_room_problems(placement),
        *([] if grid_problems else _availability_problems(placement, state.grid)),
        *_clash_problems(placement, state, settings),
    ]
    return sorted(problems, key=lambda problem: problem.severity != Severity.HARD)


def board_problems(state: BoardState, settings: Settings) -> dict[int, list[Problem]]:
    """The problems of every placed run, by run id."""
    return {
        run_id: problems
        for run_id, placement in state.by_run.items()
        if (problems := problems_for(placement, state, settings))
    }
