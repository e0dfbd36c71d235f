"""Every feature's models in one place, for Alembic, `flask shell` and create_all."""

from learningweek.accounts.models import User
from learningweek.calendar.models import CalendarToken, FeedVersion
from learningweek.editions.models import Edition, Room, Topic
from learningweek.feedback.models import Feedback, ObjectiveRating
from learningweek.learning.models import Reflection
from learningweek.notifications.models import Notification
from learningweek.proposals.models import (
    Interest,
    LearningObjective,
    LearningSession,
    ProposalEvent,
    SessionResource,
)
from learningweek.schedule.models import Run, RunChange
from learningweek.signups.models import Signup

__all__ = [
    "CalendarToken",
    "FeedVersion",
    "Edition",
    "Feedback",
    "Interest",
    "LearningObjective",
    "LearningSession",
    "Notification",
    "ObjectiveRating",
    "ProposalEvent",
    "Reflection",
    "Room",
    "Run",
    "RunChange",
    "SessionResource",
    "Signup",
    "Topic",
    "User",
]
