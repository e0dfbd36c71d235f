"""Who may do what with a proposal: named predicates, checked before acting."""

from __future__ import annotations

from datetime import datetime

from learningweek.accounts.models import User
from learningweek.core.enums import ProposalStatus
from learningweek.editions.permissions import can_see_programme
from learningweek.proposals.models import LearningSession


def is_teacher(user: User, learning_session: LearningSession) -> bool:
    """The lead or one of the co-teachers."""
    return user.id == learning_session.lead_id or any(
        co_teacher.id == user.id for co_teacher in learning_session.co_teachers
    )


def is_teacher_or_organizer(user: User, learning_session: LearningSession) -> bool:
    """The rule behind everything that belongs to a session's people: rosters, meeting
    links, results, interest counts, editing."""
    return user.is_organizer or is_teacher(user, learning_session)


def is_lead(user: User, learning_session: LearningSession) -> bool:
    """The teacher who proposed the session."""
    return user.id == learning_session.lead_id


def can_view_proposal(user: User, learning_session: LearningSession) -> bool:
    """Organizers and teachers see everything; others see accepted sessions only."""
    return (
        is_teacher_or_organizer(user, learning_session)
        or learning_session.status == ProposalStatus.ACCEPTED
    )


def can_edit_proposal(user: User, learning_session: LearningSession) -> bool:
    """Teachers and organizers, until the proposal reaches a final state."""
    if learning_session.status.is_final:
        return False
    return is_teacher_or_organizer(user, learning_session)


def can_edit_locked_fields(user: User, learning_session: LearningSession) -> bool:
    """After acceptance, only organizers change what scheduling and attendees rely on."""
    return user.is_organizer or learning_session.status != ProposalStatus.ACCEPTED


def can_decide(user: User) -> bool:
    """Accept, reject or request changes."""
    return user.is_organizer


def can_cancel(user: User) -> bool:
    """Cancel an accepted session."""
    return user.is_organizer


def can_manage_co_teachers(user: User, learning_session: LearningSession) -> bool:
    """Adding and removing co-teachers is the lead's or an organizer's."""
    return (user.is_organizer or is_lead(user, learning_session)) and (
        not learning_session.status.is_final
    )


def can_see_runs(user: User, learning_session: LearningSession) -> bool:
    """When and where an accepted session runs: organizers plan it, everyone else sees it
    once the programme is published."""
    return learning_session.status == ProposalStatus.ACCEPTED and can_see_programme(
        user, learning_session.edition
    )


def can_see_interest_count(user: User, learning_session: LearningSession) -> bool:
    """Counts are for planning, not a popularity contest: organizers and the teachers."""
    return is_teacher_or_organizer(user, learning_session)


def has_started(learning_session: LearningSession, now: datetime) -> bool:
    """Whether the session's first placed run has begun (the edition's start if none is)."""
    starts = [
        run.starts_at
        for run in learning_session.runs
        if run.starts_at is not None and not run.is_cancelled
    ]
    return now >= (min(starts) if starts else learning_session.edition.starts_at)
