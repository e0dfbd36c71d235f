"""A proposal's states: submit, decide, withdraw and cancel, and who may do which now.

Every state change is one public function; each checks who may act, refuses illegal
moves with a clear message, records the change in the proposal's history and queues
the notifications it causes. The caller commits.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import NotificationKind, ProposalStatus
from learningweek.core.errors import DomainError, NotAllowed
from learningweek.core.localtime import format_local
from learningweek.notifications.services import ORGANIZERS
from learningweek.notifications.tidings import Tiding, announce, tiding
from learningweek.proposals import permissions
from learningweek.proposals.models import LearningSession, ProposalEvent
from learningweek.proposals.services.rules import proposal_data_from, require_valid
from learningweek.schedule import lifecycle, news
from learningweek.schedule.models import Run
from learningweek.signups import services as signups

ALLOWED_TRANSITIONS: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    ProposalStatus.DRAFT: frozenset({ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN}),
    ProposalStatus.SUBMITTED: frozenset(
        {
            ProposalStatus.ACCEPTED,
            ProposalStatus.REJECTED,
            ProposalStatus.CHANGES_REQUESTED,
            ProposalStatus.WITHDRAWN,
        }
    ),
    ProposalStatus.CHANGES_REQUESTED: frozenset(
        {ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN}
    ),
    ProposalStatus.ACCEPTED: frozenset({ProposalStatus.WITHDRAWN, ProposalStatus.CANCELLED}),
}
DECISIONS = {
    ProposalStatus.ACCEPTED: NotificationKind.PROPOSAL_ACCEPTED,
    ProposalStatus.REJECTED: NotificationKind.PROPOSAL_REJECTED,
    ProposalStatus.CHANGES_REQUESTED: NotificationKind.CHANGES_REQUESTED,
}
ORGANIZER_DECISIONS = (*DECISIONS, ProposalStatus.CANCELLED)


class IllegalTransition(DomainError):
    """The proposal's current state does not allow this change."""


def lock(db_session: DbSession, learning_session: LearningSession) -> None:
    """Re-read the proposal's state under a row lock before changing it."""
    # So two people acting at once see each other's change (PostgreSQL); SQLite write
    # requests already hold the database lock.
    db_session.refresh(learning_session, attribute_names=["status"], with_for_update=True)


def record(
    learning_session: LearningSession,
    from_status: ProposalStatus | None,
    to_status: ProposalStatus,
    *,
    actor: User,
    comment: str,
    now: datetime,
) -> ProposalEvent:
    """Add a state change to the proposal's history."""
    event = ProposalEvent(
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        comment=(comment or "").strip(),
        by_organizer=actor.is_organizer,
        created_at=now,
    )
    learning_session.events.append(event)
    return event


def _transition(
    db_session: DbSession,
    learning_session: LearningSession,
    to_status: ProposalStatus,
    *,
    actor: User,
    comment: str,
    now: datetime,
    action: str,
) -> None:
    from_status = learning_session.status
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
        raise IllegalTransition(
            f"This proposal is {from_status.label.lower()}, so it cannot be {action}."
        )
    learning_session.status = to_status
    learning_session.updated_at = now
    record(learning_session, from_status, to_status, actor=actor, comment=comment, now=now)
    db_session.flush()


def submit_proposal(
    db_session: DbSession, learning_session: LearningSession, *, actor: User, now: datetime
) -> None:
    """Send a draft, or a proposal with requested changes, to the organizers.

    A first submission must fall inside the proposal window; a resubmission after
    organizers asked for changes may come later, since it answers their request.
    The proposal must be complete. Side effects: status, submitted_at, history.
    """
    if not permissions.is_teacher(actor, learning_session):
        raise NotAllowed("Only the session's teachers can submit it.")
    lock(db_session, learning_session)
    edition = learning_session.edition
    if learning_session.status == ProposalStatus.DRAFT and not edition.is_proposal_window_open(now):
        opens = format_local(edition.proposals_open_at, edition.zone)
        closes = format_local(edition.proposals_close_at, edition.zone)
        raise DomainError(
            f"Proposals for {edition.name} can be submitted from {opens} to {closes}. "
            "Your proposal is kept as a draft."
        )
    require_valid(proposal_data_from(learning_session), edition, submitting=True)
    _transition(
        db_session,
        learning_session,
        ProposalStatus.SUBMITTED,
        actor=actor,
        comment="",
        now=now,
        action="submitted",
    )
    learning_session.submitted_at = now


def decide_proposal(
    db_session: DbSession,
    learning_session: LearningSession,
    decision: ProposalStatus,
    *,
    actor: User,
    comment: str,
    now: datetime,
) -> None:
    """Accept, reject or ask for changes to a submitted proposal.

    Side effects: status, history with the comment, and a notification to every
    teacher. Asking for changes needs a comment saying what should change.
    """
    if not permissions.can_decide(actor):
        raise NotAllowed("Only organizers can decide on proposals.")
    if decision not in DECISIONS:
        raise DomainError("Choose accept, reject or request changes.", field="decision")
    if decision == ProposalStatus.CHANGES_REQUESTED and not (comment or "").strip():
        raise DomainError("Say what should change, so the teachers can act on it.", field="comment")
    lock(db_session, learning_session)
    _transition(
        db_session,
        learning_session,
        decision,
        actor=actor,
        comment=comment,
        now=now,
        action="decided on",
    )
    if decision == ProposalStatus.ACCEPTED:
        lifecycle.create_runs(learning_session, learning_session.runs_offered, now=now)
    announce(
        db_session,
        [
            tiding(
                DECISIONS[decision],
                teacher,
                learning_session=learning_session,
                actor_name=actor.display_name,
                comment=comment,
                comment_author=ORGANIZERS,
            )
            for teacher in learning_session.teachers
        ],
    )


