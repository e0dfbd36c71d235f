"""Rules for editions, rooms and topics.

Each `*_problems` function is the one statement of a rule set: forms call it to put
messages next to fields, and the services call it again so no other caller (the
CLI, the demo, a test) can store what a form would refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.core.database import DbSession, unique_or_raise
from learningweek.core.enums import Equipment, NotificationKind, PromotionMode, RoomKind
from learningweek.core.errors import ValidationFailed
from learningweek.core.localtime import local_to_utc, utc_to_local
from learningweek.core.records import record_from
from learningweek.core.validation import DATE_RANGE_MESSAGE, is_http_url, is_supported_date
from learningweek.editions.models import (
    EDITION_MAX_DAYS,
    FEEDBACK_DAYS_MAX,
    OFFER_HOURS_MAX,
    OFFER_HOURS_MIN,
    ROOM_CAPACITY_MAX,
    ROOM_CAPACITY_MIN,
    SLOT_MINUTES_MAX,
    SLOT_MINUTES_MIN,
    SLUG_MAX_LENGTH,
    Edition,
    Room,
    Topic,
)
from learningweek.proposals.models import LearningSession
from learningweek.schedule.consequences import RoomChangeReach, room_change_reach
from learningweek.schedule.models import Run
from learningweek.signups import services as signups

# Matched with fullmatch: `$` would also match before a trailing newline.
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
COLOUR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
DATED_FIELDS = (
    "first_day",
    "last_day",
    "proposals_open",
    "proposals_close",
    "signup_opens",
    "signup_closes",
)
EDITION_SLUG_TAKEN = "Another edition already uses this address."
ROOM_NAME_TAKEN = "Another room already has this name."
TOPIC_TAKEN = "Another topic already has this name or address."


def _raise_problems(
    db_session: DbSession,
    problems: dict[str, str],
    saving: Edition | Room | Topic,
    taken: dict[str, tuple[sa.ColumnElement[bool], str]],
) -> None:
    """Refuse every problem at once, adding for each field in `taken` that is otherwise
    fine whether another row already matches (its condition) and says so (its message)."""
    for field_name, (same, message) in taken.items():
        if field_name not in problems and _is_taken(db_session, same, saving):
            problems[field_name] = message
    if problems:
        raise ValidationFailed(problems)


@cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_known_time_zone(name: str | None) -> bool:
    """Whether zoneinfo knows this exact IANA name.

    A set lookup, not `ZoneInfo(name)`: that would treat the name as a file path
    and fail in surprising ways on long or odd input.
    """
    return name in _known_time_zones()


def time_zone_names() -> list[str]:
    """Every IANA time zone name, sorted, for the edition form's suggestions."""
    return sorted(_known_time_zones())


def slugify(text: str) -> str:
    """A URL slug: lower-case ASCII letters and digits joined by hyphens, cut to what
    the column holds (a topic's name may be longer than its address)."""
    ascii_text = text.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) <= SLUG_MAX_LENGTH:
        return slug
    cut = slug[: SLUG_MAX_LENGTH + 1]  # ends on a hyphen when a word ends at the limit
    return cut.rsplit("-", 1)[0] if "-" in cut else cut[:SLUG_MAX_LENGTH]


def _is_slug(text: str | None) -> bool:
    """Lower-case letters, digits and single hyphens, no longer than the column holds."""
    return (
        text is not None
        and len(text) <= SLUG_MAX_LENGTH
        and SLUG_PATTERN.fullmatch(text) is not None
    )


def _is_taken(
    db_session: DbSession, condition: sa.ColumnElement[bool], saving: Edition | Room | Topic
) -> bool:
    """Whether a row other than the one being saved matches: the friendly unique check."""
    model = type(saving)
    query = sa.select(model.id).where(condition)
    if saving.id is not None:
        query = query.where(model.id != saving.id)
    return db_session.scalar(query.limit(1)) is not None


# --- editions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EditionData:
    """An edition as an organizer enters it; windows are wall-clock times in `time_zone`."""

    slug: str
    name: str
    time_zone: str
    first_day: date
    last_day: date
    day_starts_at: time
    day_ends_at: time
    slot_minutes: int
    proposals_open: datetime
    proposals_close: datetime
    signup_opens: datetime
    signup_closes: datetime
    feedback_days: int
    description: str = ""
    promotion_mode: PromotionMode = PromotionMode.AUTOMATIC
    offer_hours: int = 24


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _given(*values: object) -> bool:
    return all(value is not None for value in values)


