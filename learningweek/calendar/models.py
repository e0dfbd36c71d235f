"""The secret behind each person's calendar feed URL."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from learningweek.database import utcnow
from learningweek.extensions import db


class CalendarToken(db.Model):
    """A person's feed secret: the URL's token is derived from `nonce` and the app's key.

    Only a hash of the token is stored for lookup, so the database alone reveals no
    working URL; a new nonce (revoking) makes the old URL stop working.
    """

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(sa.String(64))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarToken {self.id} user={self.user_id}>"
