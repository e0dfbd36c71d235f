"""Who may see what of a run's people: the meeting link and the roster."""

from __future__ import annotations

from learningweek.accounts.models import User
from learningweek.core.enums import SignupStatus
from learningweek.proposals.models import LearningSession
from learningweek.proposals.permissions import is_teacher_or_organizer
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup


def can_see_meeting_link(user: User, run: Run, signup: Signup | None) -> bool:
    """The link is for the run's confirmed attendees, its teachers and organizers, while
    the run takes place at all."""
    if run.is_cancelled:
        return False
    if is_teacher_or_organizer(user, run.learning_session):
        return True
    return (
        signup is not None and signup.run_id == run.id and signup.status == SignupStatus.CONFIRMED
    )


def can_see_roster(user: User, learning_session: LearningSession) -> bool:
    """Rosters and check-in belong to the session's teachers and the organizers."""
    return is_teacher_or_organizer(user, learning_session)
