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
TIME_RULES = frozenset({"day", "grid", "day_end", "availability", "past"})
# Hard rules that "place anyway" cannot override: people cannot attend what has begun.
FIRM_RULES = frozenset({"past"})
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


def wall_instants(day: date, at: time, zone: ZoneInfo) -> list[datetime]:
    """The UTC instants a wall-clock time on `day` names, earliest first: none when the
    clocks skip it (spring forward), two when they repeat it (fall back), else one."""
    wall = datetime.combine(day, at)
    instants: list[datetime] = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        # A skipped time comes back from UTC as another wall time: it never happens.
        if instant.astimezone(zone).replace(tzinfo=None) == wall and instant not in instants:
            instants.append(instant)
    return sorted(instants)


@dataclass(frozen=True)
class Grid:
    """An edition's days and daily slots, in its own time zone.

    `not_before` is "now" for rules about the past: nothing may be placed before it.
    """

    zone: ZoneInfo
    days: frozenset[date]
    day_starts_at: time
    day_ends_at: time
    slot_minutes: int
    not_before: datetime | None = None

    def local(self, instant: datetime) -> datetime:
        """The instant in the edition's time zone."""
        return instant.astimezone(self.zone)

    def slot_starts(self) -> list[datetime]:
        """Every start time on the grid, as UTC instants in time order.

        The slots step through wall-clock time; a time the clocks skip on a
        spring-forward day is left out, and one they repeat on a fall-back day
        is offered twice (once per offset), so every start names one instant.
        """
        starts = []
        step = timedelta(minutes=self.slot_minutes)
        for day in sorted(self.days):
            wall = datetime.combine(day, self.day_starts_at)
            end = datetime.combine(day, self.day_ends_at)
            day_starts = []
            while wall < end:
                day_starts += wall_instants(day, wall.time(), self.zone)
                wall += step
            starts += sorted(day_starts)
        return starts

    def open_slot_starts(self) -> list[datetime]:
        """The slot starts not yet begun: the ones a run may still be placed at."""
        return [
            start
            for start in self.slot_starts()
            if self.not_before is None or start >= self.not_before
        ]

    def is_repeated(self, instant: datetime) -> bool:
        """Whether the instant's wall-clock time happens twice that day (clocks fall back)."""
        local = self.local(instant)
        return len(wall_instants(local.date(), local.time(), self.zone)) > 1

    def time_label(self, instant: datetime) -> str:
        """The start's wall-clock time ("10:30"), with the zone's abbreviation when that
        time happens twice that day ("02:30 CEST", "02:30 CET")."""
        local = self.local(instant)
        return f"{local:%H:%M} {local.tzname()}" if self.is_repeated(instant) else f"{local:%H:%M}"

    def label(self, instant: datetime) -> str:
        """The start as a choice reads: "Mon 08 Mar 10:30" ("Sun 25 Oct 02:30 CET")."""
        return f"{self.local(instant):%a %d %b} {self.time_label(instant)}"

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

    def _days(self, placement: Placement) -> list[date]:
        """The local days a placement touches: another edition's run, in another time
        zone, may run past midnight in this one."""
        first = self.grid.local(placement.starts_at).date()
        last = self.grid.local(placement.ends_at).date()
        return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]

    def add(self, placement: Placement) -> None:
        """Index one more placement."""
        for day in self._days(placement):
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
        for day in self._days(placement):
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
    # Wall-clock minutes since the day's start: on a fall-back day both 02:30s are on
    # the grid, as the grid offers them.
    day_start = datetime.combine(day, grid.day_starts_at)
    offset = (local_start.replace(tzinfo=None) - day_start).total_seconds() / 60
    if offset < 0 or offset % grid.slot_minutes:
        return [
            Problem(
                Severity.HARD,
                "grid",
                f"{grid.time_label(placement.starts_at)} is not a start time of the "
                f"{grid.slot_minutes}-minute grid that begins at {grid.day_starts_at:%H:%M}.",
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


def _past_problems(placement: Placement, state: BoardState) -> list[Problem]:
    """A run may stay where it is once its time has come, but nothing is put in the past."""
    grid = state.grid
    if grid.not_before is None or placement.starts_at >= grid.not_before:
        return []
    current = state.by_run.get(placement.run_id)
    if current is not None and current.starts_at == placement.starts_at:
        return []
    return [
        Problem(
            Severity.HARD,
            "past",
            f"{grid.label(placement.starts_at)} has already begun; a run can only be "
            "placed at a time still to come.",
        )
    ]


def problems_for(placement: Placement, state: BoardState, settings: Settings) -> list[Problem]:
    """Every rule this placement breaks against the others on the board, hard ones first.

    The placement's own run is ignored in `state`, so an existing placement can be
    checked in place and a move can be checked before it is made.
    """
    grid_problems = _grid_problems(placement, state.grid)
    problems = [
        *_past_problems(placement, state),
        *grid_problems,
        *_room_problems(placement),
        *([] if grid_problems else _availability_problems(placement, state.grid)),
        *_clash_problems(placement, state, settings),
    ]
    return sorted(problems, key=lambda problem: problem.severity != Severity.HARD)


def board_problems(
    state: BoardState, settings: Settings, run_ids: Iterable[int] | None = None
) -> dict[int, list[Problem]]:
    """The problems of every placed run, or of those in `run_ids`, by run id.

    A board holds other editions' runs too, since they share rooms and teachers;
    `run_ids` keeps an edition's own rules (its days, grid, end of day) to its own runs.
    """
    wanted = None if run_ids is None else set(run_ids)
    return {
        run_id: problems
        for run_id, placement in state.by_run.items()
        if (wanted is None or run_id in wanted)
        and (problems := problems_for(placement, state, settings))
    }