def withdraw_proposal(
    db_session: DbSession,
    learning_session: LearningSession,
    *,
    actor: User,
    comment: str = "",
    now: datetime,
) -> None:
    """A teacher takes the proposal back, at any time before the session starts.

    Its runs are cancelled and everyone signed up is told with the teacher's words; the
    other teachers, and the organizers unless it was a draft, are told too."""
    if not permissions.is_teacher(actor, learning_session):
        raise NotAllowed("Only the session's teachers can withdraw it.")
    lock(db_session, learning_session)
    db_session.refresh(learning_session, attribute_names=["runs"])
    if permissions.has_started(learning_session, now):
        raise IllegalTransition("The session has already started, so it cannot be withdrawn.")
    was_draft = learning_session.status == ProposalStatus.DRAFT
    attendees, taught = _end(
        db_session,
        learning_session,
        ProposalStatus.WITHDRAWN,
        actor=actor,
        comment=comment,
        comment_author=actor.display_name,
        now=now,
    )
    # Organizers never saw a draft: only a proposal they had is news to them.
    organizers = (
        []
        if was_draft
        else db_session.scalars(
            sa.select(User).where(User.is_organizer, User.is_active).order_by(User.id)
        ).all()
    )
    teachers = {teacher.id for teacher in learning_session.teachers}
    people = dict.fromkeys([*learning_session.teachers, *organizers])
    told: list[Tiding] = []
    for person in people:
        main = tiding(
            NotificationKind.SESSION_WITHDRAWN,
            person,
            learning_session=learning_session,
            is_teacher=person.id in teachers,
            actor_name=actor.display_name,
            attendees=attendees,
            comment=comment,
            comment_author=actor.display_name,
        )
        if person.id == actor.id:
            # Who withdrew it needs no message, but their calendar drops its runs.
            told += [news.cancel_tiding(person, run, news.TEACHER) for run in taught]
        elif person.id in teachers:
            told += _with_taught_runs(main, person, taught, comment, actor.display_name)
        else:
            told.append(main)
    announce(db_session, told)


def _with_taught_runs(
    main: Tiding, teacher: User, taught: list[Run], comment: str, comment_author: str
) -> list[Tiding]:
    """The message about the session's end to one of its teachers, taking its runs out
    of their calendar: the first with the message, any others each in their own."""
    return news.with_runs(
        main,
        taught,
        was=True,
        now=False,
        extra=lambda run: news.cancel_tiding(
            teacher, run, news.TEACHER, comment=comment, comment_author=comment_author
        ),
    )


def cancel_session(
    db_session: DbSession,
    learning_session: LearningSession,
    *,
    actor: User,
    comment: str = "",
    now: datetime,
) -> None:
    """An organizer cancels an accepted session; the teachers are told."""
    if not permissions.can_cancel(actor):
        raise NotAllowed("Only organizers can cancel a session.")
    lock(db_session, learning_session)
    attendees, taught = _end(
        db_session,
        learning_session,
        ProposalStatus.CANCELLED,
        actor=actor,
        comment=comment,
        comment_author=ORGANIZERS,
        now=now,
    )
    announce(
        db_session,
        [
            item
            for teacher in learning_session.teachers
            for item in _with_taught_runs(
                tiding(
                    NotificationKind.SESSION_CANCELLED,
                    teacher,
                    learning_session=learning_session,
                    actor_name=actor.display_name,
                    attendees=attendees,
                    comment=comment,
                    comment_author=ORGANIZERS,
                ),
                teacher,
                taught,
                comment,
                ORGANIZERS,
            )
        ],
    )


def _end(
    db_session: DbSession,
    learning_session: LearningSession,
    to_status: ProposalStatus,
    *,
    actor: User,
    comment: str,
    comment_author: str,
    now: datetime,
) -> tuple[int, list[Run]]:
    """Withdraw or cancel the session, cancel its runs and end their sign-ups, telling
    the people signed up with `comment_author`'s comment. Returns how many were, and
    the runs that were in its teachers' calendars."""
    _transition(
        db_session,
        learning_session,
        to_status,
        actor=actor,
        comment=comment,
        now=now,
        action=to_status.value,  # "withdrawn", "cancelled"
    )
    runs = lifecycle.active_runs(learning_session)
    taught = [run for run in runs if news.was_taught_in_calendar(run)]
    lifecycle.cancel_runs(learning_session, actor=actor, now=now)
    ended = sum(
        signups.end_signups_of_cancelled_run(
            db_session, run, now=now, comment=comment, comment_author=comment_author
        )
        for run in runs
    )
    return ended, taught


def available_actions(user: User, learning_session: LearningSession, now: datetime) -> set[str]:
    """The state changes this user may offer on the page now (the services re-check)."""
    next_states = ALLOWED_TRANSITIONS.get(learning_session.status, frozenset())
    actions = set()
    if permissions.is_teacher(user, learning_session):
        if ProposalStatus.SUBMITTED in next_states:
            actions.add("submit")
        if ProposalStatus.WITHDRAWN in next_states and not permissions.has_started(
            learning_session, now
        ):
            actions.add("withdraw")
    if permissions.can_decide(user) and next_states & set(DECISIONS):
        actions.add("decide")
    if permissions.can_cancel(user) and ProposalStatus.CANCELLED in next_states:
        actions.add("cancel")
    return actions
