"""Proposal rules: what a proposal must contain, who may move it where, and interest.

Every state change is one public function; each checks who may act, refuses
illegal moves with a clear message, records the change in the proposal's history
and queues the notifications it causes. The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from learningweek.accounts.models import User
from learningweek.accounts.services import find_user_by_email
from learningweek.core.database import DbSession, unique_or_raise
from learningweek.core.enums import (
    Equipment,
    Level,
    NotificationKind,
    ProposalStatus,
    ResourceKind,
    ResourceTiming,
    SessionFormat,
)
from learningweek.core.errors import DomainError, NotAllowed, ValidationFailed
from learningweek.core.localtime import day_label, format_local
from learningweek.core.validation import is_http_url
from learningweek.editions.models import Edition, Topic
from learningweek.notifications.services import (
    ORGANIZERS,
    tell_teachers,
    with_comment,
)
from learningweek.proposals import permissions
from learningweek.proposals.models import (
    MAX_CO_TEACHERS,
    MAX_OBJECTIVES,
    MAX_PARTICIPANTS_MAX,
    MAX_PARTICIPANTS_MIN,
    MAX_RESOURCES,
    OBJECTIVE_MAX_LENGTH,
    RUNS_MAX,
    RUNS_MIN,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Interest,
    LearningObjective,
    LearningSession,
    ProposalEvent,
    SessionResource,
    session_co_teachers,
)
from learningweek.schedule import lifecycle
from learningweek.schedule.models import Run
from learningweek.signups import services as signups

NOON = time(12, 0)
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
    ProposalStatus.ACCEPTED: (NotificationKind.PROPOSAL_ACCEPTED, "accepted"),
    ProposalStatus.REJECTED: (NotificationKind.PROPOSAL_REJECTED, "not accepted"),
    ProposalStatus.CHANGES_REQUESTED: (NotificationKind.CHANGES_REQUESTED, "needs changes"),
}


ORGANIZER_DECISIONS = (*DECISIONS, ProposalStatus.CANCELLED)


class IllegalTransition(DomainError):
    """The proposal's current state does not allow this change."""


# --- data and rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceData:
    title: str
    url: str
    kind: ResourceKind = ResourceKind.ARTICLE
    timing: ResourceTiming = ResourceTiming.BEFORE


@dataclass(frozen=True)
class ProposalData:
    """A proposal as a teacher enters it. Values a form could not parse are None."""

    title: str
    abstract: str = ""
    objectives: tuple[str, ...] = ()
    format: SessionFormat = SessionFormat.IN_PERSON
    duration_minutes: int | None = 60
    max_participants: int | None = 20
    runs_offered: int | None = 1
    level: Level = Level.INTRODUCTORY
    language: str = "English"
    topic_ids: tuple[int, ...] = ()
    prerequisites: str = ""
    equipment: tuple[str, ...] = ()
    resources: tuple[ResourceData, ...] = ()
    unavailable_half_days: tuple[str, ...] = field(default=())
    preferred_half_days: tuple[str, ...] = field(default=())


# After acceptance teachers may still polish these; everything else (what scheduling
# depends on, and what attendees and feedback rely on) changes only by an organizer.
EDITABLE_AFTER_ACCEPTANCE = frozenset({"title", "abstract", "prerequisites", "resources"})
LOCKED_AFTER_ACCEPTANCE = tuple(
    name for name in ProposalData.__dataclass_fields__ if name not in EDITABLE_AFTER_ACCEPTANCE
)


@dataclass(frozen=True)
class HalfDay:
    key: str
    label: str


def half_days(edition: Edition) -> list[HalfDay]:
    """The mornings and afternoons of the edition's grid, in order."""
    has_morning = edition.day_starts_at < NOON
    has_afternoon = edition.day_ends_at > NOON
    result = []
    for day in edition.days:
        if has_morning:
            result.append(HalfDay(f"{day.isoformat()} am", f"{day_label(day)}, morning"))
        if has_afternoon:
            result.append(HalfDay(f"{day.isoformat()} pm", f"{day_label(day)}, afternoon"))
    return result


