"""Who may see an edition and its programme: named predicates, checked before showing."""

from __future__ import annotations

from datetime import datetime

from learningweek.accounts.models import User
from learningweek.editions.models import Edition


def can_see_edition(user: User, edition: Edition, now: datetime) -> bool:
    """Organizers see every edition; employees once proposals open or it is published."""
    return user.is_organizer or edition.is_open_to_employees(now)


def can_see_programme(user: User, edition: Edition) -> bool:
    """When and where runs take place: organizers plan it, everyone sees it once published."""
    return user.is_organizer or edition.is_published
