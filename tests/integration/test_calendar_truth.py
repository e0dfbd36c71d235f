"""Calendar truth: after any sequence of changes, each person's calendar rebuilt from the
invitations mailed to them, their personal feed and their agenda agree, run by run, in
UTC start and end, place and status. Every person: attendees, teachers and co-teachers
(added and removed along the way); the invitations read by icalendar and by vobject."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar
import sqlalchemy as sa
import vobject
import vobject.icalendar
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from learningweek.accounts import services as accounts
from learningweek.accounts.models import User
from learningweek.calendar.ical import EventStatus
from learningweek.calendar.services import invitation, personal_events
from learningweek.core.enums import PromotionMode, ProposalStatus, RoomKind, SignupStatus
from learningweek.core.errors import DomainError
from learningweek.editions import services as editions
from learningweek.editions.models import Room
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.notifications.tidings import announce
from learningweek.proposals import services as proposals
from learningweek.schedule import news
from learningweek.schedule import services as schedule
from learningweek.schedule.conflicts import Settings
from learningweek.schedule.models import Run
from learningweek.signups import programme, services
from learningweek.signups.models import Signup
from tests.conftest import empty_all_tables
from tests.factories import make_organizer, make_proposal, make_room, make_run, make_user
from tests.integration.signups.helpers import NOW, at, published_edition

PEOPLE = 4
HOST = "learningweek.test"
KINDS = (
    ["sign_up"] * 6
    + ["cancel"] * 2
    + ["switch"] * 2
    + [
        "accept",
        "decline",
        "cancel_run",
        "extra_run",
        "rename_room",
        "change_link",
        "limit",
        "move",
        "deactivate",
        "co_teacher",
    ]
)


@dataclass(frozen=True)
class Step:
    kind: str
    person: int
    run: int
    number: int


steps = st.builds(
    Step,
    kind=st.sampled_from(KINDS),
    person=st.integers(0, PEOPLE - 1),
    run=st.integers(0, 2),
    number=st.integers(1, 3),
)


@dataclass
class World:
    runs: list[Run]
    rooms: list[Room]
    people: list[User]
    teachers: list[User]  # two leads and a colleague; any may co-teach the other sessions
    organizer: User
    mailed: dict[int, list[bytes]]
    seen: int = 0
    now: datetime = NOW


def build_world(mode: PromotionMode) -> World:
    """Two sessions with three runs, published, so every teacher was mailed the runs
    they teach."""
    edition = published_edition(
        promotion_mode=mode, offer_hours=2, is_published=False, published_at=None
    )
    rooms = [
        make_room(name="Ada", capacity=2, location="Floor 1"),
        make_room(
            name="Stream", kind=RoomKind.ONLINE, capacity=3, meeting_url="https://meet.test/a"
        ),
        make_room(name="Hopper", capacity=4, location="Floor 2"),
    ]
    teachers = [make_user(), make_user(), make_user()]
    session_a = make_proposal(
        edition=edition,
        lead=teachers[0],
        status=ProposalStatus.ACCEPTED,
        max_participants=4,
        runs_offered=2,
    )
    session_b = make_proposal(
        edition=edition, lead=teachers[1], status=ProposalStatus.ACCEPTED, max_participants=4
    )
    session_b.co_teachers.append(teachers[2])
    runs = [
        make_run(session_a, starts_at=at(10), room=rooms[0]),
        make_run(session_a, starts_at=at(14), room=rooms[1]),
        make_run(session_b, starts_at=at(10, 30), room=rooms[1]),  # overlaps the first
    ]
    world = World(
        runs=runs,
        rooms=rooms,
        people=[make_user() for _ in range(PEOPLE)],
        teachers=teachers,
        organizer=make_organizer(),
        mailed={},
    )
    # Publishing as `publish_edition` does it, without its board rules (the runs share
    # rooms of either kind on purpose): the programme goes out and each teacher is
    # mailed the runs they teach.
    edition.is_published, edition.published_at = True, NOW - timedelta(days=30)
    db.session.flush()
    announce(
        db.session,
        [
            news.scheduled_tiding(teacher, run, on_publishing=True)
            for run in runs
            for teacher in run.learning_session.teachers
        ],
    )
    db.session.commit()
    mail_pass(world)
    return world


def _signup_of(person: User, run: Run) -> Signup | None:
    return services.active_signups_of(db.session, person, [run.session_id]).get(run.session_id)


def apply(world: World, step: Step) -> None:
    """Carry out one step as the person or an organizer would."""
    run, person = world.runs[step.run], world.people[step.person]
    organizer, now = world.organizer, world.now
    if step.kind == "sign_up":
        services.sign_up(db.session, run, person, now=now)
    elif step.kind in ("cancel", "switch", "accept", "decline"):
        signup = _signup_of(person, run)
        if signup is None:
            return
        if step.kind == "cancel":
            services.cancel_signup(db.session, signup, actor=person, now=now)
        elif step.kind == "switch":
            others = [other for other in world.runs if other.session_id == run.session_id]
            target = others[step.number % len(others)]
            services.switch_run(db.session, signup, target, actor=person, now=now)
        elif step.kind == "accept":
            services.accept_offer(db.session, signup, actor=person, now=now)
        else:
            services.decline_offer(db.session, signup, actor=person, now=now)
    elif step.kind == "cancel_run":
        schedule.cancel_run(db.session, run, actor=organizer, now=now)
    elif step.kind == "extra_run":
        new_run, _ = schedule.add_run_for_waitlist(
            db.session,
            run,
            at(9 + 2 * step.number, day=10),
            world.rooms[2],
            actor=organizer,
            now=now,
            settings=Settings(),
            force=True,
        )
        world.runs.append(new_run)
    elif step.kind in ("rename_room", "change_link"):
        room = world.rooms[1] if step.kind == "change_link" else world.rooms[step.number % 3]
        data = editions.RoomData(
            name=f"{room.name.split()[0]} {step.number}"
            if step.kind == "rename_room"
            else room.name,
            kind=room.kind,
            capacity=room.capacity,
            location=room.location,
            meeting_url=(
                f"https://meet.test/{step.person}{step.number}"
                if step.kind == "change_link"
                else room.meeting_url
            ),
        )
        editions.update_room(db.session, room, data, now=now)
    elif step.kind == "limit":
        services.set_seat_limit(
            db.session, run, step.number, actor=organizer, now=now, force=step.person % 2 == 0
        )
    elif step.kind == "move":
        schedule.place_run(
            db.session,
            run,
            at(9 + 2 * step.number, day=11),
            world.rooms[step.person % 3],
            actor=organizer,
            now=now,
            settings=Settings(),
            force=True,
            force_seats=True,
        )
    elif step.kind == "deactivate" and person.is_active:
        accounts.set_active(db.session, person, False, actor=organizer, now=now)
    elif step.kind == "co_teacher":
        teacher, learning_session = world.teachers[step.person % 3], run.learning_session
        if teacher in learning_session.co_teachers:
            proposals.remove_co_teacher(
                db.session, learning_session, teacher, actor=organizer, now=now
            )
        elif teacher.id != learning_session.lead_id:
            proposals.add_co_teacher(
                db.session, learning_session, teacher.email, actor=organizer, now=now
            )


def mail_pass(world: World) -> None:
    """What the mail worker attaches to each new message, built when it goes out."""
    pending = db.session.scalars(
        sa.select(Notification).where(Notification.id > world.seen).order_by(Notification.id)
    ).all()
    for notification in pending:
        world.seen = notification.id
        if notification.run_id is None or not notification.calendar_method:
            continue
        attached = invitation(
            db.session,
            notification.run_id,
            method=notification.calendar_method,
            session_url=lambda session_id: f"https://{HOST}/sessions/{session_id}",
            host=HOST,
            organizer="week@example.com",
            organizer_name="Learning Week",
            attendee=notification.recipient,
            now=world.now,
        )
        if attached is not None:
            world.mailed.setdefault(notification.recipient_id, []).append(attached)


Event = tuple[datetime, datetime, str]  # UTC start, UTC end, place


def _run_id(uid: str) -> int:
    return int(uid.removeprefix("learningweek-run-").split("@")[0])


def _utc(value) -> datetime:
    return value.dt.astimezone(UTC)


Part = tuple[str, str, int, datetime, datetime, str]  # method, UID, SEQUENCE, start, end, place


def by_icalendar(message: bytes) -> list[Part]:
    """The invitation's events as icalendar reads them (the zone by its name)."""
    calendar = icalendar.Calendar.from_ical(message)
    method = str(calendar["METHOD"])
    return [
        (
            method,
            str(event["UID"]),
            int(event.get("SEQUENCE", 0)),
            _utc(event["DTSTART"]),
            _utc(event["DTEND"]),
            str(event["LOCATION"]),
        )
        for event in calendar.walk("VEVENT")
    ]


