"""Every feature's models in one place, for Alembic, `flask shell` and create_all."""

from learningweek.accounts.models import User
from learningweek.editions.models import Edition, Room, Topic

__all__ = ["Edition", "Room", "Topic", "User"]
