"""The schedule board: loading it, placing and moving runs, and publishing the programme.

Every check goes through `conflicts.problems_for`; this module turns database rows
into the plain facts those rules read and applies the changes they allow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import ProposalStatus
from learningweek.core.errors import DomainError, NotAllowed
from learningweek.core.localtime import format_local
from learningweek.core.records import record_from
from learningweek.editions.models import Edition, Room
from learningweek.notifications import tidings
from learningweek.notifications.services import ORGANIZERS
from learningweek.notifications.tidings import announce
from learningweek.proposals.limits import RUNS_MAX
from learningweek.proposals.models import Interest, LearningSession
from learningweek.proposals.services import interest_counts
from learningweek.schedule import lifecycle, news, solver
from learningweek.schedule.conflicts import (
    FIRM_RULES,
    BoardState,
    Grid,
    Placement,
    Problem,
    RoomFacts,
    SessionFacts,
    Settings,
    board_problems,
    expected_attendance,
    problems_for,
)
from learningweek.schedule.consequences import MoveClash, clashes_after_move, people_by_role
from learningweek.schedule.models import Run
from learningweek.signups import services as signups
from learningweek.web.links import agenda_url

__all__ = ["MoveClash", "clashes_after_move"]  # for those who tell people of a move


class PlacementRefused(DomainError):
    """A placement breaks hard rules; `problems` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(problem.message for problem in problems if problem.is_hard))
        self.problems = problems

    @property
    def can_override(self) -> bool:
        """Whether "place anyway" could make it: no firm rule (the past) is broken."""
        return not any(problem.is_hard and problem.rule in FIRM_RULES for problem in self.problems)


class MoveWouldDoubleBook(DomainError):
    """A move would give people a seat overlapping another seat of theirs (or a run
    they teach); the organizer must confirm it. `clashes` names them."""

    def __init__(self, clashes: list[MoveClash]) -> None:
        names = [clash.person.display_name for clash in clashes]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        count = len(clashes)
        super().__init__(
            f"{count} {'person' if count == 1 else 'people'} with a seat in this run "
            f"({listed}) {'has' if count == 1 else 'have'} another seat or teach at the new "
            "time, so they would be booked twice."
        )
        self.clashes = clashes


@dataclass
class Board:
    """Everything the board page and the rules need about one edition's schedule."""

    edition: Edition
    grid: Grid
    rooms: list[Room]
    room_facts: dict[int, RoomFacts]
    session_facts: dict[int, SessionFacts]
    runs: list[Run]
    state: BoardState
    problems: dict[int, list[Problem]]
    settings: Settings

    @property
    def placed(self) -> list[Run]:
        """The runs with a start and a room."""
        return [run for run in self.runs if run.is_placed]

    @property
    def unplaced(self) -> list[Run]:
        """The runs still waiting for a start and a room."""
        return [run for run in self.runs if not run.is_placed]

    @property
    def hard_conflicts(self) -> int:
        """How many broken hard rules the board shows."""
        return sum(1 for problems in self.problems.values() for p in problems if p.is_hard)

    @property
    def warnings(self) -> int:
        """How many warnings the board shows."""
        return sum(1 for problems in self.problems.values() for p in problems if not p.is_hard)

    def placement(self, run: Run, starts_at: datetime, room: Room) -> Placement:
        """`run` at `starts_at` in `room`, as the rules see it."""
        return Placement(
            run_id=run.id,
            session=self.session_facts[run.session_id],
            starts_at=starts_at,
            room=self.room_facts[room.id],
        )

    def check(self, run: Run, starts_at: datetime, room: Room, settings: Settings) -> list[Problem]:
        """What placing `run` at `starts_at` in `room` would break."""
        return problems_for(self.placement(run, starts_at, room), self.state, settings)


def grid_of(edition: Edition, *, now: datetime | None = None) -> Grid:
    """The edition's days and slots as the rules see them; with `now`, the slots
    already begun are closed to new placements."""
    return Grid(
        zone=edition.zone,
        days=frozenset(edition.days),
        day_starts_at=edition.day_starts_at,
        day_ends_at=edition.day_ends_at,
        slot_minutes=edition.slot_minutes,
        not_before=now,
    )


