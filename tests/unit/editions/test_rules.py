"""Edition, room and topic rules, as pure functions over data."""

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from learningweek.core.enums import RoomKind
from learningweek.core.localtime import local_to_utc
from learningweek.editions.services import (
    EditionData,
    RoomData,
    TopicData,
    default_edition_data,
    edition_problems,
    is_known_time_zone,
    room_problems,
    slugify,
    topic_problems,
)


def wall_clock(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A time as an organizer types it: on the edition's clock, so without a zone."""
    return datetime.combine(date(year, month, day), time(hour, minute))


GOOD_EDITION = EditionData(
    slug="spring-2027",
    name="Learning Week Spring 2027",
    time_zone="Europe/Stockholm",
    first_day=date(2027, 3, 8),
    last_day=date(2027, 3, 12),
    day_starts_at=time(9, 0),
    day_ends_at=time(17, 0),
    slot_minutes=30,
    proposals_open=wall_clock(2027, 1, 4, 9),
    proposals_close=wall_clock(2027, 2, 1, 17),
    signup_opens=wall_clock(2027, 2, 15, 9),
    signup_closes=wall_clock(2027, 3, 12, 12),
    feedback_days=14,
)


def test_good_edition_has_no_problems():
    assert edition_problems(GOOD_EDITION) == {}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"last_day": date(2027, 3, 7)}, "last_day", "cannot be before the first day"),
        ({"last_day": date(2027, 5, 7)}, "last_day", "at most 31 days"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "not a time zone we know"),
        ({"time_zone": "europe/stockholm "}, "time_zone", "not a time zone we know"),
        ({"day_ends_at": time(9, 0)}, "day_ends_at", "must end after it starts"),
        ({"slot_minutes": 0}, "slot_minutes", "between 5 and 240"),
        ({"slot_minutes": 45}, "slot_minutes", "whole slots of 45 minutes"),
        (
            {"proposals_close": wall_clock(2027, 1, 4, 9)},
            "proposals_close",
            "must close after it opens",
        ),
        (
            {"signup_closes": wall_clock(2027, 2, 1, 9)},
            "signup_closes",
            "must close after it opens",
        ),
        ({"feedback_days": -1}, "feedback_days", "between 0 and 90"),
        ({"slug": "Spring 2027"}, "slug", "lower-case letters"),
    ],
    ids=[
        "last-before-first",
        "too-long",
        "unknown-zone",
        "zone-not-exact",
        "day-ends-before-start",
        "slot-too-short",
        "slots-do-not-divide-day",
        "proposal-window-reversed",
        "signup-window-reversed",
        "negative-feedback-days",
        "bad-slug",
    ],
)
def test_edition_rule_reports_field_and_reason(changes, field, message):
    problems = edition_problems(replace(GOOD_EDITION, **changes))

    assert list(problems) == [field]
    assert message in problems[field]


def test_proposal_and_signup_windows_may_overlap():
    overlapping = replace(GOOD_EDITION, signup_opens=wall_clock(2027, 1, 20, 9))

    assert edition_problems(overlapping) == {}


def test_default_edition_data_is_valid():
    defaults = default_edition_data(date(2026, 11, 22), "Europe/Stockholm")

    assert edition_problems(defaults) == {}
    assert defaults.first_day.weekday() == 0


def test_wall_clock_window_becomes_utc_with_daylight_saving():
    zone = ZoneInfo("Europe/Stockholm")

    winter = local_to_utc(wall_clock(2027, 1, 15, 9, 0), zone)
    summer = local_to_utc(wall_clock(2027, 6, 15, 9, 0), zone)

    assert winter == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert summer == datetime(2027, 6, 15, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("Europe/Stockholm", True),
        ("America/Sao_Paulo", True),
        ("UTC", True),
        ("Nowhere/Land", False),
        ("", False),
        ("../../etc/passwd", False),
        ("x" * 5000, False),
        (None, False),
    ],
    ids=["stockholm", "sao-paulo", "utc", "unknown", "empty", "path", "very-long", "none"],
)
def test_known_time_zones(name, known):
    assert is_known_time_zone(name) is known


GOOD_ROOM = RoomData(name="Orion", kind=RoomKind.PHYSICAL, capacity=40)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"capacity": 0}, "capacity", "between 1 and 5,000"),
        ({"capacity": 5001}, "capacity", "between 1 and 5,000"),
        ({"kind": RoomKind.ONLINE}, "meeting_url", "needs the meeting link"),
        ({"name": "  "}, "name", "Give the room a name"),
        ({"equipment": ("teleporter",)}, "equipment", "Unknown equipment: teleporter"),
    ],
    ids=["capacity-zero", "capacity-too-big", "online-without-link", "blank-name", "equipment"],
)
def test_room_rule_reports_field_and_reason(changes, field, message):
    problems = room_problems(replace(GOOD_ROOM, **changes))

    assert list(problems) == [field]
    assert message in problems[field]


def test_online_room_with_link_is_fine():
    room = replace(GOOD_ROOM, kind=RoomKind.ONLINE, meeting_url="https://meet.example.com/x")

    assert room_problems(room) == {}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (TopicData(name="Data", slug="Data Science", colour="#123456"), "slug"),
        (TopicData(name="Data", slug="data", colour="red"), "colour"),
        (TopicData(name=" ", slug="data", colour="#123456"), "name"),
    ],
    ids=["slug", "colour", "name"],
)
def test_topic_rules(data, field):
    assert list(topic_problems(data)) == [field]


def test_slugify_makes_ascii_slugs():
    assert slugify("Data & AI: Ärlig Överblick!") == "data-ai-rlig-verblick"
