"""Domain errors: a rule of the product refused an action."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the product refused an action; the message is safe to show to users.

    `field` names the form field the message belongs to, when there is one.
    """

    # How a page shows it: most refusals are errors; a repeat of what is done is not.
    flash_category = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message

    @property
    def full_text(self) -> str:
        """Everything that is wrong, in one line (a page shows it above everything)."""
        return self.message


class NotAllowed(DomainError):
    """The actor may not perform this action."""


class ValidationFailed(DomainError):
    """Data broke one or more rules; `problems` maps each field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        field_name, message = next(iter(problems.items()))
        super().__init__(message, field=field_name)
        self.problems = problems

    @property
    def full_text(self) -> str:
        return " ".join(self.problems.values())