def room_facts(room: Room) -> RoomFacts:
    """A room as the rules see it."""
    return record_from(room, RoomFacts, equipment=frozenset(room.equipment))


def session_facts(learning_session: LearningSession, expected_demand: int) -> SessionFacts:
    """A session as the rules see it, with the people expected to come."""
    return record_from(
        learning_session,
        SessionFacts,
        equipment=frozenset(learning_session.equipment),
        unavailable_half_days=frozenset(learning_session.unavailable_half_days),
        teachers=tuple((teacher.id, teacher.display_name) for teacher in learning_session.teachers),
        expected_demand=expected_demand,
        preferred_half_days=frozenset(learning_session.preferred_half_days),
    )


def co_interest(db_session: DbSession, edition: Edition) -> dict[int, dict[int, int]]:
    """For each accepted session, how many people also starred each other one (one query)."""
    accepted = sa.select(LearningSession.id).where(
        LearningSession.edition_id == edition.id,
        LearningSession.status == ProposalStatus.ACCEPTED,
    )
    first, second = aliased(Interest), aliased(Interest)
    rows = db_session.execute(
        sa.select(first.session_id, second.session_id, sa.func.count())
        .join(
            second, sa.and_(first.user_id == second.user_id, first.session_id < second.session_id)
        )
        .where(first.session_id.in_(accepted), second.session_id.in_(accepted))
        .group_by(first.session_id, second.session_id)
    )
    pairs: dict[int, dict[int, int]] = defaultdict(dict)
    for one, other, count in rows:
        pairs[one][other] = count
        pairs[other][one] = count
    return pairs


def _runs_where(*conditions: sa.ColumnExpressionArgument[bool]) -> sa.Select[Run]:
    """The runs meeting `conditions` (which may name their session), in time order."""
    return (
        sa.select(Run).join(Run.learning_session).where(*conditions).order_by(Run.starts_at, Run.id)
    )


def _active_runs_query() -> sa.Select[Run]:
    """Active runs of accepted sessions, with the teachers the rules need."""
    return _runs_where(
        LearningSession.status == ProposalStatus.ACCEPTED, ~Run.is_cancelled
    ).options(
        joinedload(Run.learning_session).joinedload(LearningSession.lead),
        joinedload(Run.learning_session).selectinload(LearningSession.co_teachers),
        joinedload(Run.learning_session).selectinload(LearningSession.topics),
    )


def load_board(
    db_session: DbSession, edition: Edition, settings: Settings, *, now: datetime | None = None
) -> Board:
    """An edition's rooms, active runs of accepted sessions, and every rule they break
    (with `now`, also the rule that nothing new goes in the past).

    A fixed number of queries whatever the number of runs: rooms, runs with their
    sessions and teachers, interest counts, co-interest.
    """
    rooms = list(db_session.scalars(sa.select(Room).order_by(Room.kind, sa.func.lower(Room.name))))
    runs = list(
        db_session.scalars(
            _active_runs_query().where(LearningSession.edition_id == edition.id)
        ).unique()
    )
    # Rooms and teachers are shared by every edition: runs of another edition in the
    # same days occupy them too.
    neighbours = list(
        db_session.scalars(
            _active_runs_query().where(
                LearningSession.edition_id != edition.id,
                Run.starts_at >= edition.starts_at - timedelta(days=1),
                Run.starts_at < edition.ends_at + timedelta(days=1),
            )
        ).unique()
    )
    sessions = {run.learning_session.id: run.learning_session for run in [*runs, *neighbours]}
    interest = interest_counts(db_session, sessions)
    facts = {
        session_id: session_facts(
            learning_session,
            expected_attendance(interest.get(session_id, 0), settings.show_up_factor),
        )
        for session_id, learning_session in sessions.items()
    }
    rooms_by_id = {room.id: room_facts(room) for room in rooms}
    grid = grid_of(edition, now=now)
    state = BoardState.of(
        grid,
        (
            Placement(run.id, facts[run.session_id], spot[0], rooms_by_id[spot[1]])
            for run in [*runs, *neighbours]
            if (spot := run.spot) is not None
        ),
        co_interest(db_session, edition),
    )
    return Board(
        edition=edition,
        grid=grid,
        rooms=rooms,
        room_facts=rooms_by_id,
        session_facts=facts,
        runs=runs,
        state=state,
        problems=board_problems(state, settings, (run.id for run in runs)),
        settings=settings,
    )


