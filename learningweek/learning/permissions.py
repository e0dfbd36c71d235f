"""Who may read a reflection."""

from __future__ import annotations

from learningweek.accounts.models import User
from learningweek.learning.models import Reflection


def can_read_reflection(user: User, reflection: Reflection) -> bool:
    """Only its writer: not the teachers, not even an organizer."""
    return reflection.user_id == user.id
