"""Queueing and listing notifications."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from learningweek.accounts.models import User
from learningweek.enums import NotificationKind
from learningweek.notifications.models import Notification


def queue_notification(
    db_session: Session,
    *,
    recipient: User,
    kind: NotificationKind,
    subject: str,
    body: str,
    session_id: int | None = None,
) -> Notification:
    """Queue a message in the caller's transaction: a rollback sends nothing."""
    notification = Notification(
        recipient=recipient, kind=kind, subject=subject, body=body, session_id=session_id
    )
    db_session.add(notification)
    return notification


def notifications_for(user: User) -> sa.Select[tuple[Notification]]:
    """One person's messages, newest first."""
    return (
        sa.select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def outbox() -> sa.Select[tuple[Notification]]:
    """Every queued message, newest first, with its recipient."""
    return (
        sa.select(Notification)
        .options(joinedload(Notification.recipient))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