def by_vobject(message: bytes) -> list[Part]:
    """The invitation's events as vobject reads them (through the VTIMEZONE it carries,
    read afresh for each mail as a client does: vobject otherwise keeps the first
    definition of a TZID it met for the life of the process)."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    kept = {"UTC": registry["UTC"]}
    registry.clear()
    registry.update(kept)
    calendar = vobject.readOne(io.StringIO(message.decode()))
    method = calendar.method.value
    return [
        (
            method,
            event.uid.value,
            int(event.sequence.value) if hasattr(event, "sequence") else 0,
            event.dtstart.value.astimezone(UTC),
            event.dtend.value.astimezone(UTC),
            event.location.value,
        )
        for event in getattr(calendar, "vevent_list", [])
    ]


READERS = {"icalendar": by_icalendar, "vobject": by_vobject}


def mailed_calendar(messages: list[bytes], read=by_icalendar) -> dict[int, Event]:
    """A calendar client's view after the messages in order: by UID, the highest
    SEQUENCE (then the latest message) wins, and a CANCEL removes the event."""
    held: dict[str, tuple[int, Event | None]] = {}
    for message in messages:
        for method, uid, sequence, start, end, location in read(message):
            if uid in held and held[uid][0] > sequence:
                continue  # an older version arriving late changes nothing
            shown = None if method == "CANCEL" else (start, end, location)
            held[uid] = (sequence, shown)
    return {_run_id(uid): shown for uid, (_, shown) in held.items() if shown is not None}


def feed_calendar(user: User) -> dict[int, Event]:
    """The personal feed's confirmed events (waiting places show tentative, not as mine)."""
    events, _ = personal_events(db.session, user.id, session_url=lambda s: f"https://{HOST}/{s}")
    return {
        event.run_id: (event.starts_at, event.ends_at, event.location)
        for event in events
        if event.status == EventStatus.CONFIRMED
    }


