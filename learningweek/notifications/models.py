"""Messages queued for people; the mail feature delivers them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learningweek.accounts.models import User
from learningweek.core.database import enum_column, utcnow
from learningweek.core.enums import DeliveryState, NotificationKind
from learningweek.extensions import Model


class Notification(Model):
    """A message to one person, written in the same transaction as the change it reports:
    a rollback sends nothing, a commit never loses one. The mail worker delivers it."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
        sa.Index("ix_notifications_state_next_attempt_at", "state", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, length=40))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text, default="")
    # The body as HTML paragraphs from the kind's template, which the mail's frame wraps;
    # empty for messages whose HTML is made from the text's paragraphs.
    html_content: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The run whose invitation rides along (METHOD:REQUEST or CANCEL), built when the
    # mail goes out so it carries the run's current SEQUENCE.
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("runs.id", ondelete="SET NULL"))
    calendar_method: Mapped[str | None] = mapped_column(sa.String(10))
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("learning_sessions.id", ondelete="SET NULL")
    )
    state: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker's claim: while it lasts, no other worker takes the message.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(40))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipient: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to={self.recipient_id} {self.state}>"
