"""What an organizer's change to a run does to people, known before it is made.

A move, a room change or a cancellation reaches the run's teachers and everyone
holding a seat, an offer or a waitlist place in it; a deactivation ends what one
person holds. The board shows these consequences on a confirmation page before
the change, and `clashes_after_move` is the rule that a move must not silently give
someone two overlapping seats (sign-up itself refuses that overlap).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import ACTIVE_SIGNUP_STATUSES, ProposalStatus, SignupStatus
from learningweek.notifications import tidings
from learningweek.notifications.services import ORGANIZERS
from learningweek.notifications.tidings import Tiding
from learningweek.proposals.models import LearningSession, session_co_teachers
from learningweek.schedule import news
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup


@dataclass(frozen=True)
class MoveClash:
    """A seat holder of a moved run who, at its new time, holds a seat in or teaches
    another run that overlaps it."""

    person: User
    seats: tuple[Run, ...]  # other runs they hold a confirmed seat in, earliest first
    teaching: tuple[Run, ...] = ()  # runs they teach, earliest first

    @property
    def runs(self) -> tuple[Run, ...]:
        """Every run the moved one would overlap for this person, earliest first."""
        return tuple(sorted((*self.seats, *self.teaching), key=_run_order))


def _run_order(run: Run) -> tuple[datetime, int]:
    assert run.starts_at is not None  # only placed runs clash
    return run.starts_at, run.id


def clashes_after_move(db_session: DbSession, run: Run, starts_at: datetime) -> list[MoveClash]:
    """The people holding a confirmed seat in `run` who, were it to start at
    `starts_at`, would also hold a seat in (or teach) another live run at that time.

    Ordered by name. Runs of `run`'s own session never count (one seat per session).
    A few queries: the seat holders' overlapping seats, their teaching, their names.
    """
    ends_at = starts_at + timedelta(minutes=run.learning_session.duration_minutes)
    holders = sa.select(Signup.user_id).where(
        Signup.run_id == run.id, Signup.status == SignupStatus.CONFIRMED
    )
    nearby = (
        sa.select(Run)
        .join(Run.learning_session)
        .where(
            Run.is_live,
            Run.session_id != run.session_id,
            Run.starts_at < ends_at,
            Run.starts_at > starts_at - timedelta(days=1),
        )
        .options(joinedload(Run.learning_session))
    )
    people: dict[int, User] = {}
    seats: dict[int, list[Run]] = defaultdict(list)
    teaching: dict[int, list[Run]] = defaultdict(list)
    seat_rows = db_session.execute(
        nearby.add_columns(Signup.user_id)
        .join(Signup, Signup.run_id == Run.id)
        .where(Signup.status == SignupStatus.CONFIRMED, Signup.user_id.in_(holders))
    )
    for other, user_id in seat_rows:
        if _overlaps(other, starts_at, ends_at):
            seats[user_id].append(other)
    teacher_queries = (
        nearby.add_columns(LearningSession.lead_id).where(LearningSession.lead_id.in_(holders)),
        nearby.add_columns(session_co_teachers.c.user_id)
        .join(session_co_teachers, session_co_teachers.c.session_id == Run.session_id)
        .where(session_co_teachers.c.user_id.in_(holders)),
    )
    teacher_rows = [row for query in teacher_queries for row in db_session.execute(query)]
    for other, user_id in teacher_rows:
        if _overlaps(other, starts_at, ends_at):
            teaching[user_id].append(other)
    ids = set(seats) | set(teaching)
    if ids:
        found = db_session.scalars(sa.select(User).where(User.id.in_(ids)))
        people = {user.id: user for user in found}
    clashes = [
        MoveClash(
            person=people[user_id],
            seats=tuple(sorted(seats.get(user_id, []), key=_run_order)),
            teaching=tuple(sorted(teaching.get(user_id, []), key=_run_order)),
        )
        for user_id in ids
    ]
    return sorted(clashes, key=lambda clash: (clash.person.display_name.lower(), clash.person.id))


def _overlaps(other: Run, starts_at: datetime, ends_at: datetime) -> bool:
    return (
        other.starts_at is not None
        and other.ends_at is not None
        and other.starts_at < ends_at
        and starts_at < other.ends_at
    )


@dataclass(frozen=True)
class Affected:
    """People a change reaches in one way, and what each of them will be told."""

    role: str  # "Seat holders"
    people: tuple[User, ...]
    told: str  # "A message with its new time and place; their calendar event is updated …"
    sample: Tiding | None = None  # the tiding `told` describes (what is announced to them)


@dataclass(frozen=True)
class Consequences:
    """Who a change to a run reaches and how, for the organizer to confirm it."""

    groups: tuple[Affected, ...]
    clashes: tuple[MoveClash, ...] = ()
    clashes_told: str = ""  # what those booked twice are told, if the move goes ahead

    @property
    def count(self) -> int:
        """How many people the change reaches."""
        return len({person.id for group in self.groups for person in group.people})

    @property
    def reaches_anyone(self) -> bool:
        """Whether anyone is affected (before publishing, nobody is)."""
        return self.count > 0


ROLE_NAMES = {
    news.TEACHER: "Teachers",
    news.SEAT: "Seat holders",
    news.OFFERED: "Offered a seat",
    news.WAITING: "Waiting",
}


def people_by_role(db_session: DbSession, run: Run) -> dict[str, tuple[User, ...]]:
    """The run's teachers, seat holders, people offered a seat and waiting people, in
    seat then waitlist order."""
    rows = db_session.execute(
        sa.select(Signup.status, User)
        .join(Signup.user)
        .where(Signup.run_id == run.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
        .order_by(Signup.is_bumped.desc(), Signup.queued_at, Signup.id)
    )
    found: dict[str, list[User]] = defaultdict(list)
    for status, user in rows:
        found[news.ROLE_OF_STATUS[status]].append(user)
    return {
        news.TEACHER: tuple(run.learning_session.teachers),
        **{role: tuple(found[role]) for role in (news.SEAT, news.OFFERED, news.WAITING)},
    }


def _groups(
    people: dict[str, tuple[User, ...]], make: Callable[[User, str], Tiding]
) -> tuple[Affected, ...]:
    """Each role's people, with what the tiding the change announces to them says."""
    groups = []
    for role, name in ROLE_NAMES.items():
        # The group's first person stands for all of them: what they are told does
        # not depend on who they are. An empty group is described all the same.
        sample = make(people[role][0] if people[role] else User(), role)
        groups.append(Affected(name, people[role], tidings.told(sample), sample))
    return tuple(groups)


