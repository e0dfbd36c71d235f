"""People who use the app."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, validates

from learningweek.core.database import utcnow
from learningweek.extensions import Model

EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 120
DEPARTMENT_MAX_LENGTH = 120


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively, so they are stored lower-cased."""
    return email.strip().lower()


class User(UserMixin, Model):
    """An employee; organizers are employees with the organizer flag."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    department: Mapped[str] = mapped_column(sa.String(DEPARTMENT_MAX_LENGTH), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_organizer: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Part of the login id: raising it logs the user out everywhere, remember-me
    # cookies included (after a password change or a deactivation).
    login_generation: Mapped[int] = mapped_column(default=0)
    # Optional mails each person may turn off; confirmations and changes always go.
    wants_reminder_mail: Mapped[bool] = mapped_column(default=True)
    wants_feedback_mail: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Calendar feeds show teachers' names: a change must change the feeds' validators.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @validates("email")
    def _normalise_email(self, key: str, email: str) -> str:
        return normalise_email(email)

    def get_id(self) -> str:
        return f"{self.id}:{self.login_generation}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"
