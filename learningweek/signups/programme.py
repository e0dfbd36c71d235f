"""What attendees read: the programme with its filters, a session's runs, my agenda.

Each page's data comes from a fixed number of queries, whatever the number of runs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import (
    ACTIVE_SIGNUP_STATUSES,
    Level,
    ProposalStatus,
    SessionFormat,
    SignupStatus,
)
from learningweek.core.localtime import local_to_utc
from learningweek.editions.models import Edition, Room, Topic
from learningweek.proposals.models import LearningSession, session_co_teachers
from learningweek.schedule.loading import with_run_details
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup
from learningweek.signups.services.eligibility import overlapping_seats
from learningweek.signups.services.queries import SeatCount, seat_counts, waitlist_positions

TEXT_SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True)
class ProgrammeFilters:
    """The programme's filters, as the query string gives them (None: no filter)."""

    day: date | None = None
    topic_id: int | None = None
    session_format: SessionFormat | None = None
    level: Level | None = None
    language: str | None = None
    only_free: bool = False
    text: str = ""

    @property
    def is_filtering(self) -> bool:
        """Whether any filter is set."""
        return self != ProgrammeFilters()


@dataclass
class ProgrammeEntry:
    """One run on the programme, its seats and the viewer's sign-up for its session."""

    run: Run
    seats: SeatCount
    signup: Signup | None  # the viewer's active sign-up for this run's session


@dataclass
class Programme:
    """The programme as one person sees it."""

    edition: Edition
    entries: list[ProgrammeEntry]
    positions: dict[int, int]  # the viewer's waitlist places, by sign-up id
    languages: list[str]

    def by_day(self) -> list[tuple[date, list[ProgrammeEntry]]]:
        """Entries grouped by their day in the edition's time zone, in time order."""
        days: dict[date, list[ProgrammeEntry]] = defaultdict(list)
        for entry in self.entries:
            days[_placement(entry.run)[0].astimezone(self.edition.zone).date()].append(entry)
        return sorted(days.items())


def _placement(run: Run) -> tuple[datetime, Room]:
    """A listed run's start and room: programmes and agendas list placed runs only, and
    the database keeps a start and a room together (placed_with_start_and_room)."""
    assert run.starts_at is not None
    assert run.room is not None
    return run.starts_at, run.room


def _published_runs(edition: Edition) -> sa.Select[Run]:
    """An edition's placed, active runs of accepted sessions, with what a listing shows."""
    return (
        sa.select(Run)
        .join(Run.learning_session)
        .join(Run.room)
        .where(
            LearningSession.edition_id == edition.id,
            Run.is_live,
        )
        .options(
            contains_eager(Run.learning_session).joinedload(LearningSession.lead),
            contains_eager(Run.learning_session).selectinload(LearningSession.co_teachers),
            contains_eager(Run.learning_session).selectinload(LearningSession.topics),
            contains_eager(Run.room),
        )
        .order_by(Run.starts_at, sa.func.lower(LearningSession.title), Run.id)
    )


def _matching(query: sa.Select, edition: Edition, filters: ProgrammeFilters) -> sa.Select:
    if filters.day is not None:
        start = local_to_utc(datetime.combine(filters.day, time()), edition.zone)
        end = local_to_utc(datetime.combine(filters.day + timedelta(days=1), time()), edition.zone)
        query = query.where(Run.starts_at >= start, Run.starts_at < end)
    if filters.topic_id is not None:
        query = query.where(LearningSession.topics.any(Topic.id == filters.topic_id))
    if filters.session_format is not None:
        query = query.where(LearningSession.format == filters.session_format)
    if filters.level is not None:
        query = query.where(LearningSession.level == filters.level)
    if filters.language:
        query = query.where(sa.func.lower(LearningSession.language) == filters.language.lower())
    text = filters.text.strip().lower()[:TEXT_SEARCH_MAX_LENGTH]
    if text:
        names = sa.select(User.id).where(
            sa.func.lower(User.display_name).contains(text, autoescape=True)
        )
        query = query.where(
            sa.or_(
                sa.func.lower(LearningSession.title).contains(text, autoescape=True),
                sa.func.lower(LearningSession.abstract).contains(text, autoescape=True),
                LearningSession.lead_id.in_(names),
                LearningSession.id.in_(
                    sa.select(session_co_teachers.c.session_id).where(
                        session_co_teachers.c.user_id.in_(names)
                    )
                ),
            )
        )
    return query


def programme(
    db_session: DbSession,
    edition: Edition,
    viewer: User,
    filters: ProgrammeFilters,
    *,
    now: datetime,
) -> Programme:
    """The published programme as one person sees it: the runs that match, their seats
    and the viewer's own sign-ups and waitlist places."""
    runs = list(db_session.scalars(_matching(_published_runs(edition), edition, filters)).unique())
    counts = seat_counts(db_session, runs, now)
    if filters.only_free:
        runs = [run for run in runs if counts[run.id].free > 0]
    mine = _active_signups(db_session, viewer, edition)
    entries = [ProgrammeEntry(run, counts[run.id], mine.get(run.session_id)) for run in runs]
    languages = db_session.scalars(
        sa.select(LearningSession.language)
        .where(
            LearningSession.edition_id == edition.id,
            LearningSession.status == ProposalStatus.ACCEPTED,
        )
        .distinct()
        .order_by(LearningSession.language)
    ).all()
    return Programme(
        edition=edition,
        entries=entries,
        positions=waitlist_positions(
            db_session,
            {s.run_id for s in mine.values() if s.status == SignupStatus.WAITLISTED},
        ),
        languages=list(languages),
    )