def move_consequences(
    db_session: DbSession, run: Run, starts_at: datetime, *, is_room_change: bool = False
) -> Consequences:
    """Who moving a placed, published run (or changing its room) reaches, and what
    each is told. Nobody is told of changes before the programme is published."""
    learning_session = run.learning_session
    if not learning_session.edition.is_published or not run.is_placed:
        return Consequences(groups=())
    moving = starts_at != run.starts_at
    clashes = clashes_after_move(db_session, run, starts_at) if moving else []

    def make(person: User, role: str, clash: MoveClash | None = None) -> Tiding:
        return news.move_tiding(
            person,
            run,
            role,
            old_starts_at=run.starts_at,
            old_place=tidings.place(run),
            is_room_change=is_room_change,
            clash_seats=clash.seats if clash else (),
            clash_teaching=clash.teaching if clash else (),
        )

    return Consequences(
        groups=_groups(people_by_role(db_session, run), make),
        clashes=tuple(clashes),
        clashes_told=tidings.told(make(clashes[0].person, news.SEAT, clashes[0]))
        if clashes
        else "",
    )


def cancel_consequences(db_session: DbSession, run: Run) -> Consequences:
    """Who cancelling a run reaches, and what each is told."""

    def make(person: User, role: str) -> Tiding:
        return news.cancel_tiding(person, run, role, comment="", comment_author=ORGANIZERS)

    return Consequences(groups=_groups(people_by_role(db_session, run), make))


@dataclass(frozen=True)
class Holding:
    """One thing a person holds in a run still to come: a seat, an offer, a waitlist
    place, or teaching it."""

    run: Run
    what: str  # "Seat", "Seat offered", "On the waitlist", "Teaches"


