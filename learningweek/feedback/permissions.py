"""Who may see a session's feedback results."""

from __future__ import annotations

from learningweek.accounts.models import User
from learningweek.proposals.models import LearningSession
from learningweek.proposals.permissions import is_teacher_or_organizer


def can_see_results(user: User, learning_session: LearningSession) -> bool:
    """A session's results are for its teachers and the organizers."""
    return is_teacher_or_organizer(user, learning_session)
