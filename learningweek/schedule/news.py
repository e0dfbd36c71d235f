"""What a change to a run tells each person it reaches, as tidings.

The service that makes the change announces these tidings, and the organizer's preview
(`consequences`) describes the very same ones before the change, so the words on the
confirmation page and the message sent come from one template and one decision.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime

from learningweek.accounts.models import User
from learningweek.core.enums import NotificationKind, ProposalStatus, SignupStatus
from learningweek.notifications.tidings import Tiding, tiding
from learningweek.schedule.models import Run

TEACHER, SEAT, OFFERED, WAITING = "teacher", "seat", "offered", "waiting"
ROLE_OF_STATUS = {
    SignupStatus.CONFIRMED: SEAT,
    SignupStatus.OFFERED: OFFERED,
    SignupStatus.WAITLISTED: WAITING,
}


def teaches_in_calendar(run: Run) -> bool:
    """Whether the run is an event in its teachers' calendars, as their personal feed
    shows it: placed, live, of an accepted session, on a published programme."""
    learning_session = run.learning_session
    return (
        learning_session.edition.is_published
        and run.is_placed
        and not run.is_cancelled
        and learning_session.status == ProposalStatus.ACCEPTED
    )


def was_taught_in_calendar(run: Run) -> bool:
    """Whether the run was in its teachers' calendars before it was cancelled or its
    session ended: placed on a published programme."""
    return run.learning_session.edition.is_published and run.is_placed


def in_calendar(run: Run, role: str) -> bool:
    """Whether the run is, now, an event in the calendar of someone in `role`."""
    if role == TEACHER:
        return teaches_in_calendar(run)
    return role == SEAT and not run.is_cancelled


def move_tiding(
    person: User,
    run: Run,
    role: str,
    *,
    old_starts_at: datetime | None,
    old_place: str,
    is_room_change: bool,
    clash_seats: tuple[Run, ...] = (),
    clash_teaching: tuple[Run, ...] = (),
    agenda_url: str = "",
) -> Tiding:
    """A run moved (or changed room): a seat holder's event moves (REQUEST); the others
    hear the news. Someone whose seats now overlap is told which, and where to choose."""
    seated = in_calendar(run, role)
    return tiding(
        NotificationKind.RUN_MOVED,
        person,
        run,
        was_in_calendar=seated,
        is_in_calendar=seated,
        role=role,
        old_starts_at=old_starts_at,
        old_place=old_place,
        is_room_change=is_room_change,
        clash_seats=clash_seats,
        clash_teaching=clash_teaching,
        agenda_url=agenda_url,
    )


def cancel_tiding(
    person: User, run: Run, role: str, *, comment: str = "", comment_author: str = ""
) -> Tiding:
    """A run is cancelled: a seat holder's event leaves their calendar (CANCEL)."""
    return tiding(
        NotificationKind.RUN_CANCELLED,
        person,
        run,
        was_in_calendar=role == SEAT or (role == TEACHER and was_taught_in_calendar(run)),
        role=role,
        comment=comment,
        comment_author=comment_author,
    )


def added_run_tiding(person: User, run: Run, *, moved: int) -> Tiding:
    """A teacher hears that their session has an extra run, and how many took a seat."""
    return tiding(
        NotificationKind.RUN_MOVED,
        person,
        run,
        is_in_calendar=teaches_in_calendar(run),
        template="run_added",
        moved=moved,
    )


def scheduled_tiding(person: User, run: Run, *, on_publishing: bool) -> Tiding:
    """A run enters its teacher's calendar: on publishing, or placed afterwards."""
    return tiding(
        NotificationKind.RUN_SCHEDULED,
        person,
        run,
        is_in_calendar=teaches_in_calendar(run),
        on_publishing=on_publishing,
    )


def with_runs(
    main: Tiding, runs: Sequence[Run], *, was: bool, now: bool, extra: Callable[[Run], Tiding]
) -> list[Tiding]:
    """One message about a change to a session that takes several runs in or out of a
    teacher's calendar: the message itself carries the first run's invitation, and each
    further run its own message (an invitation is one run)."""
    if not runs:
        return [main]
    first = dataclasses.replace(main, run=runs[0], was_in_calendar=was, is_in_calendar=now)
    return [first, *(extra(run) for run in runs[1:])]
