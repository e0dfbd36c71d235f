"""Telling everyone a run concerns about a change to it, through `tidings`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.core.database import DbSession
from learningweek.core.enums import ACTIVE_SIGNUP_STATUSES, NotificationKind, SignupStatus
from learningweek.notifications.tidings import Tiding, announce, tiding
from learningweek.schedule.models import Run
from learningweek.schedule.news import teaches_in_calendar
from learningweek.signups.models import Signup


def tell_everyone_in(
    db_session: DbSession,
    run: Run,
    kind: NotificationKind,
    *,
    seated_only: bool = False,
    **facts: Any,
) -> None:
    """Tell the run's teachers and everyone signed up (or only its seat holders) about a
    change to a run that stays: a seat holder's and a teacher's calendar gets the run
    again (REQUEST)."""
    signups = db_session.scalars(
        sa.select(Signup)
        .options(joinedload(Signup.user))
        .where(Signup.run_id == run.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
        .order_by(Signup.user_id)
    )
    taught = teaches_in_calendar(run)
    news: list[Tiding] = [
        tiding(
            kind,
            teacher,
            run,
            was_in_calendar=taught,
            is_in_calendar=taught,
            is_teacher=True,
            **facts,
        )
        for teacher in run.learning_session.teachers
    ]
    for signup in signups:
        seated = signup.status == SignupStatus.CONFIRMED and not run.is_cancelled
        if seated_only and not seated:
            continue
        news.append(
            tiding(
                kind,
                signup.user,
                run,
                was_in_calendar=seated,
                is_in_calendar=seated,
                is_teacher=False,
                **facts,
            )
        )
    announce(db_session, news)