def edition_problems(data: EditionData) -> dict[str, str]:
    """Every rule an edition's data breaks, by field.

    Values a form could not parse arrive as None; rules that need them are skipped.
    """
    problems: dict[str, str] = {}
    if not _is_slug(data.slug):
        problems["slug"] = "Use lower-case letters, digits and single hyphens, e.g. spring-2027."
    if not is_known_time_zone(data.time_zone):
        problems["time_zone"] = (
            f"“{data.time_zone}” is not a time zone we know. Use an IANA name such as "
            "Europe/Stockholm or America/New_York."
        )
    for name in DATED_FIELDS:
        value = getattr(data, name)
        if value is not None and not is_supported_date(value):
            problems[name] = DATE_RANGE_MESSAGE
    if _given(data.first_day, data.last_day):
        if data.last_day < data.first_day:
            problems["last_day"] = "The last day cannot be before the first day."
        elif (data.last_day - data.first_day).days >= EDITION_MAX_DAYS:
            problems["last_day"] = f"An edition can last at most {EDITION_MAX_DAYS} days."
    if _given(data.day_starts_at, data.day_ends_at) and data.day_ends_at <= data.day_starts_at:
        problems["day_ends_at"] = "The day must end after it starts."
    if data.slot_minutes is not None:
        if not SLOT_MINUTES_MIN <= data.slot_minutes <= SLOT_MINUTES_MAX:
            problems["slot_minutes"] = (
                f"Choose a slot length between {SLOT_MINUTES_MIN} and {SLOT_MINUTES_MAX} minutes."
            )
        elif _given(data.day_starts_at, data.day_ends_at) and "day_ends_at" not in problems:
            day_length = _minutes(data.day_ends_at) - _minutes(data.day_starts_at)
            if day_length % data.slot_minutes:
                problems["slot_minutes"] = (
                    f"The day ({day_length} minutes) must divide into whole slots of "
                    f"{data.slot_minutes} minutes."
                )
    if _given(data.proposals_open, data.proposals_close) and (
        data.proposals_close <= data.proposals_open
    ):
        problems["proposals_close"] = "The proposal window must close after it opens."
    if _given(data.signup_opens, data.signup_closes) and data.signup_closes <= data.signup_opens:
        problems["signup_closes"] = "The sign-up window must close after it opens."
    if data.feedback_days is not None and not 0 <= data.feedback_days <= FEEDBACK_DAYS_MAX:
        problems["feedback_days"] = f"Choose between 0 and {FEEDBACK_DAYS_MAX} days."
    if data.offer_hours is not None and not OFFER_HOURS_MIN <= data.offer_hours <= OFFER_HOURS_MAX:
        problems["offer_hours"] = f"Choose between {OFFER_HOURS_MIN} and {OFFER_HOURS_MAX} hours."
    return problems


def _apply_edition(edition: Edition, data: EditionData) -> None:
    zone = ZoneInfo(data.time_zone)
    edition.slug = data.slug
    edition.name = data.name.strip()
    edition.description = data.description.strip()
    edition.time_zone = data.time_zone
    edition.first_day = data.first_day
    edition.last_day = data.last_day
    edition.day_starts_at = data.day_starts_at
    edition.day_ends_at = data.day_ends_at
    edition.slot_minutes = data.slot_minutes
    edition.proposals_open_at = local_to_utc(data.proposals_open, zone)
    edition.proposals_close_at = local_to_utc(data.proposals_close, zone)
    edition.signup_opens_at = local_to_utc(data.signup_opens, zone)
    edition.signup_closes_at = local_to_utc(data.signup_closes, zone)
    edition.feedback_days = data.feedback_days
    edition.promotion_mode = data.promotion_mode
    edition.offer_hours = data.offer_hours


def _check_edition(db_session: DbSession, data: EditionData, edition: Edition) -> None:
    problems = edition_problems(data)
    if edition.is_published and data.slug != edition.slug:
        # Calendar clients and shared links use the slug; changing it would break them.
        problems["slug"] = "The address of a published edition cannot change."
    _raise_problems(
        db_session, problems, edition, {"slug": (Edition.slug == data.slug, EDITION_SLUG_TAKEN)}
    )


def create_edition(db_session: DbSession, data: EditionData) -> Edition:
    """Create an unpublished edition."""
    edition = Edition()
    _check_edition(db_session, data, edition)
    with unique_or_raise(db_session, ValidationFailed({"slug": EDITION_SLUG_TAKEN})):
        _apply_edition(edition, data)
        db_session.add(edition)
    return edition


def update_edition(db_session: DbSession, edition: Edition, data: EditionData) -> Edition:
    """Change an edition's settings; windows are re-read in the (possibly new) time zone."""
    _check_edition(db_session, data, edition)
    with unique_or_raise(db_session, ValidationFailed({"slug": EDITION_SLUG_TAKEN})):
        _apply_edition(edition, data)
    return edition


