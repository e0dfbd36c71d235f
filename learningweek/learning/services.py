"""My learning: the sessions a person attended, their private reflections, and the
Markdown copy they can keep. Reflections are for their writer alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession, unique_or_raise
from learningweek.core.enums import SignupStatus
from learningweek.core.errors import DomainError, NotAllowed, ValidationFailed
from learningweek.core.localtime import format_local
from learningweek.feedback.models import Feedback
from learningweek.feedback.services.answers import feedback_refusal
from learningweek.learning.models import REFLECTION_MAX_LENGTH, Reflection
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup


@dataclass(frozen=True)
class ReflectionData:
    """Notes as the form gives them, one per prompt."""

    try_at_work: str = ""
    practise: str = ""
    ask_teacher: str = ""


REFLECTION_PROMPTS = {
    "try_at_work": "What will I try at work?",
    "practise": "What do I want to practise?",
    "ask_teacher": "What would I ask the teacher now?",
}


def attended_runs(db_session: DbSession, user: User, *, now: datetime) -> list[Run]:
    """Runs begun by `now`, not cancelled, in which the person counts as an attendee,
    newest first."""
    return list(
        db_session.scalars(
            sa.select(Run)
            .join(Signup, Signup.run_id == Run.id)
            .where(
                Signup.user_id == user.id,
                Signup.counts_as_attendee,
                Run.is_placed,
                ~Run.is_cancelled,
                Run.starts_at <= now,
            )
            .options(
                joinedload(Run.learning_session).joinedload(LearningSession.edition),
                joinedload(Run.learning_session).joinedload(LearningSession.lead),
                joinedload(Run.learning_session).selectinload(LearningSession.co_teachers),
                joinedload(Run.learning_session).selectinload(LearningSession.resources),
                joinedload(Run.learning_session).selectinload(LearningSession.objectives),
            )
            .order_by(Run.starts_at.desc(), Run.id)
        ).unique()
    )


def has_attended(
    db_session: DbSession, user: User, learning_session: LearningSession, *, now: datetime
) -> bool:
    """Whether the person sat in a run of the session that has begun."""
    return any(
        run.session_id == learning_session.id for run in attended_runs(db_session, user, now=now)
    )


def reflection_problems(data: ReflectionData) -> dict[str, str]:
    """Every rule a reflection breaks, by field."""
    return {
        name: f"Keep it to {REFLECTION_MAX_LENGTH:,} characters."
        for name in REFLECTION_PROMPTS
        if len(getattr(data, name) or "") > REFLECTION_MAX_LENGTH
    }


def reflection_of(db_session: DbSession, user: User, session_id: int) -> Reflection | None:
    """The person's own notes on a session, if any."""
    return db_session.scalar(
        sa.select(Reflection).where(
            Reflection.user_id == user.id, Reflection.session_id == session_id
        )
    )


def save_reflection(
    db_session: DbSession,
    learning_session: LearningSession,
    data: ReflectionData,
    *,
    writer: User,
    now: datetime,
) -> Reflection:
    """Write or rewrite one's private notes on a session one attended."""
    if not has_attended(db_session, writer, learning_session, now=now):
        raise NotAllowed("Reflections are for sessions you attended.")
    problems = reflection_problems(data)
    if problems:
        raise ValidationFailed(problems)
    reflection = reflection_of(db_session, writer, learning_session.id)
    with unique_or_raise(db_session, DomainError("Your notes were saved a moment ago; reload.")):
        if reflection is None:
            reflection = Reflection(user_id=writer.id, session_id=learning_session.id)
            reflection.created_at = now
            db_session.add(reflection)
        for name in REFLECTION_PROMPTS:
            setattr(reflection, name, (getattr(data, name) or "").strip())
        reflection.updated_at = now
    return reflection


@dataclass
class LearningItem:
    """A session I attended, with my notes, and whether and why I can answer about it."""

    run: Run
    reflection: Reflection | None
    feedback_given: bool
    refusal: str | None


def my_learning(db_session: DbSession, user: User, *, now: datetime) -> list[LearningItem]:
    """The sessions I attended, newest first, with my notes and my feedback's state."""
    runs = attended_runs(db_session, user, now=now)
    seats = {
        seat.run_id: seat
        for seat in db_session.scalars(
            sa.select(Signup).where(
                Signup.user_id == user.id,
                Signup.status == SignupStatus.CONFIRMED,
                Signup.run_id.in_([run.id for run in runs]),
            )
        )
    }
    reflections = {
        reflection.session_id: reflection
        for reflection in db_session.scalars(
            sa.select(Reflection).where(Reflection.user_id == user.id)
        )
    }
    answered = set(
        db_session.scalars(sa.select(Feedback.run_id).where(Feedback.user_id == user.id))
    )
    return [
        LearningItem(
            run,
            reflections.get(run.session_id),
            run.id in answered,
            feedback_refusal(run, user, seats.get(run.id), now=now),
        )
        for run in runs
    ]


def learning_markdown(user: User, items: list[LearningItem]) -> str:
    """My learning as a Markdown document to keep."""
    lines = [f"# My learning — {user.display_name}", ""]
    if not items:
        lines.append("No attended sessions yet.")
    for item in items:
        learning_session = item.run.learning_session
        when = format_local(item.run.starts_at, learning_session.edition.zone)
        teachers = ", ".join(teacher.display_name for teacher in learning_session.teachers)
        lines += [f"## {learning_session.title}", "", f"{when} · {teachers}", ""]
        if learning_session.objectives:
            lines += ["After this session I can:", ""]
            lines += [f"- {objective.text}" for objective in learning_session.objectives]
            lines.append("")
        if item.reflection is not None:
            for name, prompt in REFLECTION_PROMPTS.items():
                text = getattr(item.reflection, name)
                if text:
                    lines += [f"### {prompt}", "", text, ""]
        if learning_session.resources:
            lines += ["Resources:", ""]
            lines += [f"- [{r.title}]({r.url})" for r in learning_session.resources]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