def agenda_runs(user: User, now: datetime) -> dict[int, tuple[datetime, datetime]]:
    """The runs my agenda shows me holding a seat in or teaching."""
    agenda = programme.agenda(db.session, user, now=now)
    return {
        item.run.id: (item.run.starts_at, item.run.ends_at)
        for item in agenda.items
        if (item.signup is None or item.signup.status == SignupStatus.CONFIRMED)
        and not item.run.is_cancelled
    }


def check_truth(world: World) -> None:
    db.session.expire_all()
    for person in [*world.people, *world.teachers]:
        readings = {
            name: mailed_calendar(world.mailed.get(person.id, []), read)
            for name, read in READERS.items()
        }
        mailed = readings["icalendar"]
        assert readings["vobject"] == mailed, f"the parsers disagree for {person.display_name}"
        if not person.is_active:
            assert mailed == {}, f"{person.display_name} left with runs in their calendar"
            continue
        feed = feed_calendar(person)
        agenda = agenda_runs(person, world.now)
        assert mailed == feed, f"mailed invitations and feed disagree for {person.display_name}"
        assert {run_id: event[:2] for run_id, event in feed.items()} == agenda, (
            f"feed and agenda disagree for {person.display_name}"
        )


def step(kind: str, person: int = 0, run: int = 0, number: int = 1) -> Step:
    return Step(kind, person, run, number)


# Paths the issue names, spelled out so every run checks them.
CANCEL_OWN = [step("sign_up"), step("cancel")]
SWITCH = [step("sign_up"), step("switch", number=1)]
RENAME = [step("sign_up"), step("rename_room", number=3)]
NEW_LINK = [step("sign_up", run=1), step("change_link", number=2)]
DEACTIVATE = [step("sign_up"), step("sign_up", person=1, run=2), step("deactivate")]
CO_TEACHERS = [step("co_teacher", person=0, run=2), step("move"), step("co_teacher", 0, run=2)]
TEACHING = [step("cancel_run", run=1), step("extra_run", person=1, run=2), step("co_teacher", 2)]
ACCEPT = [
    step("sign_up", 0),
    step("sign_up", 1),
    step("sign_up", 2),
    step("cancel", 0),
    step("accept", 2),
]


@example(mode=PromotionMode.AUTOMATIC, sequence=CANCEL_OWN)
@example(mode=PromotionMode.AUTOMATIC, sequence=SWITCH)
@example(mode=PromotionMode.AUTOMATIC, sequence=RENAME)
@example(mode=PromotionMode.AUTOMATIC, sequence=NEW_LINK)
@example(mode=PromotionMode.AUTOMATIC, sequence=DEACTIVATE)
@example(mode=PromotionMode.OFFER, sequence=ACCEPT)
@example(mode=PromotionMode.AUTOMATIC, sequence=CO_TEACHERS)
@example(mode=PromotionMode.AUTOMATIC, sequence=TEACHING)
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mode=st.sampled_from(list(PromotionMode)), sequence=st.lists(steps, min_size=4, max_size=20))
def test_mailed_calendar_feed_and_agenda_agree_after_any_changes(app, mode, sequence):
    world = build_world(mode)
    try:
        for item in sequence:
            try:
                apply(world, item)
            except DomainError:
                db.session.rollback()
            else:
                db.session.commit()
            mail_pass(world)
            db.session.commit()
            world.now += timedelta(minutes=7)
        check_truth(world)
    finally:
        db.session.rollback()
        empty_all_tables()
