"""Private reflections: a person's notes on a session they attended."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from learningweek.core.database import utcnow
from learningweek.extensions import Model

REFLECTION_MAX_LENGTH = 5000


class Reflection(Model):
    """A person's private notes on a session they attended; nobody else reads them."""

    __tablename__ = "reflections"
    __table_args__ = (sa.UniqueConstraint("user_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_sessions.id", ondelete="CASCADE")
    )
    try_at_work: Mapped[str] = mapped_column(sa.Text, default="")
    practise: Mapped[str] = mapped_column(sa.Text, default="")
    ask_teacher: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Reflection {self.id} session={self.session_id}>"
