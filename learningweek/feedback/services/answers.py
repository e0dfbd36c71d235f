"""Giving feedback: who may answer about a run, the window, one answer per person, and
the request that goes out when a run ends."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession, unique_or_raise
from learningweek.core.enums import NotificationKind, SignupStatus
from learningweek.core.errors import DomainError, ValidationFailed
from learningweek.core.localtime import format_local
from learningweek.feedback.models import (
    COMMENT_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    RATINGS,
    Feedback,
    ObjectiveRating,
)
from learningweek.notifications.tidings import announce, tiding
from learningweek.proposals.permissions import is_teacher
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup


class FeedbackRefused(DomainError):
    """This person cannot give feedback on this run now; the message says why."""


@dataclass(frozen=True)
class FeedbackData:
    """An answer as the form gives it: any rating may be missing or out of range."""

    overall: int | None
    useful: int | None
    would_recommend: bool | None
    worked: str = ""
    improve: str = ""
    objectives: dict[int, int | None] = field(default_factory=dict)  # objective id → rating


@dataclass(frozen=True)
class _Answer:
    """An answer that keeps every rule: what is stored."""

    overall: int
    useful: int
    would_recommend: bool
    worked: str
    improve: str
    objectives: dict[int, int]


def _checked(data: FeedbackData, objective_ids: Iterable[int]) -> _Answer:
    """The answer to store, or ValidationFailed naming every broken rule by form field."""
    problems: dict[str, str] = {}

    def rating(name: str, value: int | None) -> int:
        if value is None or value not in RATINGS:
            problems[name] = f"Choose from {RATING_MIN} to {RATING_MAX}."
            return RATING_MIN  # never stored: the problem raises below
        return value

    def comment(name: str, text: str) -> str:
        if len(text or "") > COMMENT_MAX_LENGTH:
            problems[name] = f"Keep it to {COMMENT_MAX_LENGTH:,} characters."
        return (text or "").strip()

    overall, useful = rating("overall", data.overall), rating("useful", data.useful)
    if data.would_recommend is None:
        problems["would_recommend"] = "Say yes or no."
    worked, improve = comment("worked", data.worked), comment("improve", data.improve)
    objectives = {
        objective_id: rating(f"objective_{objective_id}", data.objectives.get(objective_id))
        for objective_id in objective_ids
    }
    if problems:
        raise ValidationFailed(problems)
    return _Answer(overall, useful, bool(data.would_recommend), worked, improve, objectives)


@dataclass(frozen=True)
class FeedbackWindow:
    """When answers about a run are taken: from its end for the edition's feedback days."""

    opens_at: datetime
    closes_at: datetime


def feedback_window(run: Run) -> FeedbackWindow | None:
    """A run's feedback window; None while the run has no time (nobody attended it)."""
    ends_at = run.ends_at
    if ends_at is None:
        return None
    days = run.learning_session.edition.feedback_days
    return FeedbackWindow(opens_at=ends_at, closes_at=ends_at + timedelta(days=days))


def seat_in(db_session: DbSession, run: Run, user: User) -> Signup | None:
    """The person's confirmed seat in the run, if any (earlier, cancelled sign-ups of
    theirs for the same run are ignored)."""
    return db_session.scalar(
        sa.select(Signup).where(
            Signup.run_id == run.id,
            Signup.user_id == user.id,
            Signup.status == SignupStatus.CONFIRMED,
        )
    )


def feedback_refusal(run: Run, user: User, seat: Signup | None, *, now: datetime) -> str | None:
    """Why `user` (holding `seat`, their confirmed sign-up, or None) cannot answer about
    `run` now, or None."""
    learning_session = run.learning_session
    zone = learning_session.edition.zone
    window = feedback_window(run)
    if run.is_cancelled or window is None:
        return "This run did not take place."
    if is_teacher(user, learning_session):
        return "You teach this session; its attendees give the feedback."
    if seat is None:
        return "Only people who had a seat in this run can give feedback on it."
    if not seat.counts_as_attendee:
        return "You were checked in as not attending this run."
    if now < window.opens_at:
        return f"Feedback opens when the run ends, {format_local(window.opens_at, zone)}."
    if now >= window.closes_at:
        return f"Feedback closed {format_local(window.closes_at, zone)}."
    return None


def feedback_of(db_session: DbSession, run: Run, user: User) -> Feedback | None:
    """The person's answer about the run, if they gave one."""
    return db_session.scalar(
        sa.select(Feedback)
        .options(selectinload(Feedback.objective_ratings))
        .where(Feedback.run_id == run.id, Feedback.user_id == user.id)
    )


def save_feedback(
    db_session: DbSession, run: Run, data: FeedbackData, *, user: User, now: datetime
) -> Feedback:
    """Give or change one's answer, while the window is open. One answer per person."""
    refusal = feedback_refusal(run, user, seat_in(db_session, run, user), now=now)
    if refusal:
        raise FeedbackRefused(refusal)
    objective_ids = [objective.id for objective in run.learning_session.objectives]
    checked = _checked(data, objective_ids)
    answer = feedback_of(db_session, run, user)
    taken = FeedbackRefused("You have already answered; your answer is saved.")
    with unique_or_raise(db_session, taken):
        if answer is None:
            answer = Feedback(run_id=run.id, session_id=run.session_id, user_id=user.id)
            answer.created_at = now
            db_session.add(answer)
        answer.overall = checked.overall
        answer.useful = checked.useful
        answer.would_recommend = checked.would_recommend
        answer.worked = checked.worked
        answer.improve = checked.improve
        answer.updated_at = now
        ratings = {rating.objective_id: rating for rating in answer.objective_ratings}
        for objective_id, value in checked.objectives.items():
            rating = ratings.get(objective_id)
            if rating is None:
                rating = ObjectiveRating(objective_id=objective_id)
                answer.objective_ratings.append(rating)
            rating.rating = value
    return answer


def request_feedback(db_session: DbSession, *, now: datetime) -> int:
    """Ask every eligible attendee of each run that ended (once per run) for feedback.

    Returns how many requests were queued. The flag on the run makes a second pass,
    or a concurrent one that lost the race for the row, ask nobody twice.
    """
    due = db_session.scalars(
        sa.select(Run)
        .join(Run.learning_session)
        .where(Run.feedback_requested_at.is_(None), Run.is_live, Run.starts_at <= now)
        .order_by(Run.id)
        .with_for_update(of=Run, skip_locked=True)
    ).all()
    queued = 0
    for run in due:
        window = feedback_window(run)
        # Live runs are placed, so each has a window; it may not have opened yet.
        if window is None or now < window.opens_at:
            continue
        run.feedback_requested_at = now
        if now >= window.closes_at:
            continue  # asked too late to answer: flagged, nobody asked
        attendees = db_session.scalars(
            sa.select(User)
            .join(Signup, Signup.user_id == User.id)
            .where(Signup.run_id == run.id, Signup.counts_as_attendee)
            .order_by(User.id)
        )
        for attendee in attendees:
            if is_teacher(attendee, run.learning_session):
                continue
            announce(
                db_session,
                [
                    tiding(
                        NotificationKind.FEEDBACK_REQUEST, attendee, run, closes_at=window.closes_at
                    )
                ],
            )
            queued += 1
    db_session.flush()
    return queued
