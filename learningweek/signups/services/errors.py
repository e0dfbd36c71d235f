"""The refusals sign-up services raise; views flash their messages."""

from __future__ import annotations

from learningweek.core.errors import DomainError


class SignupRefused(DomainError):
    """The run cannot take this person now (window, start, own session, state)."""


class ScheduleClash(DomainError):
    """The run overlaps one the person is confirmed for or teaches."""


class AlreadyDone(DomainError):
    """A repeated request (double click, replayed form): nothing changed."""

    flash_category = "info"


class SignupChanged(DomainError):
    """The sign-up moved to another run while this request waited; nothing changed."""


class SeatsWouldBeLost(DomainError):
    """A change would leave fewer seats than people holding them."""

    def __init__(self, holders: int, capacity: int, run_label: str) -> None:
        super().__init__(
            f"{holders} people hold seats in {run_label}, but it would seat only {capacity}."
        )
        self.excess = holders - capacity