def placed_runs(edition: Edition) -> sa.Select[Run]:
    """An edition's placed, active runs in time order."""
    return _runs_where(LearningSession.edition_id == edition.id, Run.is_placed, ~Run.is_cancelled)


def _lock_edition(db_session: DbSession, edition: Edition) -> None:
    # One organizer's board change at a time per edition (PostgreSQL); SQLite write
    # requests already hold the database lock.
    db_session.refresh(edition, attribute_names=["is_published"], with_for_update=True)


def _lock_run(db_session: DbSession, run: Run) -> None:
    """Take the edition's board lock, then re-read the run: what we read before waiting
    for the lock may have been changed by whoever held it."""
    _lock_edition(db_session, run.learning_session.edition)
    # A plain select: refresh() would re-apply the eager joins the run was loaded
    # with, and PostgreSQL cannot lock the outer side of a join.
    db_session.execute(
        sa.select(Run)
        .where(Run.id == run.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    db_session.refresh(run.learning_session, attribute_names=["status"])


def _editable_run(run: Run) -> None:
    if run.is_cancelled:
        raise DomainError("This run is cancelled.")
    if run.learning_session.status != ProposalStatus.ACCEPTED:
        raise DomainError("Only runs of accepted sessions can be scheduled.")


def _require_organizer(actor: User | None) -> None:
    if actor is None or not actor.is_organizer:
        raise NotAllowed("Only organizers can change the schedule.")


def move_refusal(run: Run, starts_at: datetime, *, now: datetime) -> str | None:
    """Why a run's time cannot change to `starts_at` whatever the board says, or None:
    a run that has begun keeps its time (people came, or are there)."""
    if run.starts_at is None or starts_at == run.starts_at or run.starts_at > now:
        return None
    zone = run.learning_session.edition.zone
    return f"This run began {format_local(run.starts_at, zone)}, so its time can no longer change."


def place_run(
    db_session: DbSession,
    run: Run,
    starts_at: datetime,
    room: Room,
    *,
    actor: User,
    now: datetime,
    settings: Settings,
    force: bool = False,
    force_seats: bool = False,
    force_clashes: bool = False,
    announce_new: bool = True,
) -> list[Problem]:
    """Place or move a run; hard conflicts refuse it unless `force` ("place anyway").

    Nothing is placed at a time already begun, and a run that has begun keeps its
    time, whatever `force` says. A move that would give seat holders a second seat
    (or a run they teach) at the new time is refused (`MoveWouldDoubleBook`) unless
    `force_clashes`; `clashes_after_move` names them. A room with fewer seats than
    people holding them is refused unless `force_seats` (the latest go back to the
    head of the waitlist); a bigger one promotes waiting people. Side effects: the
    run's time and room, a change record, and after publishing a higher sequence and
    a message to its teachers and everyone signed up; a run first placed after
    publishing enters its teachers' calendars (unless not `announce_new`: the caller
    tells them). Returns the remaining problems.
    """
    _require_organizer(actor)
    edition = run.learning_session.edition
    _lock_run(db_session, run)
    _editable_run(run)
    moving = run.starts_at is not None and starts_at != run.starts_at
    if (refusal := move_refusal(run, starts_at, now=now)) is not None:
        raise DomainError(refusal)
    board = load_board(db_session, edition, settings, now=now)
    problems = board.check(run, starts_at, room, settings)
    refused = PlacementRefused(problems)
    if any(problem.is_hard for problem in problems) and (not force or not refused.can_override):
        raise refused
    # Who the move books twice, known before it is made: refused unless confirmed,
    # and then each of them is told which of their runs now overlap.
    clashes = (
        clashes_after_move(db_session, run, starts_at) if moving and edition.is_published else []
    )
    if clashes and not force_clashes:
        raise MoveWouldDoubleBook(clashes)
    old_start, old_room = run.starts_at, run.room
    lifecycle.set_placement(
        run, starts_at, room, actor=actor, now=now, published=edition.is_published
    )
    db_session.flush()
    if old_start is not None:
        signups.rebalance_seats(db_session, [run], now=now, force=force_seats)
        if edition.is_published:
            _tell_of_move(db_session, run, (old_start, old_room), clashes)
    elif edition.is_published and announce_new:
        _tell_of_new_run(db_session, run, on_publishing=False)
    db_session.flush()
    return problems


def _tell_of_new_run(db_session: DbSession, run: Run, *, on_publishing: bool) -> None:
    """A run enters its teachers' calendars: each is told, with its invitation."""
    announce(
        db_session,
        [
            news.scheduled_tiding(teacher, run, on_publishing=on_publishing)
            for teacher in run.learning_session.teachers
        ],
    )


def _tell_of_move(
    db_session: DbSession,
    run: Run,
    old: tuple[datetime, Room | None],
    clashes: list[MoveClash],
) -> None:
    """Tell the teachers and everyone signed up where and when the run now is; those
    the move booked twice also hear which of their runs overlap, and where to choose."""
    old_start, old_room = old
    by_person = {clash.person.id: clash for clash in clashes}
    url = agenda_url() if clashes else ""
    people = people_by_role(db_session, run)
    news_ = []
    for role, persons in people.items():
        for person in persons:
            clash = by_person.get(person.id) if role == news.SEAT else None
            news_.append(
                news.move_tiding(
                    person,
                    run,
                    role,
                    old_starts_at=old_start,
                    old_place=tidings.room_place(old_room),
                    is_room_change=old_start == run.starts_at,
                    clash_seats=clash.seats if clash else (),
                    clash_teaching=clash.teaching if clash else (),
                    agenda_url=url if clash else "",
                )
            )
    announce(db_session, news_)


def unplace_run(db_session: DbSession, run: Run, *, actor: User, now: datetime) -> None:
    """Take a run off the board (before publishing; afterwards, move or cancel it)."""
    _require_organizer(actor)
    edition = run.learning_session.edition
    _lock_run(db_session, run)
    _editable_run(run)
    if edition.is_published:
        raise DomainError(
            "The programme is published, so people may rely on this run: move or cancel it."
        )
    run.is_pinned = False
    lifecycle.set_placement(run, None, None, actor=actor, now=now, published=False)
    db_session.flush()


def set_pinned(db_session: DbSession, run: Run, pinned: bool, *, actor: User) -> None:
    """Pin a placed run (the automatic scheduler keeps it where it is) or unpin it."""
    _require_organizer(actor)
    _lock_run(db_session, run)
    _editable_run(run)
    if pinned and not run.is_placed:
        raise DomainError("Place the run before pinning it.")
    run.is_pinned = pinned
    db_session.flush()


def cancel_run(
    db_session: DbSession, run: Run, *, actor: User, comment: str = "", now: datetime
) -> None:
    """Cancel one run: its room is freed; its teachers and everyone signed up are told."""
    _require_organizer(actor)
    _lock_run(db_session, run)
    if run.is_cancelled:
        raise DomainError("This run is already cancelled.")
    lifecycle.cancel_run(run, actor=actor, now=now)
    announce(
        db_session,
        [
            news.cancel_tiding(
                teacher, run, news.TEACHER, comment=comment, comment_author=ORGANIZERS
            )
            for teacher in run.learning_session.teachers
        ],
    )
    signups.end_signups_of_cancelled_run(
        db_session, run, now=now, comment=comment, comment_author=ORGANIZERS
    )
    db_session.flush()


def add_run_for_waitlist(
    db_session: DbSession,
    run: Run,
    starts_at: datetime,
    room: Room,
    *,
    actor: User,
    now: datetime,
    settings: Settings,
    force: bool = False,
) -> tuple[Run, list]:
    """Add a run to a session whose waitlist overflows and seat its waiting people in it.

    The new run is placed by the board's rules (hard conflicts refuse it unless
    `force`); then the session's waitlist, in order, moves into it while it has seats,
    skipping anyone it would put in a clash. Returns the run and who moved.
    """
    _require_organizer(actor)
    learning_session = run.learning_session
    # The lock order of proposal edits (session, edition), then every run of the
    # session, since their waiting people may move into the new one.
    db_session.refresh(learning_session, attribute_names=["runs_offered"], with_for_update=True)
    _lock_edition(db_session, learning_session.edition)
    signups.lock_runs(db_session, learning_session.runs)
    _editable_run(run)
    if not learning_session.edition.is_published:
        raise DomainError("Add runs on the board until the programme is published.")
    if not signups.seat_counts(db_session, [run], now)[run.id].waiting:
        raise DomainError("Nobody is waiting for this run, so it needs no extra run.")
    if learning_session.runs_offered >= RUNS_MAX:
        raise DomainError(f"A session runs at most {RUNS_MAX} times.")
    learning_session.runs_offered += 1
    (new_run,) = lifecycle.create_runs(learning_session, 1, now=now)
    db_session.flush()
    place_run(
        db_session,
        new_run,
        starts_at,
        room,
        actor=actor,
        now=now,
        settings=settings,
        force=force,
        announce_new=False,  # the teachers hear of the extra run below
    )
    moved = signups.offer_run_to_waitlist(db_session, new_run, now=now)
    announce(
        db_session,
        [
            news.added_run_tiding(teacher, new_run, moved=len(moved))
            for teacher in learning_session.teachers
        ],
    )
    db_session.flush()
    return new_run, moved


def publish_edition(
    db_session: DbSession, edition: Edition, *, actor: User, settings: Settings, now: datetime
) -> None:
    """Publish the programme: refused while a run is unplaced or a hard conflict remains."""
    _require_organizer(actor)
    _lock_edition(db_session, edition)
    if edition.is_published:
        raise DomainError("The programme is already published.")
    board = load_board(db_session, edition, settings, now=now)
    if board.unplaced:
        count = len(board.unplaced)
        raise DomainError(
            f"{count} run{' is' if count == 1 else 's are'} not placed yet. Place "
            f"{'it' if count == 1 else 'them'}, or offer fewer runs, before publishing."
        )
    hard = [
        problem for problems in board.problems.values() for problem in problems if problem.is_hard
    ]
    if hard:
        examples = " ".join(problem.message for problem in hard[:3])
        raise DomainError(
            f"{len(hard)} hard conflict{'s remain' if len(hard) > 1 else ' remains'}; resolve "
            f"{'them' if len(hard) > 1 else 'it'} before publishing. {examples}"
        )
    edition.is_published = True
    edition.published_at = now
    db_session.flush()
    # The runs enter their teachers' personal feeds: their mailed calendars get them too.
    for run in board.placed:
        _tell_of_new_run(db_session, run, on_publishing=True)
    db_session.flush()


def _refuse_if_signed_up_meanwhile(
    db_session: DbSession, runs: dict[int, Run], result: solver.SchedulingResult, *, published: bool
) -> None:
    """People may sign up while the solver works (sign-up does not wait for the board
    lock). Lock the runs it would change; if any gained sign-ups, change nothing: the
    rest of its schedule assumed they move."""
    if not published:
        return  # nobody can sign up before the programme is published
    changing = [
        runs[run_id] for run_id, chosen in result.placements.items() if runs[run_id].spot != chosen
    ]
    signups.lock_runs(db_session, changing)
    if signups.runs_with_signups(db_session, (run.id for run in changing)):
        raise DomainError(
            "People signed up for runs the scheduler wanted to move while it worked; "
            "nothing was changed. Run it again."
        )


@dataclass
class ScheduleReport:
    """What an automatic run did: counts, quality, and why anything is left."""

    placed: int
    unplaced: dict[Run, str]
    moved: list[Run]
    kept_pinned: int
    result: solver.SchedulingResult


def scheduling_problem(
    board: Board, *, topics: dict[int, tuple[int, ...]], keep: frozenset[int] = frozenset()
) -> solver.SchedulingProblem:
    """The board as the solver sees it: pinned runs, runs in `keep` and other editions'
    runs stay fixed."""
    own = {run.id for run in board.runs}
    fixed = [p for run_id, p in board.state.by_run.items() if run_id not in own]
    movable = []
    published = board.edition.is_published
    for run in board.runs:
        facts = board.session_facts[run.session_id]
        broken = any(problem.is_hard for problem in board.problems.get(run.id, []))
        begun = (
            board.grid.not_before is not None
            and run.starts_at is not None
            and run.starts_at < board.grid.not_before
        )
        if run.is_placed and (run.is_pinned or run.id in keep or begun or (published and broken)):
            # Pinned runs stay, and so do runs people hold seats in: their room must seat
            # them and their calendars hold the time. A published run already breaking a
            # rule stays too: an organizer decides where it goes, not the solver. A run
            # that has begun keeps its time, like any placement in the past.
            fixed.append(board.state.by_run[run.id])
            continue
        movable.append(solver.RunToPlace(run.id, facts, topics.get(run.session_id, ()), run.spot))
    return solver.SchedulingProblem(
        grid=board.grid,
        rooms=tuple(board.room_facts[room.id] for room in board.rooms if room.is_active),
        runs=tuple(movable),
        fixed=tuple(fixed),
        settings=board.settings,
        published=board.edition.is_published,
    )


def schedule_edition(
    db_session: DbSession,
    edition: Edition,
    *,
    actor: User,
    now: datetime,
    settings: Settings,
    time_limit: float = 20.0,
) -> ScheduleReport:
    """Place every run the automatic scheduler can, keeping pinned ones.

    After publishing, placed runs stay put unless moving them lets more runs in;
    every move is recorded, raises the run's sequence and tells its teachers.
    """
    _require_organizer(actor)
    _lock_edition(db_session, edition)
    board = load_board(db_session, edition, settings, now=now)
    topics = {
        learning_session.id: tuple(topic.id for topic in learning_session.topics)
        for learning_session in {run.learning_session for run in board.runs}
    }
    keep = frozenset(signups.runs_with_signups(db_session, (run.id for run in board.runs)))
    problem = scheduling_problem(board, topics=topics, keep=keep)
    result = solver.solve(problem, time_limit=time_limit * 1.5, deterministic_limit=time_limit / 2)
    if not result.has_schedule:
        raise DomainError(
            "The scheduler found no schedule in the time it had; nothing was changed. "
            "Try again with more time."
        )
    runs = {run.id: run for run in board.runs}
    rooms = {room.id: room for room in board.rooms}
    _refuse_if_signed_up_meanwhile(db_session, runs, result, published=edition.is_published)
    moved = []
    for run_id, (start, room_id) in result.placements.items():
        run = runs[run_id]
        old_start, old_room = run.starts_at, run.room
        if run.spot == (start, room_id):
            continue
        room = rooms[room_id]
        lifecycle.set_placement(
            run, start, room, actor=actor, now=now, published=edition.is_published
        )
        if old_start is not None:
            moved.append(run)
            if edition.is_published:
                _tell_of_move(db_session, run, (old_start, old_room), [])
        elif edition.is_published:
            _tell_of_new_run(db_session, run, on_publishing=False)
    for run_id in result.unplaced:
        run = runs[run_id]
        if run.is_placed and not edition.is_published:
            lifecycle.set_placement(run, None, None, actor=actor, now=now, published=False)
    db_session.flush()
    return ScheduleReport(
        placed=len(result.placements),
        unplaced={runs[run_id]: reason for run_id, reason in result.unplaced.items()},
        moved=moved,
        kept_pinned=sum(1 for run in board.runs if run.is_pinned and run.is_placed),
        result=result,
    )
