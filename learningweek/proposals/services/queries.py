"""Read-only lookups for the proposal pages, each loading what its page shows."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import ProposalStatus, SessionFormat
from learningweek.editions.models import Edition, Topic
from learningweek.proposals.models import (
    Interest,
    LearningSession,
    ProposalEvent,
    session_co_teachers,
)
from learningweek.proposals.services.workflow import ORGANIZER_DECISIONS
from learningweek.schedule.models import Run


def _with_people_and_topics(
    query: sa.Select[LearningSession],
) -> sa.Select[LearningSession]:
    return query.options(
        joinedload(LearningSession.lead),
        selectinload(LearningSession.co_teachers),
        selectinload(LearningSession.topics),
    )


def review_queue(
    edition: Edition,
    *,
    status: ProposalStatus | None = None,
    topic_id: int | None = None,
    session_format: SessionFormat | None = None,
) -> sa.Select[LearningSession]:
    """An edition's proposals for organizers, filtered, oldest submission first."""
    query = sa.select(LearningSession).where(LearningSession.edition_id == edition.id)
    if status is not None:
        query = query.where(LearningSession.status == status)
    if topic_id is not None:
        query = query.where(LearningSession.topics.any(Topic.id == topic_id))
    if session_format is not None:
        query = query.where(LearningSession.format == session_format)
    order = (
        LearningSession.submitted_at.is_(None),
        LearningSession.submitted_at,
        LearningSession.id,
    )
    return _with_people_and_topics(query).order_by(*order)


def status_counts(
    db_session: DbSession,
    edition: Edition,
    *,
    topic_id: int | None = None,
    session_format: SessionFormat | None = None,
) -> dict[ProposalStatus, int]:
    """How many of the edition's proposals are in each state, under the other filters."""
    filtered = review_queue(edition, topic_id=topic_id, session_format=session_format)
    ids = filtered.with_only_columns(LearningSession.id).order_by(None)
    rows = db_session.execute(
        sa.select(LearningSession.status, sa.func.count())
        .where(LearningSession.id.in_(ids))
        .group_by(LearningSession.status)
    )
    counts = dict.fromkeys(ProposalStatus, 0)
    counts.update({ProposalStatus(status): count for status, count in rows})
    return counts


def proposals_of(user: User) -> sa.Select[LearningSession]:
    """The proposals a person leads or co-teaches, newest first."""
    co_taught = sa.select(session_co_teachers.c.session_id).where(
        session_co_teachers.c.user_id == user.id
    )
    query = sa.select(LearningSession).where(
        sa.or_(LearningSession.lead_id == user.id, LearningSession.id.in_(co_taught))
    )
    return (
        _with_people_and_topics(query)
        .options(joinedload(LearningSession.edition))
        .order_by(LearningSession.created_at.desc(), LearningSession.id.desc())
    )


def latest_organizer_comments(
    db_session: DbSession, session_ids: Iterable[int]
) -> dict[int, ProposalEvent]:
    """Each session's most recent comment from an organizer's decision, in two queries."""
    ids = list(session_ids)
    if not ids:
        return {}
    latest = (
        sa.select(sa.func.max(ProposalEvent.id))
        .where(
            ProposalEvent.session_id.in_(ids),
            ProposalEvent.by_organizer,
            ProposalEvent.to_status.in_(ORGANIZER_DECISIONS),
            ProposalEvent.comment != "",
        )
        .group_by(ProposalEvent.session_id)
    )
    events = db_session.scalars(
        sa.select(ProposalEvent)
        .where(ProposalEvent.id.in_(latest))
        .options(joinedload(ProposalEvent.actor))
    )
    return {event.session_id: event for event in events}


def coming_up(
    edition: Edition, *, starred_by: User | None = None, topic_id: int | None = None
) -> sa.Select[LearningSession]:
    """An edition's accepted sessions, before the programme is published."""
    query = sa.select(LearningSession).where(
        LearningSession.edition_id == edition.id,
        LearningSession.status == ProposalStatus.ACCEPTED,
    )
    if starred_by is not None:
        query = query.where(
            LearningSession.id.in_(
                sa.select(Interest.session_id).where(Interest.user_id == starred_by.id)
            )
        )
    if topic_id is not None:
        query = query.where(LearningSession.topics.any(Topic.id == topic_id))
    return _with_people_and_topics(query).order_by(sa.func.lower(LearningSession.title))


def proposal_page_query(session_id: int) -> sa.Select[LearningSession]:
    """One proposal with everything its page shows."""
    return _with_people_and_topics(
        sa.select(LearningSession).where(LearningSession.id == session_id)
    ).options(
        joinedload(LearningSession.edition),
        selectinload(LearningSession.objectives),
        selectinload(LearningSession.resources),
        selectinload(LearningSession.events).joinedload(ProposalEvent.actor),
        selectinload(LearningSession.runs).joinedload(Run.room),
    )
