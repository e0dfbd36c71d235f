"""Whether a person may take a seat in a run: the sign-up window and schedule clashes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.util import AliasedClass

from learningweek.accounts.models import User
from learningweek.core.database import DbSession, minutes_after
from learningweek.core.enums import ProposalStatus, SignupStatus
from learningweek.core.localtime import format_local
from learningweek.editions.models import Edition
from learningweek.proposals import permissions
from learningweek.proposals.models import LearningSession, session_co_teachers
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup


@dataclass(frozen=True)
class Clash:
    """A run someone is confirmed for or teaches that overlaps the one asked about."""

    title: str
    starts_at: datetime
    teaching: bool


def signup_refusal(run: Run, user: User, now: datetime) -> str | None:
    """Why `user` cannot sign up for `run` now, or None; pages show it in place of the button."""
    learning_session = run.learning_session
    edition = learning_session.edition
    if not user.is_active:
        return "This account is deactivated."
    if run.is_cancelled:
        return "This run is cancelled."
    if learning_session.status != ProposalStatus.ACCEPTED:
        return "This session is not on the programme."
    if not edition.is_published or run.starts_at is None:
        return "The programme is not published yet."
    if permissions.is_teacher(user, learning_session):
        return "You teach this session."
    if now >= run.starts_at:
        return "This run has already started."
    if now < edition.signup_opens_at:
        return f"Sign-up opens {format_local(edition.signup_opens_at, edition.zone)}."
    if now >= edition.signup_closes_at:
        return f"Sign-up closed {format_local(edition.signup_closes_at, edition.zone)}."
    return None


def clashes_of(
    db_session: DbSession, user_ids: Iterable[int], run: Run, *, ignore_session: bool = True
) -> dict[int, Clash]:
    """For each person, a run they are confirmed for or teach that overlaps `run`.

    Runs of `run`'s own session are ignored when switching between them.
    """
    user_ids = list(user_ids)
    starts_at, ends_at = run.starts_at, run.ends_at
    if not user_ids or starts_at is None or ends_at is None:
        return {}
    candidates = (
        sa.select(Run)
        .join(Run.learning_session)
        .where(
            Run.is_live,
            Run.starts_at >= starts_at - timedelta(days=1),
            Run.starts_at < ends_at + timedelta(days=1),
        )
        .options(joinedload(Run.learning_session))
    )
    if ignore_session:
        candidates = candidates.where(Run.session_id != run.session_id)
    # Every run these people hold a seat in or teach, in one query with the candidates.
    involved = sa.union_all(
        sa.select(Signup.run_id, Signup.user_id, sa.false().label("teaching")).where(
            Signup.user_id.in_(user_ids), Signup.status == SignupStatus.CONFIRMED
        ),
        sa.select(Run.id, LearningSession.lead_id, sa.true())
        .join(Run.learning_session)
        .where(LearningSession.lead_id.in_(user_ids)),
        sa.select(Run.id, session_co_teachers.c.user_id, sa.true())
        .join(session_co_teachers, session_co_teachers.c.session_id == Run.session_id)
        .where(session_co_teachers.c.user_id.in_(user_ids)),
    ).subquery()
    involvements = db_session.execute(
        candidates.add_columns(involved.c.user_id, involved.c.teaching).join(
            involved, involved.c.run_id == Run.id
        )
    ).all()
    teaching = [(other, user_id) for other, user_id, teaches in involvements if teaches]
    attending = [(other, user_id) for other, user_id, teaches in involvements if not teaches]
    found: dict[int, Clash] = {}
    for rows, is_teaching in ((teaching, True), (attending, False)):
        for other, user_id in rows:
            if other.id == run.id or user_id in found:
                continue
            if other.starts_at < ends_at and starts_at < other.ends_at:
                found[user_id] = Clash(other.learning_session.title, other.starts_at, is_teaching)
    return found


def clash_message(clash: Clash, edition: Edition) -> str:
    """The refusal for a clash, naming the other session and its time."""
    when = format_local(clash.starts_at, edition.zone)
    if clash.teaching:
        return f"You teach “{clash.title}” at that time ({when})."
    return f"It overlaps “{clash.title}” ({when}), which you are signed up for."


def overlapping_seats(user_id: int, this: type[Run] | AliasedClass[Run] = Run) -> sa.Select[int]:
    """The live runs of other sessions, overlapping `this` run, in which the person holds
    a confirmed seat: the ids, earliest first, as a subquery correlated to `this`.

    The rule promotion and sign-up apply to seats (`clashes_of`), in SQL, so a page
    can show on each of a person's sign-ups which seat stands in its way without a
    query per sign-up.
    """
    other = aliased(Run)
    other_session = aliased(LearningSession)
    own_session = aliased(LearningSession)
    seat = aliased(Signup)
    return (
        sa.select(other.id)
        .join(other_session, other_session.id == other.session_id)
        .join(seat, seat.run_id == other.id)
        .where(
            own_session.id == this.session_id,
            seat.user_id == user_id,
            seat.status == SignupStatus.CONFIRMED,
            other.session_id != this.session_id,
            other.starts_at.is_not(None),
            other.cancelled_at.is_(None),
            other_session.status == ProposalStatus.ACCEPTED,
            other.starts_at < minutes_after(this.starts_at, own_session.duration_minutes),
            this.starts_at < minutes_after(other.starts_at, other_session.duration_minutes),
        )
        .order_by(other.starts_at, other.id)
    )


def seat_in_the_way(db_session: DbSession, signup: Signup) -> Run | None:
    """The run whose seat keeps a waiting person from a seat in theirs: promotion passes
    them over (they keep their place) while they hold it. None when nothing is in the way."""
    this = aliased(Run)
    in_the_way = overlapping_seats(signup.user_id, this).where(this.id == signup.run_id)
    return db_session.scalars(
        sa.select(Run)
        .where(Run.id == in_the_way.limit(1).scalar_subquery())
        .options(joinedload(Run.learning_session).joinedload(LearningSession.edition))
    ).first()
