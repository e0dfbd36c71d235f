"""Interest marks: colleagues star accepted sessions, so organizers can plan for demand."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import ProposalStatus
from learningweek.core.errors import DomainError
from learningweek.proposals import permissions
from learningweek.proposals.models import Interest, LearningSession


def set_interest(
    db_session: DbSession, learning_session: LearningSession, user: User, *, interested: bool
) -> bool:
    """Star or unstar an accepted session before the programme is published.

    Idempotent: starring twice leaves one star. Returns whether anything changed.
    """
    if learning_session.status != ProposalStatus.ACCEPTED:
        raise DomainError("Only accepted sessions can be marked as interesting.")
    if learning_session.edition.is_published:
        raise DomainError("The programme is published: sign up for a run instead.")
    if permissions.is_teacher(user, learning_session):
        raise DomainError("You teach this session, so your interest is taken for granted.")
    key = {"session_id": learning_session.id, "user_id": user.id}
    exists = db_session.get(Interest, (learning_session.id, user.id)) is not None
    if interested == exists:
        return False
    if interested:
        try:
            with db_session.begin_nested():
                db_session.add(Interest(**key))
        except sa.exc.IntegrityError:
            return False  # a double click that raced this one already starred it
    else:
        db_session.execute(sa.delete(Interest).filter_by(**key))
    return True


def interest_counts(db_session: DbSession, session_ids: Iterable[int]) -> dict[int, int]:
    """Stars per session, in one query."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db_session.execute(
        sa.select(Interest.session_id, sa.func.count())
        .where(Interest.session_id.in_(ids))
        .group_by(Interest.session_id)
    )
    return {session_id: count for session_id, count in rows}


def starred_session_ids(db_session: DbSession, user: User, session_ids: Iterable[int]) -> set[int]:
    """Which of these sessions the user starred, in one query."""
    ids = list(session_ids)
    if not ids:
        return set()
    return set(
        db_session.scalars(
            sa.select(Interest.session_id).where(
                Interest.user_id == user.id, Interest.session_id.in_(ids)
            )
        )
    )
