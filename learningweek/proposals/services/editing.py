"""Writing a proposal's content: a new draft, and edits (limited once it is accepted)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import NotificationKind, ProposalStatus
from learningweek.core.errors import NotAllowed, ValidationFailed
from learningweek.editions.models import Edition, Topic
from learningweek.proposals import permissions
from learningweek.proposals.models import LearningObjective, LearningSession, SessionResource
from learningweek.proposals.services.rules import (
    ProposalData,
    ResourceData,
    changed_locked_fields,
    form_field_name,
    require_valid,
)
from learningweek.proposals.services.workflow import lock, record
from learningweek.schedule import lifecycle
from learningweek.signups import services as signups

Row = TypeVar("Row")
Value = TypeVar("Value")


def create_proposal(
    db_session: DbSession, edition: Edition, data: ProposalData, *, lead: User, now: datetime
) -> LearningSession:
    """Save a new proposal as a draft led by `lead`; drafts can be saved at any time."""
    require_valid(data, edition, submitting=False)
    learning_session = LearningSession(
        edition=edition, lead=lead, status=ProposalStatus.DRAFT, created_at=now
    )
    _apply(db_session, learning_session, data)
    db_session.add(learning_session)
    record(learning_session, None, ProposalStatus.DRAFT, actor=lead, comment="", now=now)
    db_session.flush()
    return learning_session


def update_proposal(
    db_session: DbSession,
    learning_session: LearningSession,
    data: ProposalData,
    *,
    actor: User,
    now: datetime,
) -> LearningSession:
    """Save changes. After acceptance, teachers may change only the fields they polish."""
    # Read the state under a lock: an organizer may have accepted it a moment ago.
    lock(db_session, learning_session)
    if not permissions.can_edit_proposal(actor, learning_session):
        raise NotAllowed("You cannot edit this proposal.")
    if not permissions.can_edit_locked_fields(actor, learning_session):
        locked = changed_locked_fields(learning_session, data)
        if locked:
            message = "Only organizers can change this once the session is accepted."
            raise ValidationFailed({form_field_name(name): message for name in locked})
    submitting = learning_session.status != ProposalStatus.DRAFT
    require_valid(data, learning_session.edition, submitting=submitting)
    accepted = learning_session.status == ProposalStatus.ACCEPTED
    if accepted:
        # Its runs are on the board: serialise with board changes to the same edition.
        db_session.refresh(
            learning_session.edition, attribute_names=["is_published"], with_for_update=True
        )
    runs_changed = data.runs_offered != learning_session.runs_offered
    length_changed = data.duration_minutes != learning_session.duration_minutes
    maximum_changed = data.max_participants != learning_session.max_participants
    _apply(db_session, learning_session, data)
    learning_session.updated_at = now
    if accepted and maximum_changed:
        _rebalance_runs(db_session, learning_session, now=now)
    if accepted and runs_changed:
        lifecycle.sync_run_count(learning_session, now=now)
    if accepted and length_changed:
        touched = lifecycle.note_length_change(learning_session, actor=actor, now=now)
        if touched and learning_session.edition.is_published:
            db_session.flush()
            for run in touched:
                # Its end moved: teachers and everyone signed up hear of it, and a seat
                # holder's event gets the new end (REQUEST).
                signups.tell_everyone_in(
                    db_session,
                    run,
                    NotificationKind.RUN_MOVED,
                    template="run_length_changed",
                    minutes=data.duration_minutes,
                    actor_name=actor.display_name,
                )
    db_session.flush()
    return learning_session


def _rebalance_runs(
    db_session: DbSession, learning_session: LearningSession, *, now: datetime
) -> None:
    """A new maximum promotes waiting people; one below the seats held is refused here
    (an organizer can force a cut on the run's page, which says who goes back)."""
    db_session.flush()
    try:
        signups.rebalance_seats(db_session, lifecycle.active_runs(learning_session), now=now)
    except signups.SeatsWouldBeLost as error:
        raise ValidationFailed(
            {
                "max_participants": f"{error} To cut seats anyway, set a seat limit on "
                "the run's page."
            }
        ) from None


def _apply(db_session: DbSession, learning_session: LearningSession, data: ProposalData) -> None:
    """Write checked data into the proposal and its objectives and resources."""
    topics = list(
        db_session.scalars(sa.select(Topic).where(Topic.id.in_(data.topic_ids))).all()
        if data.topic_ids
        else []
    )
    if len(topics) != len(set(data.topic_ids)):
        raise ValidationFailed({"topic_ids": "Choose topics from the list."})
    # require_valid refused data with a number the form could not parse.
    assert data.duration_minutes is not None
    assert data.max_participants is not None
    assert data.runs_offered is not None
    learning_session.title = data.title.strip()
    learning_session.abstract = (data.abstract or "").strip()
    learning_session.format = data.format
    learning_session.duration_minutes = data.duration_minutes
    learning_session.max_participants = data.max_participants
    learning_session.runs_offered = data.runs_offered
    learning_session.level = data.level
    learning_session.language = data.language.strip()
    learning_session.prerequisites = (data.prerequisites or "").strip()
    learning_session.equipment = sorted(set(data.equipment))
    learning_session.unavailable_half_days = sorted(set(data.unavailable_half_days))
    learning_session.preferred_half_days = sorted(set(data.preferred_half_days))
    learning_session.topics = topics

    objectives = [text.strip() for text in data.objectives if text and text.strip()]
    _sync_by_position(
        learning_session.objectives,
        objectives,
        lambda position, text: LearningObjective(position=position, text=text),
        lambda objective, text: setattr(objective, "text", text),
    )

    def update_resource(resource: SessionResource, value: ResourceData) -> None:
        resource.title = value.title.strip()
        resource.url = value.url.strip()
        resource.kind = value.kind
        resource.timing = value.timing

    def create_resource(position: int, value: ResourceData) -> SessionResource:
        resource = SessionResource(position=position)
        update_resource(resource, value)
        return resource

    _sync_by_position(learning_session.resources, data.resources, create_resource, update_resource)


def _sync_by_position(
    rows: list[Row],
    values: Sequence[Value],
    create: Callable[[int, Value], Row],
    update: Callable[[Row, Value], None],
) -> None:
    """Update rows in place by position, add or drop the tail.

    In place, because a delete and an insert at the same position in one flush
    would trip the unique (session, position) constraint, and because feedback
    later refers to objectives by id.
    """
    for position, value in enumerate(values):
        if position < len(rows):
            update(rows[position], value)
        else:
            rows.append(create(position, value))
    del rows[len(values) :]