def proposal_problems(data: ProposalData, edition: Edition, *, submitting: bool) -> dict[str, str]:
    """Every rule the data breaks, by field. A draft needs only a title."""
    problems: dict[str, str] = {}
    title = (data.title or "").strip()
    if not title:
        problems["title"] = "Give the session a title."
    elif len(title) > TITLE_MAX_LENGTH:
        problems["title"] = f"Keep the title within {TITLE_MAX_LENGTH} characters."
    if submitting and not (data.abstract or "").strip():
        problems["abstract"] = "Describe the session before submitting it."
    elif len(data.abstract or "") > TEXT_MAX_LENGTH:
        problems["abstract"] = f"Keep the abstract within {TEXT_MAX_LENGTH:,} characters."

    objectives = [text.strip() for text in data.objectives if text and text.strip()]
    if len(objectives) > MAX_OBJECTIVES:
        problems["objectives"] = f"Give at most {MAX_OBJECTIVES} learning objectives."
    elif any(len(text) > OBJECTIVE_MAX_LENGTH for text in objectives):
        problems["objectives"] = f"Keep each objective within {OBJECTIVE_MAX_LENGTH} characters."
    elif submitting and not objectives:
        problems["objectives"] = "Give at least one learning objective before submitting."

    if data.duration_minutes is not None:
        slot = edition.slot_minutes
        if data.duration_minutes <= 0 or data.duration_minutes % slot:
            problems["duration_minutes"] = (
                f"Choose a length in whole slots of {slot} minutes ({slot}, {2 * slot}, …)."
            )
        elif data.duration_minutes > edition.day_minutes:
            problems["duration_minutes"] = (
                f"A session must fit in one day's programme ({edition.day_minutes} minutes)."
            )
    if data.max_participants is not None and not (
        MAX_PARTICIPANTS_MIN <= data.max_participants <= MAX_PARTICIPANTS_MAX
    ):
        problems["max_participants"] = (
            f"Choose between {MAX_PARTICIPANTS_MIN} and {MAX_PARTICIPANTS_MAX} participants."
        )
    if data.runs_offered is not None and not RUNS_MIN <= data.runs_offered <= RUNS_MAX:
        problems["runs_offered"] = f"Offer to give it between {RUNS_MIN} and {RUNS_MAX} times."
    if not (data.language or "").strip():
        problems["language"] = "Say which language the session is in."
    if len(data.prerequisites or "") > TEXT_MAX_LENGTH:
        problems["prerequisites"] = f"Keep this within {TEXT_MAX_LENGTH:,} characters."

    known_equipment = {tag.value for tag in Equipment}
    if any(tag not in known_equipment for tag in data.equipment):
        problems["equipment"] = "Choose equipment from the list."

    resources = data.resources
    if len(resources) > MAX_RESOURCES:
        problems["resources"] = f"Recommend at most {MAX_RESOURCES} resources."
    elif any(not resource.title.strip() for resource in resources):
        problems["resources"] = "Give every recommended link a title."
    elif any(not is_http_url(resource.url) for resource in resources):
        problems["resources"] = "Links must start with https:// or http://."

    edition_half_days = half_days(edition)
    valid_half_days = {half_day.key for half_day in edition_half_days}
    unavailable = set(data.unavailable_half_days)
    if not unavailable <= valid_half_days:
        problems["available_half_days"] = "Choose half-days of this edition."
    elif valid_half_days and unavailable >= valid_half_days:
        problems["available_half_days"] = "Leave at least one half-day when you can teach."
    preferred = set(data.preferred_half_days)
    if not preferred <= valid_half_days:
        problems["preferred_half_days"] = "Choose half-days of this edition."
    elif preferred & unavailable:
        labels = " and ".join(
            h.label for h in edition_half_days if h.key in unavailable & preferred
        )
        problems["preferred_half_days"] = (
            f"A preferred half-day must be one you can teach: untick {labels} here, or tick it "
            "under “When you can teach”."
        )
    return problems