def holdings_of(db_session: DbSession, user: User, *, now: datetime) -> list[Holding]:
    """What the person holds in live runs that have not ended, in time order: what a
    deactivation would take from them and from the runs' other people."""
    upcoming = (
        sa.select(Run)
        .join(Run.learning_session)
        .where(Run.is_live, Run.starts_at > now - timedelta(days=1))
        .options(joinedload(Run.learning_session).joinedload(LearningSession.edition))
    )
    labels = {
        SignupStatus.CONFIRMED: "Seat",
        SignupStatus.OFFERED: "Seat offered",
        SignupStatus.WAITLISTED: "On the waitlist",
    }
    held = [
        Holding(run, labels[status])
        for run, status in db_session.execute(
            upcoming.add_columns(Signup.status)
            .join(Signup, Signup.run_id == Run.id)
            .where(Signup.user_id == user.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
        )
    ]
    teaches = sa.or_(
        LearningSession.lead_id == user.id,
        LearningSession.id.in_(
            sa.select(session_co_teachers.c.session_id).where(
                session_co_teachers.c.user_id == user.id
            )
        ),
    )
    held += [
        Holding(run, "Teaches")
        for run in db_session.scalars(
            upcoming.where(teaches, LearningSession.status == ProposalStatus.ACCEPTED)
        ).unique()
    ]
    return sorted(
        (h for h in held if h.run.ends_at is not None and h.run.ends_at > now),
        key=lambda h: _run_order(h.run),
    )


@dataclass(frozen=True)
class RoomChangeReach:
    """Who a change to a room's name, location or meeting link reaches through its runs
    still to come (in published programmes: before that, nobody is told). People are
    (id, name) pairs in name order."""

    runs: int
    seat_holders: tuple[tuple[int, str], ...]  # told, and their calendar updated
    others_signed_up: tuple[tuple[int, str], ...]  # offered or waiting: told of a new place
    teachers: tuple[tuple[int, str], ...]  # told, and the event they teach updated
    link_only: bool  # only the meeting link changes: only seat holders and teachers hear

    @property
    def told(self) -> int:
        """How many people get a message (someone in several runs or roles counts once)."""
        others = () if self.link_only else self.others_signed_up
        return len({person_id for person_id, _ in (*self.seat_holders, *others, *self.teachers)})

    @property
    def reaches_anyone(self) -> bool:
        """Whether anyone is told, so the organizer should confirm first."""
        return self.told > 0


def room_change_reach(
    db_session: DbSession, room_id: int, *, now: datetime, link_only: bool
) -> RoomChangeReach:
    """Who changing a room's place or link reaches: its live runs still to come in
    published editions, their seat holders, others signed up and teachers. Three queries."""
    runs = (
        sa.select(Run.id, Run.session_id)
        .join(Run.learning_session)
        .where(
            Run.room_id == room_id,
            Run.starts_at > now,
            Run.is_live,
            LearningSession.edition.has(is_published=True),
        )
        .subquery()
    )
    run_count = db_session.execute(sa.select(sa.func.count()).select_from(runs)).scalar_one()
    signed_up = db_session.execute(
        sa.select(User.id, User.display_name, Signup.status == SignupStatus.CONFIRMED)
        .join(Signup, Signup.user_id == User.id)
        .where(
            Signup.run_id.in_(sa.select(runs.c.id)),
            Signup.status.in_(ACTIVE_SIGNUP_STATUSES),
        )
        .distinct()
        .order_by(User.display_name, User.id)
    ).all()
    sessions = sa.select(runs.c.session_id)
    teacher_ids = sa.union(
        sa.select(LearningSession.lead_id.label("user_id")).where(LearningSession.id.in_(sessions)),
        sa.select(session_co_teachers.c.user_id).where(
            session_co_teachers.c.session_id.in_(sessions)
        ),
    ).subquery()
    teachers = db_session.execute(
        sa.select(User.id, User.display_name)
        .where(User.id.in_(sa.select(teacher_ids.c.user_id)))
        .order_by(User.display_name, User.id)
    ).all()
    return RoomChangeReach(
        runs=run_count,
        seat_holders=_people(row for row in signed_up if row[2]),
        others_signed_up=_people(row for row in signed_up if not row[2]),
        teachers=_people(teachers),
        link_only=link_only,
    )


def _people(rows) -> tuple[tuple[int, str], ...]:
    return tuple(dict.fromkeys((person_id, name) for person_id, name, *_ in rows))
