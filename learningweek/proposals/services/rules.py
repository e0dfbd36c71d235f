"""What a proposal must contain: its data as a teacher enters it, and the pure checks on it."""

from __future__ import annotations

from dataclasses import dataclass

from learningweek.core.enums import Equipment, Level, ResourceKind, ResourceTiming, SessionFormat
from learningweek.core.errors import ValidationFailed
from learningweek.core.records import record_from
from learningweek.core.validation import is_http_url
from learningweek.editions.models import Edition
from learningweek.proposals import limits
from learningweek.proposals.half_days import half_days
from learningweek.proposals.models import LearningSession


@dataclass(frozen=True)
class ResourceData:
    """A recommended link as the teacher enters it."""

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
    unavailable_half_days: tuple[str, ...] = ()
    preferred_half_days: tuple[str, ...] = ()


# After acceptance teachers may still polish these; everything else (what scheduling
# depends on, and what attendees and feedback rely on) changes only by an organizer.
EDITABLE_AFTER_ACCEPTANCE = frozenset({"title", "abstract", "prerequisites", "resources"})
LOCKED_AFTER_ACCEPTANCE = tuple(
    name for name in ProposalData.__dataclass_fields__ if name not in EDITABLE_AFTER_ACCEPTANCE
)


def proposal_problems(data: ProposalData, edition: Edition, *, submitting: bool) -> dict[str, str]:
    """Every rule the data breaks, by field. A draft needs only a title."""
    problems: dict[str, str] = {}
    title = (data.title or "").strip()
    if not title:
        problems["title"] = "Give the session a title."
    elif len(title) > limits.TITLE_MAX_LENGTH:
        problems["title"] = f"Keep the title within {limits.TITLE_MAX_LENGTH} characters."
    if submitting and not (data.abstract or "").strip():
        problems["abstract"] = "Describe the session before submitting it."
    elif len(data.abstract or "") > limits.TEXT_MAX_LENGTH:
        problems["abstract"] = f"Keep the abstract within {limits.TEXT_MAX_LENGTH:,} characters."

    objectives = [text.strip() for text in data.objectives if text and text.strip()]
    if len(objectives) > limits.MAX_OBJECTIVES:
        problems["objectives"] = f"Give at most {limits.MAX_OBJECTIVES} learning objectives."
    elif any(len(text) > limits.OBJECTIVE_MAX_LENGTH for text in objectives):
        problems["objectives"] = (
            f"Keep each objective within {limits.OBJECTIVE_MAX_LENGTH} characters."
        )
    elif submitting and not objectives:
        problems["objectives"] = "Give at least one learning objective before submitting."

    # A number the form could not parse already has the form's message; this one
    # speaks only to a caller that skipped the form.
    slot = edition.slot_minutes
    if data.duration_minutes is None:
        problems["duration_minutes"] = "Choose a length."
    elif data.duration_minutes <= 0 or data.duration_minutes % slot:
        problems["duration_minutes"] = (
            f"Choose a length in whole slots of {slot} minutes ({slot}, {2 * slot}, …)."
        )
    elif data.duration_minutes > edition.day_minutes:
        problems["duration_minutes"] = (
            f"A session must fit in one day's programme ({edition.day_minutes} minutes)."
        )
    lowest, highest = limits.MAX_PARTICIPANTS_MIN, limits.MAX_PARTICIPANTS_MAX
    if data.max_participants is None:
        problems["max_participants"] = "Enter a whole number of people."
    elif not lowest <= data.max_participants <= highest:
        problems["max_participants"] = f"Choose between {lowest} and {highest} participants."
    lowest, highest = limits.RUNS_MIN, limits.RUNS_MAX
    if data.runs_offered is None:
        problems["runs_offered"] = "Choose how many times you are willing to give it."
    elif not lowest <= data.runs_offered <= highest:
        problems["runs_offered"] = f"Offer to give it between {lowest} and {highest} times."
    if not (data.language or "").strip():
        problems["language"] = "Say which language the session is in."
    if len(data.prerequisites or "") > limits.TEXT_MAX_LENGTH:
        problems["prerequisites"] = f"Keep this within {limits.TEXT_MAX_LENGTH:,} characters."

    known_equipment = {tag.value for tag in Equipment}
    if any(tag not in known_equipment for tag in data.equipment):
        problems["equipment"] = "Choose equipment from the list."

    resources = data.resources
    if len(resources) > limits.MAX_RESOURCES:
        problems["resources"] = f"Recommend at most {limits.MAX_RESOURCES} resources."
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


def require_valid(data: ProposalData, edition: Edition, *, submitting: bool) -> None:
    """Refuse data that breaks a rule, naming every problem by field."""
    problems = proposal_problems(data, edition, submitting=submitting)
    if problems:
        raise ValidationFailed(problems)


def proposal_data_from(learning_session: LearningSession) -> ProposalData:
    """A stored proposal as the data its form shows."""
    return record_from(
        learning_session,
        ProposalData,
        objectives=tuple(objective.text for objective in learning_session.objectives),
        topic_ids=tuple(topic.id for topic in learning_session.topics),
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

    def comparable(name: str, value: object) -> object:
        if not isinstance(value, tuple):
            return value
        if name in ("unavailable_half_days", "preferred_half_days"):
            return sorted(set(value) & valid_half_days)
        return sorted(value)

    return [
        name
        for name in LOCKED_AFTER_ACCEPTANCE
        if comparable(name, getattr(current, name)) != comparable(name, getattr(data, name))
    ]


def form_field_name(name: str) -> str:
    """The form field that edits a data field: the form asks when you *can* teach."""
    return "available_half_days" if name == "unavailable_half_days" else name
