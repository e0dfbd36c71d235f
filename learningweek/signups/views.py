"""Sign-up pages."""

from learningweek.signups import bp  # noqa: F401
