"""Queueing and listing notifications."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import OPTIONAL_MAILS, DeliveryState, NotificationKind
from learningweek.editions.models import Edition
from learningweek.notifications.models import Notification
from learningweek.proposals.models import LearningSession


def queue_notification(
    db_session: DbSession,
    *,
    recipient: User,
    kind: NotificationKind,
    subject: str,
    body: str,
    session_id: int | None = None,
    run_id: int | None = None,
    calendar_method: str | None = None,
    html: str = "",
) -> Notification:
    """Queue a message in the caller's transaction: a rollback sends nothing. With a run
    and a method (REQUEST or CANCEL) the mail carries that run's invitation; `html` is
    the body as HTML paragraphs (without it the mail makes them from the text)."""
    notification = Notification(
        recipient=recipient,
        kind=kind,
        # Subjects quote titles people wrote; the column holds the first 200 characters.
        subject=subject[:200],
        body=body,
        session_id=session_id,
        run_id=run_id,
        calendar_method=calendar_method,
        html_content=html,
    )
    if not wants_mail(recipient, kind):
        notification.state = DeliveryState.SKIPPED
    db_session.add(notification)
    return notification


def tell_teachers(
    db_session: DbSession,
    learning_session: LearningSession,
    kind: NotificationKind,
    *,
    subject: str,
    body: str,
) -> None:
    """Queue the same message to each of the session's teachers."""
    for teacher in learning_session.teachers:
        queue_notification(
            db_session,
            recipient=teacher,
            kind=kind,
            subject=subject,
            body=body,
            session_id=learning_session.id,
        )


ORGANIZERS = "the organizers"


def with_comment(body: str, comment: str | None, *, author: str) -> str:
    """A message with someone's own words after it, saying whose words they are."""
    words = (comment or "").strip()
    if not words:
        return body
    return f"{body}\n\nComment from {author}:\n{words}"


def wants_mail(recipient: User, kind: NotificationKind) -> bool:
    """Whether this kind of message goes out by mail to this person (optional ones are
    theirs to turn off; they still see every message in the app)."""
    preference = OPTIONAL_MAILS.get(kind)
    return preference is None or getattr(recipient, preference)


def notifications_for(user: User) -> sa.Select[Notification]:
    """One person's messages, newest first."""
    return (
        sa.select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def outbox() -> sa.Select[Notification]:
    """Every queued message, newest first, with its recipient."""
    return (
        sa.select(Notification)
        .options(joinedload(Notification.recipient))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def zones_of(
    db_session: DbSession, notifications: Iterable[Notification], *, default: str
) -> dict[int, str]:
    """The time zone each message's times show in: its session's edition's, else
    `default` (one query)."""
    notifications = list(notifications)
    session_ids = {n.session_id for n in notifications if n.session_id is not None}
    zones = dict(
        db_session.execute(
            sa.select(LearningSession.id, Edition.time_zone)
            .join(LearningSession.edition)
            .where(LearningSession.id.in_(session_ids))
        ).all()
        if session_ids
        else []
    )
    return {
        n.id: zones.get(n.session_id, default) if n.session_id is not None else default
        for n in notifications
    }
