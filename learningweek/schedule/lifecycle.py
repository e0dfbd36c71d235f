"""A run's state changes: placing, moving, unplacing and cancelling, with their record.

Kept apart from the board's services so the proposal workflow can create and
cancel runs without depending on the board, which depends on proposals.
"""

from __future__ import annotations

from datetime import datetime

from learningweek.accounts.models import User
from learningweek.core.errors import ValidationFailed
from learningweek.editions.models import Room
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run, RunChange


def create_runs(learning_session: LearningSession, count: int, *, now: datetime) -> list[Run]:
    """Add `count` unplaced runs to a session."""
    runs = [Run(changed_at=now, created_at=now) for _ in range(count)]
    learning_session.runs.extend(runs)
    return runs


def active_runs(learning_session: LearningSession) -> list[Run]:
    """The runs that are not cancelled."""
    return [run for run in learning_session.runs if not run.is_cancelled]


def set_placement(
    run: Run,
    starts_at: datetime | None,
    room: Room | None,
    *,
    actor: User | None,
    now: datetime,
    published: bool,
) -> None:
    """Give a run a time and room (or take them away), recording the change.

    After the programme is published every change of time or place raises the run's
    sequence, so calendar clients replace the event they hold.
    """
    room_id = room.id if room else None
    if run.starts_at == starts_at and run.room_id == room_id:
        return
    _record_change(run, starts_at, room_id, actor=actor, now=now, raises_sequence=published)
    run.starts_at = starts_at
    run.room = room


def cancel_run(run: Run, *, actor: User | None, now: datetime) -> None:
    """Cancel a run. It frees its room but keeps its time, so the calendars of those
    signed up can show it cancelled; its sequence rises so they update."""
    _record_change(
        run, run.starts_at, run.room_id, actor=actor, now=now, raises_sequence=True, cancelled=True
    )
    run.cancelled_at = now
    run.is_pinned = False


def cancel_runs(learning_session: LearningSession, *, actor: User | None, now: datetime) -> None:
    """Cancel every active run of a session (it was withdrawn or cancelled)."""
    for run in active_runs(learning_session):
        cancel_run(run, actor=actor, now=now)


def sync_run_count(learning_session: LearningSession, *, now: datetime) -> None:
    """Match the active runs to `runs_offered`: add unplaced runs, or drop unplaced ones.

    Placed runs are never dropped silently: the organizer unplaces or cancels them on
    the board first.
    """
    active = active_runs(learning_session)
    missing = learning_session.runs_offered - len(active)
    if missing == 0:
        return
    if missing > 0:
        create_runs(learning_session, missing, now=now)
        return
    removable = [run for run in reversed(active) if not run.is_placed][:-missing]
    if len(removable) < -missing:
        raise ValidationFailed(
            {
                "runs_offered": "Some runs are already placed: unplace or cancel them on the "
                "schedule board before offering fewer."
            }
        )
    for run in removable:
        learning_session.runs.remove(run)


def note_length_change(
    learning_session: LearningSession, *, actor: User | None, now: datetime
) -> list[Run]:
    """A new length moves every placed run's end: record it, and after publishing raise
    the sequence so calendars update. Returns the placed runs it touched."""
    published = learning_session.edition.is_published
    touched = [run for run in active_runs(learning_session) if run.is_placed]
    for run in touched:
        _record_change(
            run, run.starts_at, run.room_id, actor=actor, now=now, raises_sequence=published
        )
    return touched


def _record_change(
    run: Run,
    starts_at: datetime | None,
    room_id: int | None,
    *,
    actor: User | None,
    now: datetime,
    raises_sequence: bool,
    cancelled: bool = False,
) -> None:
    """Record a change of the run from where it is to `starts_at` in `room_id`, and stamp it.

    `raises_sequence` after publishing, so calendar clients replace the event they hold.
    """
    run.changes.append(
        RunChange(
            actor=actor,
            old_starts_at=run.starts_at,
            old_room_id=run.room_id,
            new_starts_at=starts_at,
            new_room_id=room_id,
            cancelled=cancelled,
            created_at=now,
        )
    )
    run.changed_at = now
    if raises_sequence:
        run.sequence += 1