def edition_data_from(edition: Edition) -> EditionData:
    """An edition's stored values as the wall-clock data its form shows."""
    zone = edition.zone
    return record_from(
        edition,
        EditionData,
        proposals_open=utc_to_local(edition.proposals_open_at, zone),
        proposals_close=utc_to_local(edition.proposals_close_at, zone),
        signup_opens=utc_to_local(edition.signup_opens_at, zone),
        signup_closes=utc_to_local(edition.signup_closes_at, zone),
    )


def visible_editions(*, is_organizer: bool, now: datetime) -> sa.Select[Edition]:
    """The editions `permissions.can_see_edition` allows, newest first."""
    query = sa.select(Edition).order_by(Edition.first_day.desc(), Edition.id.desc())
    if not is_organizer:
        query = query.where(Edition.is_open_to_employees(now))
    return query


def default_edition_data(today: date, time_zone: str) -> EditionData:
    """Sensible starting values for a new edition about three months from today."""
    about_then = today + timedelta(days=90)
    first_day = about_then - timedelta(days=about_then.weekday())  # a Monday
    return EditionData(
        slug=f"learning-week-{first_day.isoformat()[:7]}",
        name=f"Learning Week {first_day:%B %Y}",
        time_zone=time_zone,
        first_day=first_day,
        last_day=first_day + timedelta(days=4),
        day_starts_at=time(9, 0),
        day_ends_at=time(17, 0),
        slot_minutes=30,
        proposals_open=datetime.combine(today, time(9, 0)),
        proposals_close=datetime.combine(first_day - timedelta(days=35), time(17, 0)),
        signup_opens=datetime.combine(first_day - timedelta(days=21), time(9, 0)),
        signup_closes=datetime.combine(first_day + timedelta(days=4), time(17, 0)),
        feedback_days=14,
    )


# --- rooms ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomData:
    """A room as an organizer enters it; a kind a form could not read arrives as None."""

    name: str
    kind: RoomKind | None
    capacity: int
    location: str = ""
    equipment: tuple[str, ...] = field(default_factory=tuple)
    meeting_url: str | None = None
    is_active: bool = True


def room_problems(data: RoomData) -> dict[str, str]:
    """Every rule a room's data breaks, by field."""
    problems: dict[str, str] = {}
    if not (data.name or "").strip():
        problems["name"] = "Give the room a name."
    if data.kind is None:
        problems["kind"] = "Choose physical or online."
    if data.capacity is not None and not ROOM_CAPACITY_MIN <= data.capacity <= ROOM_CAPACITY_MAX:
        problems["capacity"] = (
            f"Capacity must be between {ROOM_CAPACITY_MIN} and {ROOM_CAPACITY_MAX:,} people."
        )
    known_equipment = {tag.value for tag in Equipment}
    unknown = [tag for tag in data.equipment if tag not in known_equipment]
    if unknown:
        problems["equipment"] = f"Unknown equipment: {', '.join(unknown)}."
    if data.kind == RoomKind.ONLINE and not data.meeting_url:
        problems["meeting_url"] = "An online room needs the meeting link attendees will use."
    elif data.meeting_url and not is_http_url(data.meeting_url):
        problems["meeting_url"] = "Enter a full link starting with https:// or http://."
    return problems


def _save_room(db_session: DbSession, room: Room, data: RoomData) -> Room:
    same_name = sa.func.lower(Room.name) == data.name.strip().lower()
    _raise_problems(db_session, room_problems(data), room, {"name": (same_name, ROOM_NAME_TAKEN)})
    assert data.kind is not None  # room_problems refuses a room without one
    with unique_or_raise(db_session, ValidationFailed({"name": ROOM_NAME_TAKEN})):
        room.name = data.name.strip()
        room.kind = data.kind
        room.capacity = data.capacity
        room.location = data.location.strip()
        room.equipment = sorted(set(data.equipment))
        room.meeting_url = (data.meeting_url or "").strip() or None
        room.is_active = data.is_active
        db_session.add(room)
    return room


def _upcoming_runs_in(room: Room, now: datetime) -> sa.Select[Run]:
    return sa.select(Run).where(Run.room_id == room.id, Run.starts_at > now, ~Run.is_cancelled)


def _place_of(name: str, location: str, kind: RoomKind) -> str:
    if kind == RoomKind.ONLINE:
        return f"{name} (online)"
    return ", ".join(part for part in (name, location) if part)


