"""The sign-up rush for `bench/run`: 2,000 people, 50 runs of 20 seats, 64 clients at once.

The data is an edition of its own (slug `rush`) next to the large one: published,
sign-up open, 50 accepted sessions of one run each with exactly 20 seats (the
session's maximum; the room has more), one after the other on days after the large
edition, so no rush run overlaps another or anything the people already hold.
`prepare` creates it, or moves an existing one to fresh dates; `reset` empties its
runs (sign-ups and the messages they queued) before each round.

The client is asyncio (aiohttp), one cookie set per person. Untimed set-up: each
person logs in through the login form and opens their session's page, from which
the sign-up form (its action, CSRF token and `next`) is taken as a browser would.
At the start signal 64 workers POST those forms, person i for run i mod 50, so each
run gets 40 requests for 20 seats. Anything but a redirect back to the session page
with a "success" flash counts as an error; the flash is read from the signed session
cookie, which also says what the person was told: a seat, or a waitlist place.

`verify` then checks the database: 20 confirmed per run (no overbooking, no seat left
empty), no duplicate active sign-up per person and session, every waitlist numbered
1..n without gaps in the app's waitlist order, 2,000 sign-ups and 2,000 messages,
and that the places people were told (flash and message) are the places they hold.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import perf_counter

import sqlalchemy as sa
from itsdangerous import BadSignature
from sqlalchemy.orm import Session

from learningweek.accounts.models import User
from learningweek.core.enums import (
    ACTIVE_SIGNUP_STATUSES,
    Level,
    NotificationKind,
    ProposalStatus,
    RoomKind,
    SessionFormat,
    SignupStatus,
)
from learningweek.editions.models import Edition, Room
from learningweek.notifications.models import Notification
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup
from learningweek.signups.services import waitlist_order, waitlist_positions

SLUG = "rush"
ROOM_NAME = "Rush room (bench)"
RUNS = 50
CAPACITY = 20
ROOM_SEATS = 30  # more than the session's maximum: the maximum is what limits
PEOPLE = 2_000
CLIENTS = 64
SETUP_CLIENTS = 16
RUN_MINUTES = 60
RUNS_PER_DAY = 8  # 09:00-17:00, one after the other
PASSWORD = "learning-week-demo"

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_PLACE = re.compile(r"number (\d+) on (?:its|the) waitlist")


# --- the data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RushData:
    """The rush edition's runs and the people who rush for them, in the order they go."""

    edition_id: int
    runs: list[tuple[int, int]]  # (run id, session id), by run id
    people: list[tuple[int, str]]  # (user id, email), by user id

    @property
    def session_ids(self) -> list[int]:
        return [session_id for _, session_id in self.runs]


def prepare(db_session: Session, *, now: datetime) -> RushData:
    """Create the rush edition (or move it to fresh dates) and pick its 2,000 people.

    Its days start a week after the large edition's last day (or today), so nothing
    the people hold overlaps it; sign-up opened an hour ago and stays open until the
    first run. Teachers are the 50 people with the highest ids, the rushing people the
    2,000 lowest `personN` ids, so nobody signs up for a session they teach.
    """
    large = db_session.scalar(
        sa.select(Edition).where(Edition.slug != SLUG).order_by(Edition.id).limit(1)
    )
    if large is None:
        raise SystemExit("No edition to put the rush next to: build the large demo first.")
    zone = large.zone
    first_day = max(large.last_day, now.astimezone(zone).date()) + timedelta(days=7)
    days = -(-RUNS // RUNS_PER_DAY)

    def instant(day_offset: int, minutes: int) -> datetime:
        local = datetime.combine(first_day + timedelta(days=day_offset), datetime.min.time())
        return (local + timedelta(hours=9, minutes=minutes)).replace(tzinfo=zone).astimezone(UTC)

    edition = db_session.scalar(sa.select(Edition).where(Edition.slug == SLUG))
    if edition is None:
        edition = Edition(
            slug=SLUG,
            name="Sign-up rush (benchmark)",
            description="50 runs of 20 seats for bench/run's sign-up rush.",
            time_zone=large.time_zone,
            day_starts_at=time(9),
            day_ends_at=time(17),
            slot_minutes=30,
            is_published=True,
        )
        db_session.add(edition)
    edition.first_day = first_day
    edition.last_day = first_day + timedelta(days=days - 1)
    edition.proposals_open_at = now - timedelta(days=60)
    edition.proposals_close_at = now - timedelta(days=30)
    edition.signup_opens_at = now - timedelta(hours=1)
    edition.signup_closes_at = instant(0, 0)
    edition.published_at = now - timedelta(hours=2)
    edition.is_published = True
    db_session.flush()

    room = db_session.scalar(sa.select(Room).where(Room.name == ROOM_NAME))
    if room is None:
        room = Room(name=ROOM_NAME, kind=RoomKind.PHYSICAL, capacity=ROOM_SEATS, location="Bench")
        db_session.add(room)
        db_session.flush()

    people = db_session.execute(
        sa.select(User.id, User.email)
        .where(User.email.like("person%@example.com"), User.is_active)
        .order_by(User.id)
    ).all()
    if len(people) < PEOPLE + RUNS:
        raise SystemExit(f"The rush needs {PEOPLE + RUNS} people; the database has {len(people)}.")
    rushing, teachers = people[:PEOPLE], [user_id for user_id, _ in people[-RUNS:]]

    sessions = db_session.scalars(
        sa.select(LearningSession)
        .where(LearningSession.edition_id == edition.id)
        .order_by(LearningSession.id)
    ).all()
    for i in range(len(sessions), RUNS):
        learning_session = LearningSession(
            edition_id=edition.id,
            lead_id=teachers[i],
            title=f"Rush session {i + 1}",
            abstract="Twenty seats, forty people who want one.",
            format=SessionFormat.IN_PERSON,
            duration_minutes=RUN_MINUTES,
            max_participants=CAPACITY,
            runs_offered=1,
            level=Level.INTRODUCTORY,
            status=ProposalStatus.ACCEPTED,
            submitted_at=now - timedelta(days=40),
        )
        db_session.add(learning_session)
        db_session.flush()
        db_session.add(
            Run(
                session_id=learning_session.id,
                starts_at=instant(i // RUNS_PER_DAY, (i % RUNS_PER_DAY) * RUN_MINUTES),
                room_id=room.id,
                changed_at=now,
            )
        )
        sessions = [*sessions, learning_session]
    db_session.flush()
    runs = db_session.scalars(
        sa.select(Run)
        .join(Run.learning_session)
        .where(LearningSession.edition_id == edition.id)
        .order_by(Run.id)
    ).all()
    if len(runs) != RUNS:
        raise SystemExit(f"The rush edition has {len(runs)} runs, expected {RUNS}.")
    for i, run in enumerate(runs):
        run.starts_at = instant(i // RUNS_PER_DAY, (i % RUNS_PER_DAY) * RUN_MINUTES)
        run.room_id = room.id
        run.seat_limit = None
        run.cancelled_at = None
        run.learning_session.max_participants = CAPACITY
        run.learning_session.duration_minutes = RUN_MINUTES
        run.learning_session.status = ProposalStatus.ACCEPTED
    db_session.flush()
    data = RushData(
        edition_id=edition.id,
        runs=[(run.id, run.session_id) for run in runs],
        people=[(user_id, email) for user_id, email in rushing],
    )
    reset(db_session, data)
    return data


def reset(db_session: Session, data: RushData) -> None:
    """Empty the rush's runs: its sign-ups and the messages they queued. Commits."""
    session_ids = data.session_ids
    db_session.execute(sa.delete(Notification).where(Notification.session_id.in_(session_ids)))
    db_session.execute(sa.delete(Signup).where(Signup.session_id.in_(session_ids)))
    db_session.commit()


# --- the client -------------------------------------------------------------------------


class SetupError(RuntimeError):
    """Logging in or opening the page failed: the rush cannot start."""


@dataclass
class Person:
    user_id: int
    email: str
    run_id: int
    session_id: int
    cookies: dict[str, str] = field(default_factory=dict)
    action: str = ""
    form: dict[str, str] = field(default_factory=dict)

    def cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def keep_cookies(self, response) -> None:
        for name, morsel in response.cookies.items():
            if morsel.value and morsel["max-age"] != "0":
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)


@dataclass
class Outcome:
    """One sign-up request as the client saw it."""

    person: Person
    latency: float
    status: int | None = None
    error: str | None = None
    seat: bool = False
    place: int | None = None  # the waitlist place the flash gave


def people_for(data: RushData) -> list[Person]:
    """Person i signs up for run i mod 50."""
    return [
        Person(user_id, email, *data.runs[i % len(data.runs)])
        for i, (user_id, email) in enumerate(data.people)
    ]


async def _get(http, url: str, person: Person) -> tuple[int, dict, str]:
    async with http.get(url, headers=person.cookie_header(), allow_redirects=False) as response:
        body = await response.text()
        person.keep_cookies(response)
        return response.status, dict(response.headers), body


async def _log_in(http, base: str, person: Person) -> None:
    person.cookies.clear()
    status, _, page = await _get(http, f"{base}/login", person)
    token = _CSRF.search(page)
    if status != 200 or token is None:
        raise SetupError(f"GET /login for {person.email} answered {status}")
    form = {"csrf_token": token.group(1), "email": person.email, "password": PASSWORD, "next": ""}
    async with http.post(
        f"{base}/login", data=form, headers=person.cookie_header(), allow_redirects=False
    ) as response:
        await response.read()
        person.keep_cookies(response)
        if response.status not in (302, 303):
            raise SetupError(f"logging {person.email} in answered {response.status}")


async def _open_page(http, base: str, person: Person) -> bool:
    """Take the sign-up form from the session page; False when not logged in."""
    status, headers, page = await _get(http, f"{base}/sessions/{person.session_id}", person)
    if status in (302, 303) and "/login" in headers.get("Location", ""):
        return False
    if status != 200:
        raise SetupError(f"GET /sessions/{person.session_id} answered {status}")
    action = f"/runs/{person.run_id}/signup"
    for found_action, inner in _FORM.findall(page):
        if found_action == action:
            person.action = action
            person.form = dict(_HIDDEN.findall(inner))
            return True
    raise SetupError(
        f"{person.email} sees no sign-up form for run {person.run_id} on its session page"
    )


async def _each(items, limit: int, work) -> None:
    iterator = iter(items)

    async def worker():
        for item in iterator:
            await work(item)

    await asyncio.gather(*(worker() for _ in range(limit)))


def _http(limit: int):
    import aiohttp

    return aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(),
        connector=aiohttp.TCPConnector(limit=limit, force_close=True),
        timeout=aiohttp.ClientTimeout(total=120),
    )


async def _set_up(base: str, people: Sequence[Person], cache: dict[str, dict]) -> tuple[int, int]:
    """Log everyone in (or reuse their cached cookies) and open their session page."""
    logged_in = reused = 0

    async def one(person: Person) -> None:
        nonlocal logged_in, reused
        cached = cache.get(person.email)
        if cached:
            person.cookies = dict(cached)
            if await _open_page(http, base, person):
                reused += 1
                return
        await _log_in(http, base, person)
        if not await _open_page(http, base, person):
            raise SetupError(f"{person.email} is not logged in after logging in")
        logged_in += 1

    async with _http(SETUP_CLIENTS) as http:
        await _each(people, SETUP_CLIENTS, one)
    return logged_in, reused


def set_up(
    base: str, people: Sequence[Person], cache_file: Path | None = None
) -> tuple[int, int, float]:
    """Log the people in and take their forms (untimed); (logged in, reused, seconds).

    Cookies that worked are kept in `cache_file` (the app signs them with the bench's
    fixed SECRET_KEY, so they stay valid until the person's login generation changes);
    a cached cookie that no longer opens the page is replaced by a real log-in.
    """
    cache: dict[str, dict] = {}
    if cache_file is not None and cache_file.exists():
        try:
            cache = json.loads(cache_file.read_text())
        except ValueError:
            cache = {}
    started = perf_counter()
    logged_in, reused = asyncio.run(_set_up(base, people, cache))
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache.update({person.email: person.cookies for person in people})
        cache_file.write_text(json.dumps(cache))
    return logged_in, reused, perf_counter() - started


async def _rush(
    bases: Sequence[str], people: Sequence[Person], flashes: Callable[[str], list]
) -> tuple[list[Outcome], float]:
    import aiohttp

    outcomes: list[Outcome] = []
    go = asyncio.Event()

    async def one(index: int, person: Person) -> None:
        base = bases[index % len(bases)]
        started = perf_counter()
        outcome = Outcome(person, 0.0)
        session_cookie = location = None
        try:
            async with http.post(
                base + person.action,
                data=person.form,
                headers=person.cookie_header(),
                allow_redirects=False,
            ) as response:
                await response.read()
                outcome.status = response.status
                location = response.headers.get("Location", "")
                morsel = response.cookies.get("session")
                session_cookie = morsel.value if morsel else None
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            outcome.error = f"connection: {type(error).__name__}"
        outcome.latency = perf_counter() - started
        outcomes.append(outcome)
        if outcome.error:
            return
        if outcome.status not in (302, 303):
            outcome.error = f"HTTP {outcome.status}"
            return
        if urllib.parse.urlsplit(location).path != f"/sessions/{person.session_id}":
            outcome.error = f"redirect to {location}"
            return
        told = flashes(session_cookie) if session_cookie else []
        if len(told) != 1 or told[0][0] != "success":
            outcome.error = "flash " + (
                "; ".join(f"{category}: {message}" for category, message in told) or "missing"
            )
            return
        message = told[0][1]
        place = _PLACE.search(message)
        if place:
            outcome.place = int(place.group(1))
        elif "signed up" in message:
            outcome.seat = True
        else:
            outcome.error = f"flash success, but neither seat nor place: {message}"

    async def worker(queue: list[tuple[int, Person]]) -> None:
        await go.wait()
        while queue:
            await one(*queue.pop())

    # One shared queue, taken from the front: person 0, 1, 2, … in order.
    queue = list(enumerate(people))[::-1]
    async with _http(CLIENTS) as http:
        workers = [asyncio.create_task(worker(queue)) for _ in range(CLIENTS)]
        await asyncio.sleep(0.1)  # every worker is waiting on the signal
        started = perf_counter()
        go.set()
        await asyncio.gather(*workers)
        elapsed = perf_counter() - started
    return outcomes, elapsed


def _percentile(sorted_values: Sequence[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def rush(
    bases: Sequence[str], people: Sequence[Person], flashes: Callable[[str], list]
) -> tuple[dict, list[Outcome]]:
    """All people POST their form, 64 at a time, spread over `bases` (person i to i mod n).

    Figures in the shape bench/run's report takes: sign-ups/s over the whole rush, the
    latency percentiles in ms, and the errors (with the first kinds seen).
    """
    outcomes, elapsed = asyncio.run(_rush(bases, people, flashes))
    latencies = sorted(outcome.latency * 1000 for outcome in outcomes)
    kinds = Counter(outcome.error for outcome in outcomes if outcome.error)
    figures = {
        "requests": len(outcomes),
        "seconds": elapsed,
        "rps": len(outcomes) / elapsed,
        "p50": _percentile(latencies, 0.50),
        "p95": _percentile(latencies, 0.95),
        "p99": _percentile(latencies, 0.99),
        "errors": sum(kinds.values()),
        "error_kinds": kinds.most_common(5),
    }
    return figures, outcomes


# --- checking the database --------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def verify(db_session: Session, data: RushData, outcomes: Sequence[Outcome]) -> list[Check]:
    """The rush's promises, read back from the database after it."""
    db_session.rollback()  # a fresh snapshot
    session_ids = data.session_ids
    run_ids = [run_id for run_id, _ in data.runs]
    checks = []

    by_run: dict[int, Counter] = defaultdict(Counter)
    for run_id, status, count in db_session.execute(
        sa.select(Signup.run_id, Signup.status, sa.func.count())
        .where(Signup.session_id.in_(session_ids))
        .group_by(Signup.run_id, Signup.status)
    ):
        by_run[run_id][SignupStatus(status)] = count
    confirmed = [by_run[run_id][SignupStatus.CONFIRMED] for run_id in run_ids]
    over = sum(c > CAPACITY for c in confirmed)
    under = sum(c < CAPACITY for c in confirmed)
    checks.append(
        Check(
            f"confirmed per run = {CAPACITY}",
            over == 0 and under == 0,
            f"min {min(confirmed)}, max {max(confirmed)}; {over} run(s) overbooked, "
            f"{under} with a seat left empty",
        )
    )
    others = sum(
        count
        for counts in by_run.values()
        for status, count in counts.items()
        if status not in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
    )
    total = sum(sum(counts.values()) for counts in by_run.values())
    checks.append(
        Check(
            f"sign-ups = {len(data.people):,}",
            total == len(data.people) and others == 0,
            f"{total:,} ({sum(confirmed):,} confirmed, "
            f"{sum(by_run[r][SignupStatus.WAITLISTED] for r in run_ids):,} waitlisted, "
            f"{others} other)",
        )
    )

    duplicates = db_session.execute(
        sa.select(sa.func.count()).select_from(
            sa.select(Signup.user_id, Signup.session_id)
            .where(
                Signup.session_id.in_(session_ids),
                Signup.status.in_(ACTIVE_SIGNUP_STATUSES),
            )
            .group_by(Signup.user_id, Signup.session_id)
            .having(sa.func.count() > 1)
            .subquery()
        )
    ).scalar_one()
    two_runs = db_session.execute(
        sa.select(sa.func.count()).select_from(
            sa.select(Signup.user_id)
            .where(Signup.session_id.in_(session_ids))
            .group_by(Signup.user_id)
            .having(sa.func.count() > 1)
            .subquery()
        )
    ).scalar_one()
    checks.append(
        Check(
            "0 duplicate active sign-ups per (person, session)",
            duplicates == 0 and two_runs == 0,
            f"{duplicates} duplicate(s); {two_runs} people with more than one sign-up",
        )
    )

    # The queue in the app's waitlist order, and the places the app computes from it.
    waiting = db_session.execute(
        sa.select(Signup.id, Signup.run_id, Signup.user_id)
        .where(Signup.session_id.in_(session_ids), Signup.status == SignupStatus.WAITLISTED)
        .order_by(Signup.run_id, *waitlist_order())
    ).all()
    app_places = waitlist_positions(db_session, run_ids)
    place_of: dict[int, int] = {}  # user id -> place in the queue
    gaps = 0
    queues: dict[int, list] = defaultdict(list)
    for signup_id, run_id, user_id in waiting:
        queues[run_id].append((signup_id, user_id))
    for queue in queues.values():
        if sorted(app_places.get(signup_id, 0) for signup_id, _ in queue) != list(
            range(1, len(queue) + 1)
        ):
            gaps += 1
        for place, (signup_id, user_id) in enumerate(queue, start=1):
            place_of[user_id] = place
            gaps += app_places.get(signup_id) != place
    lengths = [len(queues[run_id]) for run_id in run_ids]
    checks.append(
        Check(
            "waitlists contiguous (1..n in waitlist order)",
            gaps == 0 and all(n == len(data.people) // RUNS - CAPACITY for n in lengths),
            f"{gaps} gap(s) or misplaced entries; waitlist lengths {min(lengths)}..{max(lengths)}",
        )
    )

    # What people were told: the flash after the redirect, and the queued message.
    status_of = dict(
        db_session.execute(
            sa.select(Signup.user_id, Signup.status).where(Signup.session_id.in_(session_ids))
        ).all()
    )
    flash_wrong = 0
    for outcome in outcomes:
        if outcome.error:
            continue
        user_id = outcome.person.user_id
        if outcome.seat:
            flash_wrong += status_of.get(user_id) != SignupStatus.CONFIRMED
        else:
            flash_wrong += place_of.get(user_id) != outcome.place
    messages = db_session.execute(
        sa.select(Notification.recipient_id, Notification.kind, Notification.body).where(
            Notification.session_id.in_(session_ids)
        )
    ).all()
    mail_wrong = 0
    for user_id, kind, body in messages:
        if NotificationKind(kind) == NotificationKind.SIGNED_UP:
            mail_wrong += status_of.get(user_id) != SignupStatus.CONFIRMED
        else:
            place = _PLACE.search(body)
            mail_wrong += place is None or place_of.get(user_id) != int(place.group(1))
    checks.append(
        Check(
            "places told (flash, message) = places held",
            flash_wrong == 0 and mail_wrong == 0 and len(messages) == len(data.people),
            f"{flash_wrong} flash(es) and {mail_wrong} message(s) wrong; "
            f"{len(messages):,} messages queued",
        )
    )
    db_session.rollback()
    return checks


def session_reader(app) -> Callable[[str], list[tuple[str, str]]]:
    """Read the flashes out of a session cookie the app signed (checking the signature)."""
    serializer = app.session_interface.get_signing_serializer(app)

    def flashes(cookie: str) -> list[tuple[str, str]]:
        try:
            data = serializer.loads(cookie)
        except BadSignature:
            return [("unreadable", "session cookie")]
        return [tuple(flash) for flash in data.get("_flashes", [])]

    return flashes
