"""Co-teachers: colleagues the lead (or an organizer) adds to a session, up to a limit."""

from __future__ import annotations

from datetime import datetime

from learningweek.accounts.models import User
from learningweek.accounts.services import find_user_by_email
from learningweek.core.database import DbSession, unique_or_raise
from learningweek.core.enums import NotificationKind
from learningweek.core.errors import DomainError, NotAllowed
from learningweek.notifications.tidings import Tiding, announce, tiding
from learningweek.proposals import permissions
from learningweek.proposals.limits import MAX_CO_TEACHERS
from learningweek.proposals.models import LearningSession
from learningweek.proposals.services.workflow import lock, record
from learningweek.schedule import lifecycle
from learningweek.schedule.models import Run
from learningweek.schedule.news import teaches_in_calendar, with_runs


def add_co_teacher(
    db_session: DbSession,
    learning_session: LearningSession,
    email: str,
    *,
    actor: User,
    now: datetime,
) -> User:
    """Add a colleague, by the email of an existing account, as a co-teacher; they and
    the other teachers are told, and the history records it."""
    _check_may_manage(actor, learning_session)
    # Under the row lock, re-read the co-teachers so the limit holds for concurrent adds.
    lock(db_session, learning_session)
    db_session.refresh(learning_session, attribute_names=["co_teachers"])
    colleague = find_user_by_email(db_session, email)
    if colleague is None or not colleague.is_active:
        raise DomainError(
            "No active account uses this email. Ask your colleague to create one first.",
            field="email",
        )
    if colleague.id == learning_session.lead_id:
        raise DomainError(f"{colleague.display_name} already leads this session.", field="email")
    already = DomainError(f"{colleague.display_name} is already a co-teacher.", field="email")
    if colleague in learning_session.co_teachers:
        raise already
    if len(learning_session.co_teachers) >= MAX_CO_TEACHERS:
        raise DomainError(f"A session can have at most {MAX_CO_TEACHERS} co-teachers.")
    with unique_or_raise(db_session, already):
        learning_session.co_teachers.append(colleague)
        _note_teachers_changed(learning_session, colleague, now)
    _tell_and_record(
        db_session, learning_session, colleague, NotificationKind.CO_TEACHER_ADDED, actor, now
    )
    return colleague


def remove_co_teacher(
    db_session: DbSession,
    learning_session: LearningSession,
    co_teacher: User,
    *,
    actor: User,
    now: datetime,
) -> None:
    """Remove a co-teacher: the lead's or an organizer's decision. They and the other
    teachers are told, and the history records it."""
    _check_may_manage(actor, learning_session)
    if co_teacher not in learning_session.co_teachers:
        raise DomainError(f"{co_teacher.display_name} is not a co-teacher of this session.")
    learning_session.co_teachers.remove(co_teacher)
    _note_teachers_changed(learning_session, co_teacher, now)
    _tell_and_record(
        db_session, learning_session, co_teacher, NotificationKind.CO_TEACHER_REMOVED, actor, now
    )
    db_session.flush()


def _check_may_manage(actor: User, learning_session: LearningSession) -> None:
    if not permissions.can_manage_co_teachers(actor, learning_session):
        raise NotAllowed("Only the lead teacher or an organizer can change co-teachers.")


def _note_teachers_changed(learning_session: LearningSession, teacher: User, now: datetime) -> None:
    # Only the link table changes, which no feed validator's timestamps see: the session
    # (its events list teachers) and the teacher (whose own feed changes) record it.
    learning_session.updated_at = now
    teacher.updated_at = now


def _tell_and_record(
    db_session: DbSession,
    learning_session: LearningSession,
    co_teacher: User,
    kind: NotificationKind,
    actor: User,
    now: datetime,
) -> None:
    """Note the change in the proposal's history and tell the co-teacher and the others
    who teach (not whoever made the change)."""
    added = kind == NotificationKind.CO_TEACHER_ADDED
    status = learning_session.status
    record(
        learning_session,
        status,
        status,
        actor=actor,
        comment=f"{'Added' if added else 'Removed'} {co_teacher.display_name} as a co-teacher",
        now=now,
    )
    people = [co_teacher, *learning_session.teachers]
    # The session's runs enter (or leave) the co-teacher's personal feed: their mailed
    # calendar follows, the first run with the message, any others in their own.
    taught = [run for run in lifecycle.active_runs(learning_session) if teaches_in_calendar(run)]
    told: list[Tiding] = []

    def run_news(run: Run) -> Tiding:
        return tiding(
            kind,
            co_teacher,
            run,
            template="teaching_run",
            was_in_calendar=not added,
            is_in_calendar=added,
        )

    for person in dict.fromkeys(people):
        is_co_teacher = person.id == co_teacher.id
        if person.id == actor.id:
            # Whoever made the change needs no message about it, but an organizer who
            # added (or removed) themselves has the runs enter (or leave) their feed.
            if is_co_teacher:
                told += [run_news(run) for run in taught]
            continue
        main = tiding(
            kind,
            person,
            learning_session=learning_session,
            is_you=person.id == co_teacher.id,
            actor_name=actor.display_name,
            teacher_name=co_teacher.display_name,
        )
        if not is_co_teacher:
            told.append(main)
            continue
        told += with_runs(main, taught, was=not added, now=added, extra=run_news)
    announce(db_session, told)