def proposal_data_from(learning_session: LearningSession) -> ProposalData:
    """A stored proposal as the data its form shows."""
    return ProposalData(
        title=learning_session.title,
        abstract=learning_session.abstract,
        objectives=tuple(objective.text for objective in learning_session.objectives),
        format=learning_session.format,
        duration_minutes=learning_session.duration_minutes,
        max_participants=learning_session.max_participants,
        runs_offered=learning_session.runs_offered,
        level=learning_session.level,
        language=learning_session.language,
        topic_ids=tuple(topic.id for topic in learning_session.topics),
        prerequisites=learning_session.prerequisites,
        equipment=tuple(learning_session.equipment),
        resources=tuple(
            ResourceData(resource.title, resource.url, resource.kind, resource.timing)
            for resource in learning_session.resources
        ),
        unavailable_half_days=tuple(learning_session.unavailable_half_days),
        preferred_half_days=tuple(learning_session.preferred_half_days),
    )


def changed_locked_fields(learning_session: LearningSession, data: ProposalData) -> list[str]:
    """The fields locked after acceptance that `data` would change.

    Half-days are compared only where the edition still has them: keys left behind
    when an edition's days move are not a change the teacher made.
    """
    current = proposal_data_from(learning_session)
    valid_half_days = {half_day.key for half_day in half_days(learning_session.edition)}

    def comparable(name: str, value):
        if name in ("unavailable_half_days", "preferred_half_days"):
            return sorted(set(value) & valid_half_days)
        return sorted(value) if isinstance(value, tuple) else value

    return [
        name
        for name in LOCKED_AFTER_ACCEPTANCE
        if comparable(name, getattr(current, name)) != comparable(name, getattr(data, name))
    ]


def _sync_by_position(
    children: list, values: Sequence, create: Callable[[int, object], object], update
) -> None:
    """Update rows in place by position, add or drop the tail.

    In place, because a delete and an insert at the same position in one flush
    would trip the unique (session, position) constraint, and because feedback
    later refers to objectives by id.
    """
    for position, value in enumerate(values):
        if position < len(children):
            update(children[position], value)
        else:
            children.append(create(position, value))
    del children[len(values) :]


def _apply(db_session: DbSession, learning_session: LearningSession, data: ProposalData) -> None:
    topics = list(
        db_session.scalars(sa.select(Topic).where(Topic.id.in_(data.topic_ids))).all()
        if data.topic_ids
        else []
    )
    if len(topics) != len(set(data.topic_ids)):
        raise ValidationFailed({"topic_ids": "Choose topics from the list."})
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


