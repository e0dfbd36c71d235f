"""What a change to a run tells each person it reaches, as tidings.

The service that makes the change announces these tidings, and the organizer's preview
(`consequences`) describes the very same ones before the change, so the words on the
confirmation page and the message sent come from one template and one decision.
"""

from __future__ import annotations

from datetime import datetime

from learningweek.accounts.models import User
from learningweek.core.enums import NotificationKind, SignupStatus
from learningweek.notifications.tidings import Tiding, tiding
from learningweek.schedule.models import Run

TEACHER, SEAT, OFFERED, WAITING = "teacher", "seat", "offered", "waiting"
ROLE_OF_STATUS = {
    SignupStatus.CONFIRMED: SEAT,
    SignupStatus.OFFERED: OFFERED,
    SignupStatus.WAITLISTED: WAITING,
}


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
    seated = role == SEAT and not run.is_cancelled
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
        was_in_calendar=role == SEAT,
        role=role,
        comment=comment,
        comment_author=comment_author,
    )


def added_run_tiding(person: User, run: Run, *, moved: int) -> Tiding:
    """A teacher hears that their session has an extra run, and how many took a seat."""
    return tiding(NotificationKind.RUN_MOVED, person, run, template="run_added", moved=moved)