def _active_signups(db_session: DbSession, user: User, edition: Edition) -> dict[int, Signup]:
    signups = db_session.scalars(
        sa.select(Signup)
        .join(LearningSession, LearningSession.id == Signup.session_id)
        .where(
            Signup.user_id == user.id,
            Signup.status.in_(ACTIVE_SIGNUP_STATUSES),
            LearningSession.edition_id == edition.id,
        )
    )
    return {signup.session_id: signup for signup in signups}


@dataclass
class Timetable:
    """One day as a grid: start times down, rooms across."""

    day: date
    rooms: list[Room]
    rows: list[tuple[str, list[list[ProgrammeEntry]]]] = field(default_factory=list)


def timetable(programme_: Programme) -> list[Timetable]:
    """The programme's entries laid out per day, a column for each room used that day."""
    zone = programme_.edition.zone
    days = []
    for day, entries in programme_.by_day():
        placed = [(entry, *_placement(entry.run)) for entry in entries]
        rooms = sorted(
            {room.id: room for _, _, room in placed}.values(),
            key=lambda room: (room.kind, room.name.lower()),
        )
        column = {room.id: index for index, room in enumerate(rooms)}
        starts: dict[str, list[list[ProgrammeEntry]]] = {}
        for entry, starts_at, room in placed:
            cells = starts.setdefault(f"{starts_at.astimezone(zone):%H:%M}", [[] for _ in rooms])
            cells[column[room.id]].append(entry)
        days.append(Timetable(day=day, rooms=rooms, rows=list(starts.items())))
    return days


def session_page_query(session_id: int) -> sa.Select[LearningSession]:
    """A session with everything its public page shows."""
    return (
        sa.select(LearningSession)
        .where(LearningSession.id == session_id)
        .options(
            joinedload(LearningSession.edition),
            joinedload(LearningSession.lead),
            selectinload(LearningSession.co_teachers),
            selectinload(LearningSession.topics),
            selectinload(LearningSession.objectives),
            selectinload(LearningSession.resources),
            selectinload(LearningSession.runs).joinedload(Run.room),
        )
    )


@dataclass
class AgendaItem:
    """A run on my agenda: one I have a sign-up for, or one I teach."""

    run: Run
    signup: Signup | None  # None: the viewer teaches this run
    # Another run of mine, overlapping this one, in which I hold a seat: with a seat here
    # too, the two clash until I keep one; waiting here, no seat can come to me.
    clash: Run | None = None

    @property
    def is_teaching(self) -> bool:
        """Whether the viewer teaches this run (rather than attends it)."""
        return self.signup is None

    @property
    def is_double_booked(self) -> bool:
        """I hold a seat here and in an overlapping run (an organizer moved one anyway)."""
        return (
            self.clash is not None
            and self.signup is not None
            and self.signup.status == SignupStatus.CONFIRMED
        )

    @property
    def is_held_back(self) -> bool:
        """I wait here, but a seat cannot come to me while I hold the clashing one."""
        return (
            self.clash is not None
            and self.signup is not None
            and self.signup.status == SignupStatus.WAITLISTED
        )


@dataclass
class Agenda:
    """My runs in time order, with my waitlist places by sign-up id."""

    items: list[AgendaItem]
    positions: dict[int, int]

    def by_day(self) -> list[tuple[date, list[AgendaItem]]]:
        """Items grouped by their day in their edition's time zone, in time order."""
        days: dict[date, list[AgendaItem]] = defaultdict(list)
        for item in self.items:
            zone = item.run.learning_session.edition.zone
            days[_placement(item.run)[0].astimezone(zone).date()].append(item)
        return sorted(days.items())


def agenda(db_session: DbSession, user: User, *, now: datetime) -> Agenda:
    """The runs I have a seat in, am offered, wait for or teach, from a day ago on.

    Runs cancelled under my sign-up stay, marked, so I see why they left. Each seat or
    waitlist place names the overlapping run I hold a seat in, if any (in the same query).
    """
    since = now - timedelta(days=1)
    clash_id = overlapping_seats(user.id).limit(1).scalar_subquery()
    signups = db_session.execute(
        with_run_details(
            sa.select(Run, Signup, clash_id)
            .join(Signup, Signup.run_id == Run.id)
            .where(
                Signup.user_id == user.id,
                Signup.status.in_([*ACTIVE_SIGNUP_STATUSES, SignupStatus.RUN_CANCELLED]),
                Run.starts_at >= since,
            )
        )
    ).all()
    teaching = db_session.scalars(
        with_run_details(
            sa.select(Run)
            .join(Run.learning_session)
            .where(
                Run.is_live,
                Run.starts_at >= since,
                sa.or_(
                    LearningSession.lead_id == user.id,
                    LearningSession.id.in_(
                        sa.select(session_co_teachers.c.session_id).where(
                            session_co_teachers.c.user_id == user.id
                        )
                    ),
                ),
                LearningSession.edition.has(Edition.is_published),
            )
        )
    ).unique()
    items = [AgendaItem(run, signup) for run, signup, _ in signups]
    items += [AgendaItem(run, None) for run in teaching]
    runs = {item.run.id: item.run for item in items}
    clashes = {
        signup.id: runs.get(other_id)
        for run, signup, other_id in signups
        if other_id is not None
        and not run.is_cancelled
        and signup.status in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
    }
    for item in items:
        if item.signup is not None:
            item.clash = clashes.get(item.signup.id)
    items.sort(key=lambda item: (item.run.starts_at, item.run.id))
    waiting = {
        item.run.id
        for item in items
        if item.signup and item.signup.status == SignupStatus.WAITLISTED
    }
    return Agenda(items=items, positions=waitlist_positions(db_session, waiting))
