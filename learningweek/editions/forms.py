"""Organizer forms for editions, rooms and topics."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields import ColorField
from wtforms.validators import InputRequired, Length, Optional

from learningweek.core.enums import Equipment, PromotionMode, RoomKind
from learningweek.editions import models
from learningweek.editions.services import (
    EditionData,
    RoomData,
    TopicData,
    edition_problems,
    room_problems,
    slugify,
    topic_problems,
)
from learningweek.web.forms import (
    MultiCheckboxField,
    RuleCheckedForm,
    WholeNumberField,
    enum_choices,
    enum_or_default,
    http_url,
    multi_line,
    single_line,
)

WALL_CLOCK_HINT = "In the edition's time zone."


def _name_field(max_length: int) -> StringField:
    return StringField(
        "Name", validators=[InputRequired(), Length(max=max_length)], filters=[single_line]
    )


def _address_field(presence: InputRequired | Optional, description: str) -> StringField:
    return StringField(
        "Address",
        validators=[presence, Length(max=models.SLUG_MAX_LENGTH)],
        filters=[single_line],
        description=description,
    )


def _window_field(label: str) -> DateTimeLocalField:
    return DateTimeLocalField(
        label,
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        validators=[InputRequired(message="Enter a date and time.")],
        description=WALL_CLOCK_HINT,
    )


class EditionForm(RuleCheckedForm):
    """An edition's name, days, daily grid and windows."""

    name = _name_field(120)
    slug = _address_field(InputRequired(), "Used in links and calendar feeds, e.g. spring-2027.")
    description = TextAreaField(
        "Description", validators=[Optional(), Length(max=5000)], filters=[multi_line]
    )
    time_zone = StringField(
        "Time zone",
        validators=[InputRequired(), Length(max=64)],
        filters=[single_line],
        description="An IANA name such as Europe/Stockholm. All times below are in this zone.",
        render_kw={"list": "time-zones", "autocomplete": "off"},
    )
    first_day = DateField("First day", validators=[InputRequired(message="Enter a date.")])
    last_day = DateField("Last day", validators=[InputRequired(message="Enter a date.")])
    day_starts_at = TimeField("Day starts at", validators=[InputRequired(message="Enter a time.")])
    day_ends_at = TimeField("Day ends at", validators=[InputRequired(message="Enter a time.")])
    slot_minutes = WholeNumberField(
        "Slot length (minutes)",
        validators=[InputRequired(message="Enter a whole number of minutes.")],
        render_kw={"min": models.SLOT_MINUTES_MIN, "max": models.SLOT_MINUTES_MAX},
    )
    proposals_open = _window_field("Proposals open")
    proposals_close = _window_field("Proposals close")
    signup_opens = _window_field("Sign-up opens")
    signup_closes = _window_field("Sign-up closes")
    feedback_days = WholeNumberField(
        "Feedback window (days after each run)",
        validators=[InputRequired(message="Enter a whole number of days.")],
        render_kw={"min": 0, "max": models.FEEDBACK_DAYS_MAX},
    )
    promotion_mode = RadioField(
        "When a seat frees up",
        choices=enum_choices(PromotionMode),
        default=PromotionMode.AUTOMATIC.value,
        validators=[Optional()],
    )
    offer_hours = WholeNumberField(
        "Hours an offered seat is held",
        default=24,
        validators=[Optional()],
        render_kw={"min": models.OFFER_HOURS_MIN, "max": models.OFFER_HOURS_MAX},
        description="Only when seats are offered: then it passes to the next person.",
    )

    def edition_data(self) -> EditionData:
        return EditionData(
            slug=self.slug.data,
            name=self.name.data,
            description=self.description.data or "",
            time_zone=self.time_zone.data,
            first_day=self.first_day.data,
            last_day=self.last_day.data,
            day_starts_at=self.day_starts_at.data,
            day_ends_at=self.day_ends_at.data,
            slot_minutes=self.slot_minutes.data,
            proposals_open=self.proposals_open.data,
            proposals_close=self.proposals_close.data,
            signup_opens=self.signup_opens.data,
            signup_closes=self.signup_closes.data,
            feedback_days=self.feedback_days.data,
            promotion_mode=enum_or_default(
                PromotionMode, self.promotion_mode.data, PromotionMode.AUTOMATIC
            ),
            offer_hours=24 if self.offer_hours.data is None else self.offer_hours.data,
        )

    def rule_problems(self) -> dict[str, str]:
        return edition_problems(self.edition_data())


class RoomForm(RuleCheckedForm):
    """A physical or online room."""

    name = _name_field(120)
    kind = RadioField(
        "Kind",
        choices=enum_choices(RoomKind),
        default=RoomKind.PHYSICAL.value,
        validators=[InputRequired(message="Choose physical or online.")],
    )
    capacity = WholeNumberField(
        "Capacity",
        validators=[InputRequired(message="Enter a whole number of people.")],
        render_kw={"min": models.ROOM_CAPACITY_MIN, "max": models.ROOM_CAPACITY_MAX},
        description="Seats, or the meeting tool's participant limit for an online room.",
    )
    location = StringField(
        "Location",
        validators=[Optional(), Length(max=200)],
        filters=[single_line],
        description="Building and floor, so people find it.",
    )
    equipment = MultiCheckboxField("Equipment", choices=enum_choices(Equipment))
    meeting_url = URLField(
        "Meeting link",
        validators=[Optional(), Length(max=500), http_url],
        filters=[single_line],
        description="Required for online rooms; optional for hybrid-ready physical rooms.",
    )
    is_active = BooleanField("Available for scheduling", default=True)
    force_seats = BooleanField(
        "Save anyway: the latest sign-ups of its runs go back to the head of the waitlist"
    )
    # Set by the page that showed who a change of place or link reaches.
    confirmed = HiddenField()

    def room_data(self) -> RoomData:
        return RoomData(
            name=self.name.data,
            kind=enum_or_default(RoomKind, self.kind.data, None),
            capacity=self.capacity.data,
            location=self.location.data or "",
            equipment=tuple(self.equipment.data or ()),
            meeting_url=self.meeting_url.data or None,
            is_active=self.is_active.data,
        )

    def rule_problems(self) -> dict[str, str]:
        return room_problems(self.room_data())


class TopicForm(RuleCheckedForm):
    """A topic's name, address and colour."""

    name = _name_field(80)
    slug = _address_field(Optional(), "Leave empty to derive it from the name.")
    colour = ColorField(
        "Colour", default="#4f6d7a", validators=[InputRequired()], filters=[single_line]
    )

    def topic_data(self) -> TopicData:
        return TopicData(
            name=self.name.data,
            slug=self.slug.data or slugify(self.name.data or ""),
            colour=self.colour.data,
        )

    def rule_problems(self) -> dict[str, str]:
        return topic_problems(self.topic_data())
