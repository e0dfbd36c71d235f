"""Telling a run's people what happened to their seat."""

from __future__ import annotations

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import NotificationKind
from learningweek.core.localtime import format_local
from learningweek.notifications.services import queue_notification
from learningweek.schedule.models import Run


def tell(
    db_session: DbSession,
    user: User,
    kind: NotificationKind,
    run: Run,
    subject: str,
    body: str,
    *,
    invitation: str | None = None,
) -> None:
    """Queue a message about a run; `invitation` (REQUEST or CANCEL) attaches the run's."""
    queue_notification(
        db_session,
        recipient=user,
        kind=kind,
        subject=subject,
        body=body,
        session_id=run.session_id,
        run_id=run.id if invitation else None,
        calendar_method=invitation,
    )


def run_label(run: Run) -> str:
    """The run as messages name it: its session's title and its local start."""
    learning_session = run.learning_session
    if run.starts_at is None:
        return f"“{learning_session.title}”"
    when = format_local(run.starts_at, learning_session.edition.zone)
    return f"“{learning_session.title}” on {when}"
