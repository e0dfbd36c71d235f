"""Proposal forms: shape checks here; the proposal rules come from the service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, Optional

from learningweek.core.enums import (
    Equipment,
    Level,
    ProposalStatus,
    ResourceKind,
    ResourceTiming,
    SessionFormat,
)
from learningweek.editions.models import Edition, Topic
from learningweek.proposals import limits
from learningweek.proposals.half_days import half_days
from learningweek.proposals.services import (
    LOCKED_AFTER_ACCEPTANCE,
    ProposalData,
    ResourceData,
    form_field_name,
    proposal_problems,
)
from learningweek.web.forms import (
    ListField,
    MultiCheckboxField,
    RuleCheckedForm,
    WholeNumberField,
    enum_or_default,
    multi_line,
    single_line,
)

BLANK_RESOURCE_ROWS = 3
DEFAULT_DURATION = 60


def _choices(enum_class) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.label) for member in enum_class]


class ResourceForm(Form):
    """One recommended link (a sub-form: the outer form carries the CSRF token)."""

    title = StringField(
        "Title", validators=[Optional(), Length(max=limits.TITLE_MAX_LENGTH)], filters=[single_line]
    )
    url = URLField("Link", validators=[Optional(), Length(max=500)], filters=[single_line])
    kind = SelectField("Kind", choices=_choices(ResourceKind), default=ResourceKind.ARTICLE.value)
    timing = SelectField(
        "When", choices=_choices(ResourceTiming), default=ResourceTiming.BEFORE.value
    )

    def is_blank(self) -> bool:
        return not (self.title.data or self.url.data)


class ProposalForm(RuleCheckedForm):
    """Everything a teacher says about a session they want to give."""

    title = StringField(
        "Title",
        validators=[InputRequired(), Length(max=limits.TITLE_MAX_LENGTH)],
        filters=[single_line],
    )
    abstract = TextAreaField(
        "Abstract",
        validators=[Optional(), Length(max=limits.TEXT_MAX_LENGTH)],
        filters=[multi_line],
        description="What will people do and learn? Markdown works: **bold**, lists, links.",
        render_kw={"rows": 8},
    )
    objectives = ListField(
        StringField(
            "After this session you can …",
            validators=[Optional(), Length(max=limits.OBJECTIVE_MAX_LENGTH)],
            filters=[single_line],
        ),
        min_entries=limits.MAX_OBJECTIVES,
        max_entries=limits.MAX_OBJECTIVES,
    )
    format = RadioField("Format", choices=_choices(SessionFormat), default="in_person")
    duration_minutes = SelectField("Length", coerce=int)
    max_participants = WholeNumberField(
        "Maximum participants",
        default=20,
        validators=[InputRequired(message="Enter a whole number of people.")],
        render_kw={"min": limits.MAX_PARTICIPANTS_MIN, "max": limits.MAX_PARTICIPANTS_MAX},
    )
    runs_offered = SelectField(
        "How many times you are willing to give it",
        coerce=int,
        choices=[SelectChoice(n, str(n)) for n in range(limits.RUNS_MIN, limits.RUNS_MAX + 1)],
        default=1,
    )
    level = RadioField("Level", choices=_choices(Level), default="introductory")
    language = StringField(
        "Language",
        default="English",
        validators=[InputRequired(), Length(max=40)],
        filters=[single_line],
    )
    topic_ids = MultiCheckboxField("Topics", coerce=int)
    prerequisites = TextAreaField(
        "Prerequisites",
        validators=[Optional(), Length(max=limits.TEXT_MAX_LENGTH)],
        filters=[multi_line],
        description="What should people know or install beforehand?",
        render_kw={"rows": 3},
    )
    equipment = MultiCheckboxField("Equipment needed", choices=_choices(Equipment))
    resources = ListField(FormField(ResourceForm), max_entries=limits.MAX_RESOURCES)
    available_half_days = MultiCheckboxField(
        "When you can teach",
        description="Untick the half-days when you (and your co-teachers) cannot teach.",
    )
    preferred_half_days = MultiCheckboxField(
        "Preferred half-days (optional)",
        description="Tick the half-days that suit you best, if any; the scheduler tries to "
        "use them.",
    )
    save_draft = SubmitField("Save draft")
    submit_proposal = SubmitField("Save and submit")

    def __init__(
        self,
        *args,
        edition: Edition,
        topics: Sequence[Topic],
        locked: ProposalData | None = None,
        **kwargs,
    ) -> None:
        """`locked` holds stored values the viewer may not change; their fields are dropped."""
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.locked = locked
        slot = edition.slot_minutes
        self.duration_minutes.choices = [
            SelectChoice(minutes, _duration_label(minutes))
            for minutes in range(slot, edition.day_minutes + 1, slot)
        ]
        self.topic_ids.choices = [SelectChoice(topic.id, topic.name) for topic in topics]
        self.available_half_days.choices = [
            SelectChoice(half_day.key, half_day.label) for half_day in half_days(edition)
        ]
        self.preferred_half_days.choices = list(self.available_half_days.choices)
        if not self.is_submitted():
            if "data" not in kwargs:  # a new proposal: an hour, available all week
                self.available_half_days.data = [h.key for h in half_days(edition)]
                self.duration_minutes.data = (
                    DEFAULT_DURATION if DEFAULT_DURATION % slot == 0 else slot
                )
            # Empty rows to fill in, since the page works without JavaScript.
            blanks = sum(entry.form.is_blank() for entry in self.resources.entries)
            room_left = limits.MAX_RESOURCES - len(self.resources.entries)
            for _ in range(max(0, min(BLANK_RESOURCE_ROWS - blanks, room_left))):
                self.resources.append_entry()
        if locked is not None:
            for name in LOCKED_AFTER_ACCEPTANCE:
                delattr(self, form_field_name(name))

    @classmethod
    def for_proposal(cls, data: ProposalData, **context) -> ProposalForm:
        """A form showing stored data (its half-days turned back into 'available')."""
        available = [
            half_day.key
            for half_day in half_days(context["edition"])
            if half_day.key not in data.unavailable_half_days
        ]
        values = {
            "title": data.title,
            "abstract": data.abstract,
            "objectives": list(data.objectives),
            "format": data.format.value,
            "duration_minutes": data.duration_minutes,
            "max_participants": data.max_participants,
            "runs_offered": data.runs_offered,
            "level": data.level.value,
            "language": data.language,
            "topic_ids": list(data.topic_ids),
            "prerequisites": data.prerequisites,
            "equipment": list(data.equipment),
            "resources": [
                {"title": r.title, "url": r.url, "kind": r.kind.value, "timing": r.timing.value}
                for r in data.resources
            ],
            "available_half_days": available,
            "preferred_half_days": list(data.preferred_half_days),
        }
        return cls(data=values, **context)

    @property
    def wants_submission(self) -> bool:
        return bool(self.submit_proposal.data)

    def proposal_data(self) -> ProposalData:
        def value(name: str, default=None):
            field = self._fields.get(name)
            return default if field is None or field.data is None else field.data

        all_half_days = [half_day.key for half_day in half_days(self.edition)]
        available = set(value("available_half_days", ()))
        resources = tuple(
            ResourceData(
                title=entry.form.title.data or "",
                url=entry.form.url.data or "",
                kind=enum_or_default(ResourceKind, entry.form.kind.data, ResourceKind.ARTICLE),
                timing=enum_or_default(
                    ResourceTiming, entry.form.timing.data, ResourceTiming.BEFORE
                ),
            )
            for entry in self.resources.entries
            if not entry.form.is_blank()
        )
        data = ProposalData(
            title=value("title", ""),
            abstract=value("abstract", ""),
            objectives=tuple(text for text in value("objectives", ()) if text),
            format=enum_or_default(SessionFormat, value("format"), SessionFormat.IN_PERSON),
            duration_minutes=value("duration_minutes"),
            max_participants=value("max_participants"),
            runs_offered=value("runs_offered"),
            level=enum_or_default(Level, value("level"), Level.INTRODUCTORY),
            language=value("language", ""),
            topic_ids=tuple(value("topic_ids", ())),
            prerequisites=value("prerequisites", ""),
            equipment=tuple(value("equipment", ())),
            resources=resources,
            unavailable_half_days=tuple(key for key in all_half_days if key not in available),
            preferred_half_days=tuple(value("preferred_half_days", ())),
        )
        if self.locked is None:
            return data
        return replace(
            data, **{name: getattr(self.locked, name) for name in LOCKED_AFTER_ACCEPTANCE}
        )

    def rule_problems(self) -> dict[str, str]:
        return proposal_problems(self.proposal_data(), self.edition, submitting=False)


def _duration_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    text = f"{hours} hour{'s' if hours > 1 else ''}"
    return f"{text} {rest} minutes" if rest else text


class DecisionForm(FlaskForm):
    """An organizer's decision on a submitted proposal."""

    decision = RadioField(
        "Decision",
        choices=[
            SelectChoice(ProposalStatus.ACCEPTED.value, "Accept"),
            SelectChoice(ProposalStatus.CHANGES_REQUESTED.value, "Ask for changes"),
            SelectChoice(ProposalStatus.REJECTED.value, "Reject"),
        ],
        validators=[InputRequired(message="Choose a decision.")],
    )
    comment = TextAreaField(
        "Comment to the teachers",
        validators=[Optional(), Length(max=limits.TEXT_MAX_LENGTH)],
        filters=[multi_line],
        description="Required when asking for changes. The teachers receive it.",
        render_kw={"rows": 4},
    )


class CommentForm(FlaskForm):
    """An optional comment with a state change (withdraw, cancel)."""

    comment = TextAreaField(
        "Comment",
        validators=[Optional(), Length(max=limits.TEXT_MAX_LENGTH)],
        filters=[multi_line],
        render_kw={"rows": 3},
    )


class CoTeacherForm(FlaskForm):
    """Add a co-teacher by the email of their account."""

    email = EmailField(
        "Colleague's email", validators=[InputRequired(), Length(max=254)], filters=[single_line]
    )
