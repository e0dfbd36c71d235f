"""Demo data: a realistic company Learning Week dated around today.

The current edition started two days ago, so sign-up is open and some days are
already past; the next edition is open for proposals.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from learningweek.accounts.models import User
from learningweek.accounts.services import ProfileData, register_user
from learningweek.editions.services import (
    EditionData,
    RoomData,
    TopicData,
    create_edition,
    create_room,
    create_topic,
    slugify,
)
from learningweek.enums import Equipment, RoomKind
from learningweek.localtime import utc_to_local

DEMO_PASSWORD = "learning-week-demo"

PEOPLE = [
    ("ana.ruiz@example.com", "Ana Ruiz", "People & Culture", True),
    ("oskar.lind@example.com", "Oskar Lind", "Learning & Development", True),
    ("mei.chen@example.com", "Mei Chen", "Data Platform", False),
    ("jonas.berg@example.com", "Jonas Berg", "Radio Software", False),
    ("priya.nair@example.com", "Priya Nair", "Security", False),
    ("lucas.moreau@example.com", "Lucas Moreau", "Customer Success", False),
    ("sara.holm@example.com", "Sara Holm", "Finance", False),
    ("tomasz.nowak@example.com", "Tomasz Nowak", "Cloud Infrastructure", False),
    ("amara.okafor@example.com", "Amara Okafor", "Product Design", False),
    ("henrik.sand@example.com", "Henrik Sand", "Legal", False),
]

ROOMS = [
    RoomData(
        "Auditorium",
        RoomKind.PHYSICAL,
        120,
        "Building A, ground floor",
        (Equipment.PROJECTOR, Equipment.MICROPHONE, Equipment.VIDEO),
        "https://meet.example.com/auditorium",
    ),
    RoomData(
        "Fika Room",
        RoomKind.PHYSICAL,
        16,
        "Building A, 2nd floor",
        (Equipment.WHITEBOARD, Equipment.SCREEN),
    ),
    RoomData(
        "Lab 3",
        RoomKind.PHYSICAL,
        24,
        "Building B, 3rd floor",
        (Equipment.LAPTOPS, Equipment.PROJECTOR, Equipment.WHITEBOARD),
    ),
    RoomData(
        "Orion",
        RoomKind.PHYSICAL,
        40,
        "Building B, 1st floor",
        (Equipment.PROJECTOR, Equipment.VIDEO, Equipment.WHITEBOARD),
        "https://meet.example.com/orion",
    ),
    RoomData(
        "Workshop Loft",
        RoomKind.PHYSICAL,
        30,
        "Building C, top floor",
        (Equipment.WHITEBOARD, Equipment.SCREEN),
    ),
    RoomData(
        "Online 1",
        RoomKind.ONLINE,
        300,
        "",
        (Equipment.VIDEO,),
        "https://meet.example.com/lw-online-1",
    ),
    RoomData(
        "Online 2",
        RoomKind.ONLINE,
        300,
        "",
        (Equipment.VIDEO,),
        "https://meet.example.com/lw-online-2",
    ),
    RoomData(
        "Webinar",
        RoomKind.ONLINE,
        1000,
        "",
        (Equipment.VIDEO,),
        "https://meet.example.com/lw-webinar",
    ),
]

TOPICS = [
    ("Software engineering", "#3366cc"),
    ("Data & AI", "#7b4fa0"),
    ("Security", "#b03a2e"),
    ("Leadership", "#2e7d32"),
    ("Communication", "#c77700"),
    ("Sustainability", "#00838f"),
    ("Well-being", "#ad1457"),
]


def _edition_data(
    name: str, first_day: date, time_zone: str, proposals_open: datetime
) -> EditionData:
    return EditionData(
        slug=slugify(name),
        name=name,
        description=(
            "A week where colleagues teach what they know: hands-on workshops, talks and "
            "discussions, in person and online, with time to practise and reflect."
        ),
        time_zone=time_zone,
        first_day=first_day,
        last_day=first_day + timedelta(days=4),
        day_starts_at=time(9, 0),
        day_ends_at=time(17, 0),
        slot_minutes=30,
        proposals_open=proposals_open,
        proposals_close=datetime.combine(first_day - timedelta(days=28), time(17, 0)),
        signup_opens=datetime.combine(first_day - timedelta(days=14), time(9, 0)),
        signup_closes=datetime.combine(first_day + timedelta(days=4), time(12, 0)),
        feedback_days=14,
    )


def load_demo(db_session: Session, *, now: datetime, time_zone: str) -> list[User]:
    """Create the demo people, rooms, topics and editions; returns the people."""
    people = [
        register_user(
            db_session,
            ProfileData(email=email, display_name=name, department=department),
            password=DEMO_PASSWORD,
            is_organizer=is_organizer,
        )
        for email, name, department, is_organizer in PEOPLE
    ]
    for room in ROOMS:
        create_room(db_session, room)
    for name, colour in TOPICS:
        create_topic(db_session, TopicData(name=name, slug=slugify(name), colour=colour))

    today = utc_to_local(now, ZoneInfo(time_zone)).date()
    current_start = today - timedelta(days=2)
    current = create_edition(
        db_session,
        _edition_data(
            f"Learning Week {current_start:%B %Y}",
            current_start,
            time_zone,
            proposals_open=datetime.combine(current_start - timedelta(days=70), time(9, 0)),
        ),
    )
    current.is_published = True
    next_start = today + timedelta(days=120)
    create_edition(
        db_session,
        _edition_data(
            f"Learning Week {next_start:%B %Y}",
            next_start,
            time_zone,
            proposals_open=datetime.combine(today - timedelta(days=7), time(9, 0)),
        ),
    )
    db_session.flush()
    return people
