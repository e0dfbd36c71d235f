"""Every feature's models in one place, for Alembic, `flask shell` and create_all."""

from learningweek.accounts.models import User
from learningweek.editions.models import Edition, Room, Topic
from learningweek.notifications.models import Notification
from learningweek.proposals.models import (
    Interest,
    LearningObjective,
    LearningSession,
    ProposalEvent,
    SessionResource,
)

__all__ = [
    "Edition",
    "Interest",
    "LearningObjective",
    "LearningSession",
    "Notification",
    "ProposalEvent",
    "Room",
    "SessionResource",
    "Topic",
    "User",
]
