"""What the scheduler is given and what it returns: plain, frozen facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from learningweek.schedule.conflicts import Grid, Placement, RoomFacts, SessionFacts, Settings

# Status of a result that is the construction alone, when CP-SAT had no time.
CONSTRUCTED = "CONSTRUCTED"


@dataclass(frozen=True)
class RunToPlace:
    """A run the scheduler may place or move (pinned runs are given as fixed)."""

    run_id: int
    session: SessionFacts
    topic_ids: tuple[int, ...] = ()
    current: tuple[datetime, int] | None = None  # (start, room id) when placed


@dataclass(frozen=True)
class SchedulingProblem:
    """The grid, the rooms, the runs to place and the placements that stay as they are."""

    grid: Grid
    rooms: tuple[RoomFacts, ...]
    runs: tuple[RunToPlace, ...]
    fixed: tuple[Placement, ...] = ()
    settings: Settings = field(default_factory=Settings)
    published: bool = False


@dataclass
class SchedulingResult:
    """A schedule (run id → start and room id), why the rest is unplaced, and its quality."""

    placements: dict[int, tuple[datetime, int]]
    unplaced: dict[int, str]
    moved: list[int]
    status: str
    objective: float | None = None
    bound: float | None = None
    seconds: float = 0.0
    first_solution_seconds: float | None = None
    shortages: list[str] = field(default_factory=list)

    @property
    def has_schedule(self) -> bool:
        """Whether the placements are a schedule found in time (possibly partial)."""
        return self.status in ("OPTIMAL", "FEASIBLE", CONSTRUCTED)

    @property
    def gap(self) -> float | None:
        """How far the objective may be above the best possible, as a share of it."""
        if self.objective is None or self.bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return abs(self.objective - self.bound) / abs(self.objective)
