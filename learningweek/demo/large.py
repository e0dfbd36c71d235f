"""The full-size demo edition, written in bulk for benchmarks.

The small demo goes through the services, one row at a time; at company size that
would take hours. This module writes the same kind of published edition with
Core `insert()`s of plain dicts instead: people, rooms, accepted sessions with runs
placed on a clash-free grid, interest marks, sign-ups with waitlists, and past runs
with check-ins and feedback. It keeps the domain's invariants by construction
(seats never exceed capacity, one active sign-up per person and session, no
sign-up overlapping a confirmed one, waitlists only on full runs) rather than by
calling the rules, so `tests/integration/test_demo_large.py` checks them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from learningweek.accounts.models import User
from learningweek.accounts.services import hash_password
from learningweek.calendar.models import FeedVersion
from learningweek.core.database import Base, DbSession
from learningweek.core.enums import (
    Attendance,
    Equipment,
    Level,
    ProposalStatus,
    RoomKind,
    SessionFormat,
    SignupStatus,
)
from learningweek.core.localtime import utc_to_local
from learningweek.demo.small import DEMO_PASSWORD, TOPICS
from learningweek.editions.models import Edition, Room, Topic
from learningweek.editions.services import slugify
from learningweek.feedback.models import Feedback
from learningweek.proposals.models import (
    Interest,
    LearningObjective,
    LearningSession,
    session_topics,
)
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup

FULL_PEOPLE = 20_000
FULL_SESSIONS = 600
FULL_SIGNUPS = 80_000
PHYSICAL_ROOMS = 30
ONLINE_ROOMS = 10
DAYS = 5
SLOT_MINUTES = 30
DAY_SLOTS = 16  # 09:00-17:00
HEAVY_USER_SIGNUPS = 15
HEAVY_USER_EMAIL = "heavy.user@example.com"
ORGANIZER_EMAIL = "organizer@example.com"
BATCH = 5_000

# A row for a Core insert: column name to value, of whichever type the column takes.
Row = dict[str, Any]


@dataclass
class _Run:
    id: int
    session: int
    day: int
    slot: int
    slots: int
    room: int
    capacity: int
    confirmed: int = 0
    waitlisted: int = 0

    def overlaps(self, other: _Run) -> bool:
        return (
            self.day == other.day
            and self.slot < other.slot + other.slots
            and other.slot < self.slot + self.slots
        )


@dataclass
class LargeDemoCounts:
    """What was written, for the command to print."""

    people: int = 0
    rooms: int = 0
    sessions: int = 0
    runs: int = 0
    interests: int = 0
    confirmed: int = 0
    waitlisted: int = 0
    attended: int = 0
    feedback: int = 0
    unplaced: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def _insert(db_session: DbSession, table: type[Base] | sa.Table, rows: Sequence[Row]) -> None:
    for start in range(0, len(rows), BATCH):
        db_session.execute(sa.insert(table), rows[start : start + BATCH])


def load_large_demo(
    db_session: DbSession, *, now: datetime, time_zone: str, scale: float = 1.0, seed: int = 10
) -> LargeDemoCounts:
    """Write the full-size published edition (or `scale` of it) into an empty database."""
    rng = random.Random(seed)
    counts = LargeDemoCounts()
    zone = ZoneInfo(time_zone)
    n_people = max(40, round(FULL_PEOPLE * scale))
    n_sessions = max(12, round(FULL_SESSIONS * scale))
    n_signups = max(100, round(FULL_SIGNUPS * scale))

    # --- people: one shared hash, since a slow KDF per row would take hours ---------------
    password_hash = hash_password(DEMO_PASSWORD)
    people: list[Row] = [
        {
            "id": 1,
            "email": ORGANIZER_EMAIL,
            "display_name": "Olga Organizer",
            "password_hash": password_hash,
            "is_organizer": True,
        },
        {
            "id": 2,
            "email": HEAVY_USER_EMAIL,
            "display_name": "Hana Heavy",
            "password_hash": password_hash,
        },
    ]
    departments = ("Radio Software", "Cloud", "Data Platform", "Finance", "Sales", "Security")
    people += [
        {
            "id": i,
            "email": f"person{i}@example.com",
            "display_name": f"Person {i}",
            "department": departments[i % len(departments)],
            "password_hash": password_hash,
        }
        for i in range(3, n_people + 1)
    ]
    _insert(db_session, User, people)
    counts.people = len(people)

    # --- rooms and topics -----------------------------------------------------------------
    rooms: list[Row] = []
    for i in range(1, PHYSICAL_ROOMS + 1):
        rooms.append(
            {
                "id": i,
                "name": f"Room {i:02d}",
                "kind": RoomKind.PHYSICAL,
                "capacity": (12, 16, 20, 24, 30, 40, 60, 120)[i % 8],
                "location": f"Building {'ABC'[i % 3]}, floor {i % 5}",
                "equipment": [Equipment.PROJECTOR.value, Equipment.WHITEBOARD.value],
            }
        )
    for i in range(1, ONLINE_ROOMS + 1):
        rooms.append(
            {
                "id": PHYSICAL_ROOMS + i,
                "name": f"Online {i:02d}",
                "kind": RoomKind.ONLINE,
                "capacity": 300,
                "equipment": [Equipment.VIDEO.value],
                "meeting_url": f"https://meet.example.com/lw-online-{i}",
            }
        )
    _insert(db_session, Room, rooms)
    counts.rooms = len(rooms)
    _insert(
        db_session,
        Topic,
        [
            {"id": i, "name": name, "slug": slugify(name), "colour": colour}
            for i, (name, colour) in enumerate(TOPICS, start=1)
        ],
    )

    # --- the edition: it started two days ago, so some runs are past --------------------
    today = utc_to_local(now, zone).date()
    first_day = today - timedelta(days=2)

    def instant(day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)

    published_at = instant(first_day - timedelta(days=15), time(9))
    signup_opens = instant(first_day - timedelta(days=14), time(9))
    week_starts = instant(first_day, time(9))
    _insert(
        db_session,
        Edition,
        [
            {
                "id": 1,
                "slug": slugify(f"Learning Week {first_day:%B %Y}"),
                "name": f"Learning Week {first_day:%B %Y}",
                "description": "The full-size benchmark edition.",
                "time_zone": time_zone,
                "first_day": first_day,
                "last_day": first_day + timedelta(days=DAYS - 1),
                "day_starts_at": time(9),
                "day_ends_at": time(17),
                "slot_minutes": SLOT_MINUTES,
                "proposals_open_at": instant(first_day - timedelta(days=70), time(9)),
                "proposals_close_at": instant(first_day - timedelta(days=28), time(17)),
                "signup_opens_at": signup_opens,
                "signup_closes_at": instant(first_day + timedelta(days=DAYS - 1), time(12)),
                "is_published": True,
                "published_at": published_at,
                "created_at": published_at - timedelta(days=80),
                "updated_at": published_at,
            }
        ],
    )
    # Its feed version row, as the ORM would make it: raising a version must never
    # have to insert one (see learningweek.calendar.models.FeedVersion).
    _insert(db_session, FeedVersion, [{"edition_id": 1, "version": 0, "changed_at": published_at}])

    # --- sessions: each with its own lead, so only a session's own runs share a teacher --
    sessions: list[Row] = []
    topics: list[Row] = []
    objectives: list[Row] = []
    teacher_ids = rng.sample(range(3, n_people + 1), n_sessions)
    for i in range(1, n_sessions + 1):
        is_online = i % 4 == 0
        sessions.append(
            {
                "id": i,
                "edition_id": 1,
                "lead_id": teacher_ids[i - 1],
                "title": f"Session {i}: {rng.choice(('Hands-on', 'Intro to', 'Deep dive'))} "
                f"{rng.choice(('testing', 'SQL', 'feedback', 'Rust', 'negotiation', 'design'))}",
                "abstract": "What we will do, and why it helps in daily work. " * 4,
                "format": SessionFormat.ONLINE if is_online else SessionFormat.IN_PERSON,
                "duration_minutes": rng.choice((60, 60, 90, 120)),
                "max_participants": 100 if is_online else rng.choice((12, 20, 25, 30, 40, 60)),
                "runs_offered": 2 if rng.random() < 0.15 else 1,
                "level": rng.choice(list(Level)),
                "status": ProposalStatus.ACCEPTED,
                "submitted_at": published_at - timedelta(days=50),
                "created_at": published_at - timedelta(days=55),
                "updated_at": published_at - timedelta(days=40),
            }
        )
        for topic_id in rng.sample(range(1, len(TOPICS) + 1), rng.choice((1, 1, 2))):
            topics.append({"session_id": i, "topic_id": topic_id})
        objectives.append({"session_id": i, "position": 0, "text": "Try it on a real problem"})
    _insert(db_session, LearningSession, sessions)
    _insert(db_session, session_topics, topics)
    _insert(db_session, LearningObjective, objectives)
    counts.sessions = len(sessions)

    # --- runs: first free start in a rotating order, in a room of the right kind ---------
    busy: dict[int, set[tuple[int, int]]] = {room["id"]: set() for room in rooms}
    placed: list[_Run] = []
    runs_of: dict[int, list[_Run]] = {}
    starts = [(day, slot) for slot in range(DAY_SLOTS) for day in range(DAYS)]
    run_id = 0
    for session in sessions:
        slots = session["duration_minutes"] // SLOT_MINUTES
        kind = RoomKind.ONLINE if session["format"] == SessionFormat.ONLINE else RoomKind.PHYSICAL
        candidates = [room for room in rooms if room["kind"] == kind]
        # Big sessions look at big rooms first; the offset spreads sessions over the week.
        candidates.sort(key=lambda room: abs(room["capacity"] - session["max_participants"]))
        offset = rng.randrange(len(starts))
        for _ in range(session["runs_offered"]):
            run_id += 1
            spot = _first_free(
                starts[offset:] + starts[:offset], slots, candidates, busy, runs_of, session["id"]
            )
            if spot is None:
                counts.unplaced += 1
                run_id -= 1
                continue
            (day, slot), room = spot
            busy[room["id"]].update((day, slot + k) for k in range(slots))
            run = _Run(
                run_id,
                session["id"],
                day,
                slot,
                slots,
                room["id"],
                min(session["max_participants"], room["capacity"]),
            )
            placed.append(run)
            runs_of.setdefault(session["id"], []).append(run)

    def run_start(run: _Run) -> datetime:
        minutes = run.slot * SLOT_MINUTES
        return instant(first_day + timedelta(days=run.day), time(9 + minutes // 60, minutes % 60))

    _insert(
        db_session,
        Run,
        [
            {
                "id": run.id,
                "session_id": run.session,
                "starts_at": run_start(run),
                "room_id": run.room,
                "changed_at": published_at,
                "created_at": published_at - timedelta(days=5),
            }
            for run in placed
        ],
    )
    counts.runs = len(placed)

    # --- interest: skewed popularity, 1-8 marks each --------------------------------------
    session_ids = [session["id"] for session in sessions if session["id"] in runs_of]
    weights = [1 / (rank + 30) for rank in range(len(session_ids))]
    rng.shuffle(session_ids)
    cumulative = _cumulative(weights)
    interests: list[Row] = []
    for person in range(2, n_people + 1):
        marked = set(rng.choices(session_ids, cum_weights=cumulative, k=rng.randint(1, 8)))
        interests += [
            {"session_id": s, "user_id": person, "created_at": published_at - timedelta(days=20)}
            for s in marked
        ]
    _insert(db_session, Interest, interests)
    counts.interests = len(interests)

    # --- sign-ups, in the order they came in ----------------------------------------------
    # The heavy user signs up first, for 15 runs that do not overlap, so all are confirmed.
    requests = [(2, s) for s in session_ids]
    # More requests than sign-ups: repeats and clashes are skipped, as the app refuses them.
    extra = round(n_signups * 1.2)
    others = [rng.randrange(3, n_people + 1) for _ in range(extra)]
    requests += zip(others, rng.choices(session_ids, cum_weights=cumulative, k=extra), strict=True)
    confirmed_runs: dict[int, list[_Run]] = {}
    signed: set[tuple[int, int]] = set()
    teaching = {session["lead_id"]: session["id"] for session in sessions}
    signups: list[Row] = []
    step = (week_starts - timedelta(hours=1) - signup_opens) / (len(requests) + 1)
    heavy_count = 0
    for person, session_id in requests:
        if len(signups) >= n_signups + HEAVY_USER_SIGNUPS:
            break
        if person == 2 and heavy_count >= HEAVY_USER_SIGNUPS:
            continue
        if (person, session_id) in signed or teaching.get(person) == session_id:
            continue
        mine = confirmed_runs.setdefault(person, [])
        options = [run for run in runs_of[session_id] if not any(run.overlaps(c) for c in mine)]
        if not options:
            continue
        run = min(options, key=lambda r: r.confirmed)
        signed.add((person, session_id))
        heavy_count += person == 2
        queued_at = signup_opens + step * (len(signups) + 1)
        row = {
            "run_id": run.id,
            "session_id": session_id,
            "user_id": person,
            "queued_at": queued_at,
            "created_at": queued_at,
            "updated_at": queued_at,
        }
        if run.confirmed < run.capacity:
            run.confirmed += 1
            mine.append(run)
            row.update(status=SignupStatus.CONFIRMED, confirmed_at=queued_at)
        else:
            run.waitlisted += 1
            row.update(status=SignupStatus.WAITLISTED, confirmed_at=None)
        row.update(attendance=None, checked_in_at=None)
        signups.append(row)

    # --- past runs: check-ins and feedback ------------------------------------------------
    by_id = {run.id: run for run in placed}
    feedback: list[Row] = []
    for row in signups:
        run = by_id[row["run_id"]]
        starts_at = run_start(run)
        ends_at = starts_at + timedelta(minutes=run.slots * SLOT_MINUTES)
        if row["status"] != SignupStatus.CONFIRMED or ends_at > now:
            continue
        if rng.random() < 0.15:
            row["attendance"] = Attendance.NO_SHOW
            continue
        row["attendance"] = Attendance.ATTENDED
        row["checked_in_at"] = starts_at + timedelta(minutes=rng.randint(-10, 10))
        counts.attended += 1
        if rng.random() < 0.4:
            given_at = min(now, ends_at + timedelta(hours=rng.randint(1, 30)))
            feedback.append(
                {
                    "run_id": run.id,
                    "session_id": run.session,
                    "user_id": row["user_id"],
                    "overall": rng.randint(2, 5),
                    "useful": rng.randint(1, 5),
                    "would_recommend": rng.random() < 0.8,
                    "worked": rng.choice(("", "The exercises.", "Real examples from our work.")),
                    "improve": rng.choice(("", "More time to practise.", "Slides beforehand.")),
                    "created_at": given_at,
                    "updated_at": given_at,
                }
            )
    _insert(db_session, Signup, signups)
    _insert(db_session, Feedback, feedback)
    counts.confirmed = sum(row["status"] == SignupStatus.CONFIRMED for row in signups)
    counts.waitlisted = len(signups) - counts.confirmed
    counts.feedback = len(feedback)
    _reset_sequences(db_session)
    db_session.flush()
    return counts


def _cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _first_free(
    starts: Sequence[tuple[int, int]],
    slots: int,
    rooms: Sequence[Row],
    busy: dict[int, set[tuple[int, int]]],
    runs_of: dict[int, list[_Run]],
    session_id: int,
) -> tuple[tuple[int, int], Row] | None:
    """The first start (and best-sized room) free for the whole run, away from its own
    teacher's other runs, or None."""
    own = runs_of.get(session_id, [])
    for day, slot in starts:
        if slot + slots > DAY_SLOTS:
            continue
        probe = _Run(0, session_id, day, slot, slots, 0, 0)
        if any(probe.overlaps(run) for run in own):
            continue
        for room in rooms:
            if all((day, slot + k) not in busy[room["id"]] for k in range(slots)):
                return (day, slot), room
    return None


def _reset_sequences(db_session: DbSession) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the rows."""
    if db_session.get_bind().dialect.name != "postgresql":
        return
    for table in ("users", "rooms", "topics", "editions", "learning_sessions", "runs"):
        db_session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )
