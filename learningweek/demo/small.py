"""Demo data: a realistic company Learning Week dated around today.

The current edition started two days ago, so sign-up is open and some days are
already past; its proposals went through review and it is published. The next
edition is open for proposals, which are in every state of the workflow.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from learningweek.accounts.models import User
from learningweek.accounts.services import ProfileData, make_organizer, register_users
from learningweek.core.database import DbSession
from learningweek.core.enums import Attendance, Equipment, ProposalStatus, RoomKind
from learningweek.core.errors import DomainError
from learningweek.core.localtime import utc_to_local
from learningweek.demo.catalogue import DemoSession, load_catalogue
from learningweek.editions.models import Edition, Topic
from learningweek.editions.services import (
    EditionData,
    RoomData,
    TopicData,
    create_edition,
    create_room,
    create_topic,
    default_edition_data,
    slugify,
)
from learningweek.feedback.services import answers as feedback
from learningweek.learning import services as learning
from learningweek.proposals.models import LearningSession
from learningweek.proposals.services import (
    add_co_teacher,
    cancel_session,
    coming_up,
    create_proposal,
    decide_proposal,
    interest_counts,
    set_interest,
    submit_proposal,
    withdraw_proposal,
)
from learningweek.schedule.conflicts import Settings
from learningweek.schedule.models import Run
from learningweek.schedule.services import (
    placed_runs,
    publish_edition,
    schedule_edition,
    set_pinned,
)
from learningweek.signups import services as signups

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
    """A new edition's defaults (hours, slots, feedback days), on the demo's dates.

    The demo's windows are tighter than a new edition's: the current edition must be
    open for sign-up now, and the next one open for proposals.
    """
    return replace(
        default_edition_data(first_day, time_zone),
        slug=slugify(name),
        name=name,
        description=(
            "A week where colleagues teach what they know: hands-on workshops, talks and "
            "discussions, in person and online, with time to practise and reflect."
        ),
        first_day=first_day,
        last_day=first_day + timedelta(days=4),
        proposals_open=proposals_open,
        proposals_close=datetime.combine(first_day - timedelta(days=28), time(17, 0)),
        signup_opens=datetime.combine(first_day - timedelta(days=14), time(9, 0)),
        signup_closes=datetime.combine(first_day + timedelta(days=4), time(12, 0)),
    )


EXTRA_FIRST_NAMES = (
    "Alex", "Bea", "Carlos", "Dana", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jakob",
    "Kaja", "Leila", "Mats", "Nora", "Omar", "Pia", "Quentin", "Rosa", "Sven", "Tara",
)  # fmt: skip
EXTRA_LAST_NAMES = ("Andersson", "Bianchi", "Costa", "Dahl", "Eklund", "Fischer", "Gupta")
DEPARTMENTS = (
    "Radio Software", "Cloud Infrastructure", "Data Platform", "Finance", "Sales",
    "People & Culture", "Security", "Product Design", "Customer Success", "Legal",
)  # fmt: skip
DECISION_COMMENTS = {
    ProposalStatus.ACCEPTED: "Great topic, thank you for offering it!",
    ProposalStatus.REJECTED: "We already have two sessions on this; could you team up next time?",
    ProposalStatus.CHANGES_REQUESTED: "Could you add a hands-on exercise and make the objectives "
    "more concrete?",
}


def load_demo(db_session: DbSession, *, now: datetime, time_zone: str) -> list[User]:
    """Create the demo people, rooms, topics, editions and proposals; returns the named people."""
    people = register_users(
        db_session,
        [
            ProfileData(email=email, display_name=name, department=dept)
            for email, name, dept, _ in PEOPLE
        ],
        password=DEMO_PASSWORD,
    )
    organizers = [
        user for user, (*_, is_organizer) in zip(people, PEOPLE, strict=True) if is_organizer
    ]
    for organizer in organizers:
        make_organizer(db_session, organizer.email, password=None, name=organizer.display_name)
    employees = [user for user in people if not user.is_organizer]
    colleagues = register_users(db_session, _extra_profiles(), password=DEMO_PASSWORD)

    for room in ROOMS:
        create_room(db_session, room)
    topics = {
        name: create_topic(db_session, TopicData(name=name, slug=slugify(name), colour=colour))
        for name, colour in TOPICS
    }

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
    next_start = today + timedelta(days=120)
    upcoming = create_edition(
        db_session,
        _edition_data(
            f"Learning Week {next_start:%B %Y}",
            next_start,
            time_zone,
            proposals_open=datetime.combine(today - timedelta(days=7), time(9, 0)),
        ),
    )
    teachers = employees + colleagues[:10]
    reviewer = organizers[0]
    catalogue = load_catalogue()
    split = len(CURRENT_OUTCOMES)
    _propose(
        db_session,
        current,
        catalogue[:split],
        CURRENT_OUTCOMES,
        teachers,
        topics,
        reviewer,
        proposed_at=current.proposals_open_at,
        decided_at=current.proposals_close_at,
    )
    _propose(
        db_session,
        upcoming,
        catalogue[split:],
        UPCOMING_OUTCOMES,
        teachers[3:],
        topics,
        reviewer,
        proposed_at=now - timedelta(days=6),
        decided_at=now - timedelta(hours=20),
    )
    _mark_interest(db_session, [current, upcoming], employees + colleagues)
    # Interest is collected before the programme is published; then runs are placed,
    # a few pinned by hand, and the current edition is published.
    settings = Settings()
    for edition in (current, upcoming):
        report = schedule_edition(
            db_session, edition, actor=reviewer, now=now, settings=settings, time_limit=5
        )
        if report.unplaced:
            raise RuntimeError(
                f"demo: {len(report.unplaced)} runs of {edition.name} found no place"
            )
        for run in list(db_session.scalars(placed_runs(edition)))[:3]:
            set_pinned(db_session, run, True, actor=reviewer)
    publish_edition(db_session, current, actor=reviewer, settings=settings, now=now)
    _sign_up(db_session, current, employees + colleagues, reviewer, now=now)
    return people


def _sign_up(
    db_session: DbSession, edition: Edition, people: list[User], organizer: User, *, now: datetime
) -> None:
    """Sign-ups since sign-up opened, through the real service: a few popular runs fill
    up and keep a waitlist, some people cancel, and past runs have their check-ins."""
    chooser = random.Random(2027)
    runs = list(db_session.scalars(placed_runs(edition)))
    stars = interest_counts(db_session, {run.session_id for run in runs})
    popular = sorted(runs, key=lambda run: (-stars.get(run.session_id, 0), run.id))[:3]
    opened = edition.signup_opens_at
    for run in popular:
        signups.set_seat_limit(db_session, run, 6, actor=organizer, now=opened)
    weights = [3 if run in popular else 1 for run in runs]
    requests = []
    for person in people:
        for run in set(chooser.choices(runs, weights=weights, k=6)):
            asked_at = opened + timedelta(minutes=chooser.randrange(60 * 24 * 10))
            if asked_at < min(_starts_at(run), now):
                requests.append((asked_at, person.id, run, person))
    held = []
    for asked_at, _, run, person in sorted(requests, key=lambda r: (r[0], r[1], r[2].id)):
        try:
            held.append(signups.sign_up(db_session, run, person, now=asked_at))
        except DomainError:
            continue  # a clash, a session they teach: the real page would refuse it too
    upcoming = [signup for signup in held if _starts_at(signup.run) > now and signup.is_active]
    for signup in chooser.sample(upcoming, k=min(8, len(upcoming))):
        signups.cancel_signup(db_session, signup, actor=signup.user, now=now - timedelta(hours=3))
    ended = [run for run in runs if _ends_at(run) <= now]
    for run in ended:
        attendees = signups.roster(db_session, run, now=_ends_at(run)).confirmed
        marks: dict[int, Attendance | None] = {
            signup.id: Attendance.ATTENDED if chooser.random() < 0.85 else Attendance.NO_SHOW
            for signup in attendees
        }
        signups.record_attendance(db_session, run, marks, actor=organizer, now=_ends_at(run))
    feedback.request_feedback(db_session, now=now)
    _give_feedback(db_session, ended, chooser)


# The demo signs people up only for runs from placed_runs, which have a start and an end.
def _starts_at(run: Run) -> datetime:
    assert run.starts_at is not None, run
    return run.starts_at


def _ends_at(run: Run) -> datetime:
    assert run.ends_at is not None, run
    return run.ends_at


WORKED = (
    "The hands-on exercise made it click.",
    "Real examples from our own code base.",
    "Small groups, so everyone got to try.",
    "Clear slides and time for questions.",
)
IMPROVE = (
    "A bit more time for the exercise.",
    "Share the material beforehand.",
    "The room was too warm.",
    "",
)


def _give_feedback(db_session: DbSession, runs: list[Run], chooser: random.Random) -> None:
    """Answers and private notes on the runs that are over: some runs get enough
    answers to show results to their teachers, others stay below the threshold."""
    for index, run in enumerate(runs):
        share = 0.8 if index % 3 else 0.15
        ended_at = _ends_at(run)
        for signup in signups.roster(db_session, run, now=ended_at).confirmed:
            if not signup.counts_as_attendee or chooser.random() > share:
                continue
            objectives: dict[int, int | None] = {
                o.id: chooser.choice([3, 4, 4, 5]) for o in run.learning_session.objectives
            }
            feedback.save_feedback(
                db_session,
                run,
                feedback.FeedbackData(
                    overall=chooser.choice([3, 4, 4, 5, 5]),
                    useful=chooser.choice([2, 3, 4, 4, 5]),
                    would_recommend=chooser.random() < 0.8,
                    worked=chooser.choice(WORKED),
                    improve=chooser.choice(IMPROVE),
                    objectives=objectives,
                ),
                user=signup.user,
                now=ended_at + timedelta(hours=2),
            )
            if chooser.random() < 0.4:
                learning.save_reflection(
                    db_session,
                    run.learning_session,
                    learning.ReflectionData(
                        try_at_work="Try it in our next sprint review.",
                        practise="The exercise from the second half.",
                    ),
                    writer=signup.user,
                    now=ended_at + timedelta(hours=3),
                )


# What happens to each proposal, in catalogue order: the states a real edition shows.
CURRENT_OUTCOMES = ("accepted",) * 21 + ("rejected", "withdrawn_after_acceptance", "cancelled")
UPCOMING_OUTCOMES = (
    ("draft",) * 4
    + ("submitted",) * 3
    + ("changes_requested",) * 2
    + ("accepted",) * 4
    + ("rejected", "withdrawn", "resubmitted")
)


def _extra_profiles() -> list[ProfileData]:
    return [
        ProfileData(
            email=f"{first.lower()}.{last.lower()}@example.com",
            display_name=f"{first} {last}",
            department=DEPARTMENTS[(i + j) % len(DEPARTMENTS)],
        )
        for i, first in enumerate(EXTRA_FIRST_NAMES)
        for j, last in enumerate(EXTRA_LAST_NAMES[:2])
    ]


def _propose(
    db_session: DbSession,
    edition: Edition,
    entries: Sequence[DemoSession],
    outcomes: Sequence[str],
    teachers: list[User],
    topics: dict[str, Topic],
    reviewer: User,
    *,
    proposed_at: datetime,
    decided_at: datetime,
) -> None:
    """Take each proposal through the real workflow, so its history is genuine."""
    for index, (entry, outcome) in enumerate(zip(entries, outcomes, strict=True)):
        lead = teachers[index % len(teachers)]
        at = proposed_at + timedelta(hours=index + 1)
        data = replace(entry.proposal, topic_ids=(topics[entry.topic].id,))
        proposal = create_proposal(db_session, edition, data, lead=lead, now=at)
        if index % 3 == 0:
            co_teacher = teachers[(index + 5) % len(teachers)]
            add_co_teacher(db_session, proposal, co_teacher.email, actor=lead, now=at)
        if outcome != "draft":
            submit_proposal(db_session, proposal, actor=lead, now=at)
        _finish(db_session, proposal, outcome, lead, reviewer, at=at, decided_at=decided_at)


def _finish(
    db_session: DbSession,
    proposal: LearningSession,
    outcome: str,
    lead: User,
    reviewer: User,
    *,
    at: datetime,
    decided_at: datetime,
) -> None:
    def decide(decision: ProposalStatus, when: datetime) -> None:
        comment = DECISION_COMMENTS[decision]
        decide_proposal(db_session, proposal, decision, actor=reviewer, comment=comment, now=when)

    if outcome in ("changes_requested", "resubmitted"):
        decide(ProposalStatus.CHANGES_REQUESTED, at + timedelta(hours=2))
        if outcome == "resubmitted":
            submit_proposal(db_session, proposal, actor=lead, now=at + timedelta(hours=5))
    elif outcome == "rejected":
        decide(ProposalStatus.REJECTED, decided_at)
    elif outcome == "withdrawn":
        reason = "Sorry, a customer project needs me that week."
        withdraw_proposal(db_session, proposal, actor=lead, comment=reason, now=decided_at)
    elif outcome in ("accepted", "withdrawn_after_acceptance", "cancelled"):
        decide(ProposalStatus.ACCEPTED, decided_at)
        later = decided_at + timedelta(days=1)
        if outcome == "withdrawn_after_acceptance":
            reason = "I am moving to another team and cannot prepare it in time."
            withdraw_proposal(db_session, proposal, actor=lead, comment=reason, now=later)
        elif outcome == "cancelled":
            reason = "The lab it needs is being renovated."
            cancel_session(db_session, proposal, actor=reviewer, comment=reason, now=later)


def _mark_interest(db_session: DbSession, editions: list[Edition], people: list[User]) -> None:
    """Stars from colleagues, skewed so that some sessions are clearly popular."""
    chooser = random.Random(2026)
    for edition in editions:
        accepted = list(db_session.scalars(coming_up(edition)).unique())
        weights = [len(accepted) - rank for rank in range(len(accepted))]
        for person in people:
            for proposal in set(chooser.choices(accepted, weights=weights, k=5)):
                if person not in proposal.teachers:
                    set_interest(db_session, proposal, person, interested=True)
