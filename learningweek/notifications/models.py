"""Messages queued for people; the mail feature delivers them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learningweek.accounts.models import User
from learningweek.database import enum_column, utcnow
from learningweek.enums import NotificationKind
from learningweek.extensions import db


class Notification(db.Model):
    """A message to one person, written in the same transaction as the change it reports."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_recipient_created", "recipient_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, length=40))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("learning_sessions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipient: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to={self.recipient_id}>"