def _raise_problems(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationFailed(problems)


# --- creating and editing ---------------------------------------------------------------


def create_proposal(
    db_session: DbSession, edition: Edition, data: ProposalData, *, lead: User, now: datetime
) -> LearningSession:
    """Save a new proposal as a draft led by `lead`; drafts can be saved at any time."""
    _raise_problems(proposal_problems(data, edition, submitting=False))
    learning_session = LearningSession(
        edition=edition, lead=lead, status=ProposalStatus.DRAFT, created_at=now
    )
    _apply(db_session, learning_session, data)
    db_session.add(learning_session)
    _record(learning_session, None, ProposalStatus.DRAFT, actor=lead, comment="", now=now)
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
    _lock(db_session, learning_session)
    if not permissions.can_edit_proposal(actor, learning_session):
        raise NotAllowed("You cannot edit this proposal.")
    if not permissions.can_edit_locked_fields(actor, learning_session):
        locked = changed_locked_fields(learning_session, data)
        if locked:
            message = "Only organizers can change this once the session is accepted."
            raise ValidationFailed({form_field_name(name): message for name in locked})
    submitting = learning_session.status != ProposalStatus.DRAFT
    _raise_problems(proposal_problems(data, learning_session.edition, submitting=submitting))
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
            tell_teachers(
                db_session,
                learning_session,
                NotificationKind.RUN_MOVED,
                subject=f"“{learning_session.title}” now lasts {data.duration_minutes} minutes",
                body=f"{actor.display_name} changed the length of your session to "
                f"{data.duration_minutes} minutes; its start times stay the same.",
            )
    db_session.flush()
    return learning_session


def _rebalance_runs(db_session: DbSession, learning_session: LearningSession, *, now: datetime):
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


def form_field_name(name: str) -> str:
    """The form field that edits a data field: the form asks when you *can* teach."""
    return "available_half_days" if name == "unavailable_half_days" else name


# --- state changes ----------------------------------------------------------------------


def _lock(db_session: DbSession, learning_session: LearningSession) -> None:
    # Re-read the row under a lock so two people acting at once see each other's
    # change (PostgreSQL); SQLite write requests already hold the database lock.
    db_session.refresh(learning_session, attribute_names=["status"], with_for_update=True)


def _record(
    learning_session: LearningSession,
    from_status: ProposalStatus | None,
    to_status: ProposalStatus,
    *,
    actor: User,
    comment: str,
    now: datetime,
) -> ProposalEvent:
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
    _record(learning_session, from_status, to_status, actor=actor, comment=comment, now=now)
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
    _lock(db_session, learning_session)
    edition = learning_session.edition
    if learning_session.status == ProposalStatus.DRAFT and not edition.is_proposal_window_open(now):
        opens = format_local(edition.proposals_open_at, edition.zone)
        closes = format_local(edition.proposals_close_at, edition.zone)
        raise DomainError(
            f"Proposals for {edition.name} can be submitted from {opens} to {closes}. "
            "Your proposal is kept as a draft."
        )
    problems = proposal_problems(proposal_data_from(learning_session), edition, submitting=True)
    if problems:
        raise ValidationFailed(problems)
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
    _lock(db_session, learning_session)
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
    kind, outcome = DECISIONS[decision]
    tell_teachers(
        db_session,
        learning_session,
        kind,
        subject=f"Your proposal “{learning_session.title}” {outcome}",
        body=with_comment(
            f"{actor.display_name} reviewed your proposal for {learning_session.edition.name}: "
            f"it {outcome}.",
            comment,
            author=ORGANIZERS,
        ),
    )


def withdraw_proposal(
    db_session: DbSession,
    learning_session: LearningSession,
    *,
    actor: User,
    comment: str = "",
    now: datetime,
) -> None:
    """A teacher takes the proposal back, at any time before the session starts."""
    if not permissions.is_teacher(actor, learning_session):
        raise NotAllowed("Only the session's teachers can withdraw it.")
    _lock(db_session, learning_session)
    db_session.refresh(learning_session, attribute_names=["runs"])
    if permissions.has_started(learning_session, now):
        raise IllegalTransition("The session has already started, so it cannot be withdrawn.")
    _transition(
        db_session,
        learning_session,
        ProposalStatus.WITHDRAWN,
        actor=actor,
        comment=comment,
        now=now,
        action="withdrawn",
    )
    _cancel_runs(
        db_session,
        learning_session,
        actor=actor,
        comment=comment,
        comment_author=actor.display_name,
        now=now,
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
    _lock(db_session, learning_session)
    _transition(
        db_session,
        learning_session,
        ProposalStatus.CANCELLED,
        actor=actor,
        comment=comment,
        now=now,
        action="cancelled",
    )
    _cancel_runs(
        db_session,
        learning_session,
        actor=actor,
        comment=comment,
        comment_author=ORGANIZERS,
        now=now,
    )
    tell_teachers(
        db_session,
        learning_session,
        NotificationKind.SESSION_CANCELLED,
        subject=f"“{learning_session.title}” is cancelled",
        body=with_comment(
            f"{actor.display_name} cancelled your session in {learning_session.edition.name}.",
            comment,
            author=ORGANIZERS,
        ),
    )


def _cancel_runs(
    db_session: DbSession,
    learning_session: LearningSession,
    *,
    actor: User,
    comment: str,
    comment_author: str,
    now: datetime,
) -> None:
    """Cancel the session's runs and end their sign-ups, telling the people signed up
    with `comment_author`'s comment."""
    runs = lifecycle.active_runs(learning_session)
    lifecycle.cancel_runs(learning_session, actor=actor, now=now)
    for run in runs:
        signups.end_signups_of_cancelled_run(
            db_session, run, now=now, comment=comment, comment_author=comment_author
        )


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


# --- co-teachers ------------------------------------------------------------------------


def add_co_teacher(
    db_session: DbSession,
    learning_session: LearningSession,
    email: str,
    *,
    actor: User,
    now: datetime,
) -> User:
    """Add a colleague, by the email of an existing account, as a co-teacher."""
    if not permissions.can_manage_co_teachers(actor, learning_session):
        raise NotAllowed("Only the lead teacher or an organizer can change co-teachers.")
    # Under the row lock, re-read the co-teachers so the limit holds for concurrent adds.
    _lock(db_session, learning_session)
    db_session.refresh(learning_session, attribute_names=["co_teachers"])
    colleague = find_user_by_email(db_session, email)
    if colleague is None or not colleague.is_active:
        raise DomainError(
            "No active account uses this email. Ask your colleague to create one first.",
            field="email",
        )
    if colleague.id == learning_session.lead_id:
        raise DomainError(f"{colleague.display_name} already leads this session.", field="email")
    if colleague in learning_session.co_teachers:
        raise DomainError(f"{colleague.display_name} is already a co-teacher.", field="email")
    if len(learning_session.co_teachers) >= MAX_CO_TEACHERS:
        raise DomainError(f"A session can have at most {MAX_CO_TEACHERS} co-teachers.")
    error = DomainError(f"{colleague.display_name} is already a co-teacher.", field="email")
    with unique_or_raise(db_session, error):
        learning_session.co_teachers.append(colleague)
        _note_teachers_changed(learning_session, colleague, now)
    return colleague


def _note_teachers_changed(learning_session: LearningSession, teacher: User, now: datetime):
    # Only the link table changes, which no feed validator's timestamps see: the session
    # (its events list teachers) and the teacher (whose own feed changes) record it.
    learning_session.updated_at = now
    teacher.updated_at = now


def remove_co_teacher(
    db_session: DbSession,
    learning_session: LearningSession,
    co_teacher: User,
    *,
    actor: User,
    now: datetime,
) -> None:
    """Remove a co-teacher: the lead's or an organizer's decision."""
    if not permissions.can_manage_co_teachers(actor, learning_session):
        raise NotAllowed("Only the lead teacher or an organizer can change co-teachers.")
    if co_teacher not in learning_session.co_teachers:
        raise DomainError(f"{co_teacher.display_name} is not a co-teacher of this session.")
    learning_session.co_teachers.remove(co_teacher)
    _note_teachers_changed(learning_session, co_teacher, now)
    db_session.flush()


# --- interest ---------------------------------------------------------------------------


def set_interest(
    db_session: DbSession, learning_session: LearningSession, user: User, *, interested: bool
) -> bool:
    """Star or unstar an accepted session before the programme is published.

    Idempotent: starring twice leaves one star. Returns whether anything changed.
    """
    if learning_session.status != ProposalStatus.ACCEPTED:
        raise DomainError("Only accepted sessions can be marked as interesting.")
    if learning_session.edition.is_published:
        raise DomainError("The programme is published: sign up for a run instead.")
    if permissions.is_teacher(user, learning_session):
        raise DomainError("You teach this session, so your interest is taken for granted.")
    key = {"session_id": learning_session.id, "user_id": user.id}
    exists = db_session.get(Interest, (learning_session.id, user.id)) is not None
    if interested == exists:
        return False
    if interested:
        try:
            with db_session.begin_nested():
                db_session.add(Interest(**key))
        except sa.exc.IntegrityError:
            return False  # a double click that raced this one already starred it
    else:
        db_session.execute(sa.delete(Interest).filter_by(**key))
    return True


def interest_counts(db_session: DbSession, session_ids: Iterable[int]) -> dict[int, int]:
    """Stars per session, in one query."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db_session.execute(
        sa.select(Interest.session_id, sa.func.count())
        .where(Interest.session_id.in_(ids))
        .group_by(Interest.session_id)
    )
    return {session_id: count for session_id, count in rows}


def starred_session_ids(db_session: DbSession, user: User, session_ids: Iterable[int]) -> set[int]:
    """Which of these sessions the user starred, in one query."""
    ids = list(session_ids)
    if not ids:
        return set()
    return set(
        db_session.scalars(
            sa.select(Interest.session_id).where(
                Interest.user_id == user.id, Interest.session_id.in_(ids)
            )
        )
    )


# --- queries for pages ------------------------------------------------------------------


def _with_people_and_topics(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(LearningSession.lead),
        selectinload(LearningSession.co_teachers),
        selectinload(LearningSession.topics),
    )


def review_queue(
    edition: Edition,
    *,
    status: ProposalStatus | None = None,
    topic_id: int | None = None,
    session_format: SessionFormat | None = None,
) -> sa.Select[tuple[LearningSession]]:
    """An edition's proposals for organizers, filtered, oldest submission first."""
    query = sa.select(LearningSession).where(LearningSession.edition_id == edition.id)
    if status is not None:
        query = query.where(LearningSession.status == status)
    if topic_id is not None:
        query = query.where(LearningSession.topics.any(Topic.id == topic_id))
    if session_format is not None:
        query = query.where(LearningSession.format == session_format)
    order = (
        LearningSession.submitted_at.is_(None),
        LearningSession.submitted_at,
        LearningSession.id,
    )
    return _with_people_and_topics(query).order_by(*order)


def status_counts(
    db_session: DbSession,
    edition: Edition,
    *,
    topic_id: int | None = None,
    session_format: SessionFormat | None = None,
) -> dict[ProposalStatus, int]:
    """How many of the edition's proposals are in each state, under the other filters."""
    filtered = review_queue(edition, topic_id=topic_id, session_format=session_format)
    ids = filtered.with_only_columns(LearningSession.id).order_by(None)
    rows = db_session.execute(
        sa.select(LearningSession.status, sa.func.count())
        .where(LearningSession.id.in_(ids))
        .group_by(LearningSession.status)
    )
    counts = dict.fromkeys(ProposalStatus, 0)
    counts.update({ProposalStatus(status): count for status, count in rows})
    return counts


def proposals_of(user: User) -> sa.Select[tuple[LearningSession]]:
    """The proposals a person leads or co-teaches, newest first."""
    co_taught = sa.select(session_co_teachers.c.session_id).where(
        session_co_teachers.c.user_id == user.id
    )
    query = sa.select(LearningSession).where(
        sa.or_(LearningSession.lead_id == user.id, LearningSession.id.in_(co_taught))
    )
    return (
        _with_people_and_topics(query)
        .options(joinedload(LearningSession.edition))
        .order_by(LearningSession.created_at.desc(), LearningSession.id.desc())
    )


def latest_organizer_comments(
    db_session: DbSession, session_ids: Iterable[int]
) -> dict[int, ProposalEvent]:
    """Each session's most recent comment from an organizer's decision, in two queries."""
    ids = list(session_ids)
    if not ids:
        return {}
    latest = (
        sa.select(sa.func.max(ProposalEvent.id))
        .where(
            ProposalEvent.session_id.in_(ids),
            ProposalEvent.by_organizer,
            ProposalEvent.to_status.in_(ORGANIZER_DECISIONS),
            ProposalEvent.comment != "",
        )
        .group_by(ProposalEvent.session_id)
    )
    events = db_session.scalars(
        sa.select(ProposalEvent)
        .where(ProposalEvent.id.in_(latest))
        .options(joinedload(ProposalEvent.actor))
    )
    return {event.session_id: event for event in events}


def coming_up(
    edition: Edition, *, starred_by: User | None = None, topic_id: int | None = None
) -> sa.Select[tuple[LearningSession]]:
    """An edition's accepted sessions, before the programme is published."""
    query = sa.select(LearningSession).where(
        LearningSession.edition_id == edition.id,
        LearningSession.status == ProposalStatus.ACCEPTED,
    )
    if starred_by is not None:
        query = query.where(
            LearningSession.id.in_(
                sa.select(Interest.session_id).where(Interest.user_id == starred_by.id)
            )
        )
    if topic_id is not None:
        query = query.where(LearningSession.topics.any(Topic.id == topic_id))
    return _with_people_and_topics(query).order_by(sa.func.lower(LearningSession.title))


def proposal_page_query(session_id: int) -> sa.Select[tuple[LearningSession]]:
    """One proposal with everything its page shows."""
    return _with_people_and_topics(
        sa.select(LearningSession).where(LearningSession.id == session_id)
    ).options(
        joinedload(LearningSession.edition),
        selectinload(LearningSession.objectives),
        selectinload(LearningSession.resources),
        selectinload(LearningSession.events).joinedload(ProposalEvent.actor),
        selectinload(LearningSession.runs).joinedload(Run.room),
    )