def _note_place_changed(
    db_session: DbSession, room: Room, *, now: datetime, old_place: str, link_changed: bool
) -> None:
    """A renamed or moved room changes where its runs to come take place: like a move,
    that is a new version of each run for calendars once its programme is published,
    and everyone the run concerns is told. A new meeting link reaches its seat holders
    (only they see it)."""
    place_renamed = old_place != _place_of(room.name, room.location, room.kind)
    runs = db_session.scalars(
        _upcoming_runs_in(room, now).options(
            joinedload(Run.learning_session).joinedload(LearningSession.edition)
        )
    ).all()
    for run in runs:
        run.changed_at = now
        if run.learning_session.edition.is_published:
            run.sequence += 1
            signups.tell_everyone_in(
                db_session,
                run,
                NotificationKind.PLACE_CHANGED,
                seated_only=not place_renamed,
                place_renamed=place_renamed,
                link_changed=link_changed,
                old_place=old_place,
            )


def reach_of_room_change(
    db_session: DbSession, room: Room, data: RoomData, *, now: datetime
) -> RoomChangeReach | None:
    """Who saving `data` would tell because the room's place or meeting link changes
    (its runs to come move, for their calendars), or None when neither changes.

    The organizer sees this before saving; `update_room` then tells them.
    """
    if data.kind is None:
        return None
    name, location = data.name.strip(), data.location.strip()
    link = (data.meeting_url or "").strip() or None
    if (name, location, data.kind, link) == (room.name, room.location, room.kind, room.meeting_url):
        return None
    old_place = _place_of(room.name, room.location, room.kind)
    new_place = _place_of(name, location, data.kind)
    return room_change_reach(db_session, room.id, now=now, link_only=old_place == new_place)


def create_room(db_session: DbSession, data: RoomData) -> Room:
    """Add a physical or online room."""
    return _save_room(db_session, Room(), data)


def update_room(
    db_session: DbSession, room: Room, data: RoomData, *, now: datetime, force_seats: bool = False
) -> Room:
    """Change a room; deactivating keeps it for past runs but offers it no more.

    A new capacity resizes the runs still to come in it: more seats promote waiting
    people; fewer than people hold is refused unless `force_seats` (see
    `signups.rebalance_seats`).
    """
    resized = data.capacity is not None and data.capacity != room.capacity
    place = (room.name, room.location, room.kind, room.meeting_url)
    old_place = _place_of(room.name, room.location, room.kind)
    _save_room(db_session, room, data)
    if place != (room.name, room.location, room.kind, room.meeting_url):
        _note_place_changed(
            db_session,
            room,
            now=now,
            old_place=old_place,
            link_changed=place[3] != room.meeting_url,
        )
    if resized:
        db_session.flush()
        upcoming = db_session.scalars(_upcoming_runs_in(room, now))
        try:
            signups.rebalance_seats(db_session, upcoming, now=now, force=force_seats)
        except signups.SeatsWouldBeLost as error:
            raise ValidationFailed(
                {"capacity": f"{error} Tick “save anyway” to send the latest back to the waitlist."}
            ) from None
    return room


# --- topics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicData:
    name: str
    slug: str
    colour: str


def topic_problems(data: TopicData) -> dict[str, str]:
    """Every rule a topic's data breaks, by field."""
    problems: dict[str, str] = {}
    if not (data.name or "").strip():
        problems["name"] = "Give the topic a name."
    if not _is_slug(data.slug):
        problems["slug"] = "Use lower-case letters, digits and single hyphens, e.g. data-science."
    if not COLOUR_PATTERN.fullmatch(data.colour or ""):
        problems["colour"] = "Use a colour such as #3366cc."
    return problems


def _save_topic(db_session: DbSession, topic: Topic, data: TopicData) -> Topic:
    same_name = sa.func.lower(Topic.name) == data.name.strip().lower()
    taken = {
        "name": (same_name, "Another topic already has this name."),
        "slug": (Topic.slug == data.slug, "Another topic already uses this address."),
    }
    _raise_problems(db_session, topic_problems(data), topic, taken)
    with unique_or_raise(db_session, ValidationFailed({"name": TOPIC_TAKEN})):
        topic.name = data.name.strip()
        topic.slug = data.slug
        topic.colour = data.colour.lower()
        db_session.add(topic)
    return topic


def create_topic(db_session: DbSession, data: TopicData) -> Topic:
    """Add a topic."""
    return _save_topic(db_session, Topic(), data)


def update_topic(db_session: DbSession, topic: Topic, data: TopicData) -> Topic:
    """Rename or recolour a topic."""
    return _save_topic(db_session, topic, data)
