"""Which runs each feed holds, how cheaply to tell whether it changed, and feed tokens.

Every feed has a validator read with an index lookup or two: the feed version of
the edition (raised at each commit that changes anything an edition's feeds show,
see `changes`), and for the personal feed the person's sign-ups and the versions of
the editions they are in. A repeat request whose ETag matches is answered from
that alone, without building the calendar.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from learningweek.accounts.models import User
from learningweek.calendar.ical import EventStatus, FeedEvent, build_invitation
from learningweek.calendar.models import CalendarToken, FeedVersion
from learningweek.core.database import DbSession, unique_or_raise
from learningweek.core.enums import ProposalStatus, SessionFormat, SignupStatus
from learningweek.core.errors import DomainError
from learningweek.core.markdown import markdown_to_text
from learningweek.editions.models import Edition, Topic, programme_end
from learningweek.proposals.models import LearningSession, session_co_teachers
from learningweek.schedule.loading import with_run_details
from learningweek.schedule.models import Run
from learningweek.schedule.news import teaches_in_calendar
from learningweek.signups.models import Signup

# Sign-ups that put a run in the personal feed, and how the event shows there.
PERSONAL_STATUSES = {
    SignupStatus.CONFIRMED: EventStatus.CONFIRMED,
    SignupStatus.OFFERED: EventStatus.TENTATIVE,
    SignupStatus.WAITLISTED: EventStatus.TENTATIVE,
    SignupStatus.RUN_CANCELLED: EventStatus.CANCELLED,
}


def webcal(url: str) -> str:
    """The same feed as a subscribe link: calendar apps open webcal:// themselves."""
    return urlunsplit(("webcal", *urlsplit(url)[1:]))


# --- tokens -----------------------------------------------------------------------------


def _keyed(secret_key: str, purpose: str, value: str) -> str:
    return hmac.new(secret_key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def hash_token(token: str, *, secret_key: str) -> str:
    """What is stored and looked up. Keyed, so a copy of the database alone opens no
    feed, and a new SECRET_KEY revokes every address at once."""
    return _keyed(secret_key, "lookup", token)


def existing_token(db_session: DbSession, user: User, *, secret_key: str) -> str | None:
    """The person's feed token, or None until they make one (or since the key changed)."""
    row = db_session.scalar(sa.select(CalendarToken).where(CalendarToken.user_id == user.id))
    if row is None:
        return None
    token = _keyed(secret_key, "calendar", row.nonce)
    if not hmac.compare_digest(row.token_hash, hash_token(token, secret_key=secret_key)):
        return None  # made under another SECRET_KEY: that address no longer opens
    return token


def renew_token(db_session: DbSession, user: User, *, secret_key: str) -> str:
    """Make the person's feed token, revoking any earlier one (it answers 404 from now on)."""
    db_session.execute(sa.delete(CalendarToken).where(CalendarToken.user_id == user.id))
    nonce = secrets.token_urlsafe(32)
    token = _keyed(secret_key, "calendar", nonce)
    row = CalendarToken(
        user_id=user.id, nonce=nonce, token_hash=hash_token(token, secret_key=secret_key)
    )
    with unique_or_raise(db_session, DomainError("Your address changed a moment ago; reload.")):
        db_session.add(row)
    return token


# --- validators -------------------------------------------------------------------------


@dataclass(frozen=True)
class Validator:
    """What a feed's content depends on, in a few numbers; None when the feed does not exist."""

    key: tuple
    last_modified: datetime | None

    @property
    def etag(self) -> str:
        return hashlib.sha256(repr(self.key).encode()).hexdigest()[:32]


def _latest(first: datetime, *others: datetime | None) -> datetime:
    return max([first, *(value for value in others if value is not None)])


def _placed_runs_of(condition: sa.ColumnElement[bool]) -> sa.Select:
    return (
        sa.select(Run.id)
        .join(Run.learning_session)
        .where(condition, Run.is_placed, Run.room_id.is_not(None))
    )


def _ended(edition: Edition | _EditionFacts, now: datetime) -> tuple[bool, datetime | None]:
    """Whether the edition is over (cancelled runs leave its feeds then), and since when."""
    is_over = now >= edition.ends_at
    return is_over, edition.ends_at if is_over else None


def _with_version(query: sa.Select) -> sa.Select:
    """The query with the edition's feed version and its time (None before the first)."""
    return query.add_columns(FeedVersion.version, FeedVersion.changed_at).outerjoin_from(
        Edition, FeedVersion, FeedVersion.edition_id == Edition.id
    )


def _edition_key(edition: Edition | _EditionFacts, version: int | None, now: datetime) -> tuple:
    # created_at tells apart an edition made again with the same id (a restored database).
    return (edition.id, edition.created_at, version or 0, _ended(edition, now)[0])


def _edition_stamp(
    edition: Edition | _EditionFacts, changed_at: datetime | None, now: datetime
) -> datetime:
    return _latest(edition.updated_at, changed_at, _ended(edition, now)[1])


@dataclass(frozen=True)
class _EditionFacts:
    """What an edition's feed key needs, read without loading the edition."""

    id: int
    created_at: datetime
    updated_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class EditionFeed:
    """A published edition's feed (or one topic's) that exists, and its validator."""

    edition_id: int
    topic_id: int | None
    validator: Validator


# Validators are asked for on every poll: their statements are built once, and the
# edition feed's is plain Core on the tables, with no ORM work per poll.
_editions, _topics, _versions = Edition.__table__, Topic.__table__, FeedVersion.__table__
_EDITION_VALIDATOR = (
    sa.select(
        _editions.c.id,
        _editions.c.created_at,
        _editions.c.updated_at,
        _editions.c.is_published,
        _editions.c.last_day,
        _editions.c.day_ends_at,
        _editions.c.time_zone,
        _topics.c.id.label("topic_id"),
        _versions.c.version,
        _versions.c.changed_at,
    )
    .select_from(_editions)
    .outerjoin(_topics, _topics.c.slug == sa.bindparam("topic_slug"))
    .outerjoin(_versions, _versions.c.edition_id == _editions.c.id)
    .where(_editions.c.slug == sa.bindparam("slug"))
)


def edition_validator(
    db_session: DbSession, slug: str, *, topic_slug: str | None, now: datetime
) -> EditionFeed | None:
    """A published edition's feed (or its topic's) and its validator, in one query;
    None when there is no such feed.

    A topic's feed is validated like the whole edition's: a session leaving the topic
    raises the edition's version like any other change.
    """
    row = db_session.execute(
        _EDITION_VALIDATOR, {"slug": slug, "topic_slug": topic_slug or ""}
    ).first()
    if row is None or not row.is_published or (topic_slug is not None and row.topic_id is None):
        return None
    edition = _EditionFacts(
        row.id,
        row.created_at,
        row.updated_at,
        programme_end(row.last_day, row.day_ends_at, row.time_zone),
    )
    key = ("edition", row.topic_id, *_edition_key(edition, row.version, now))
    return EditionFeed(
        row.id, row.topic_id, Validator(key, _edition_stamp(edition, row.changed_at, now))
    )


_SESSION_SHOWN = (
    sa.select(sa.func.count())
    .where(
        Run.session_id == LearningSession.id,
        Run.is_placed,
        Edition.published_at.is_not(None),
        sa.or_(~Run.is_cancelled, Run.cancelled_at >= Edition.published_at),
    )
    .correlate(LearningSession, Edition)
    .scalar_subquery()
)
_SESSION_AND_EDITION = _with_version(
    sa.select(LearningSession, Edition, _SESSION_SHOWN)
    .join(LearningSession.edition)
    .options(contains_eager(LearningSession.edition))
    .where(LearningSession.id == sa.bindparam("session_id"))
)


def session_validator(
    db_session: DbSession, session_id: int, *, now: datetime
) -> tuple[LearningSession, Validator] | None:
    """A session and its feed's validator, in one query; None when the session was
    never on a published programme, so its feed does not exist."""
    row = db_session.execute(_SESSION_AND_EDITION, {"session_id": session_id}).first()
    if row is None or not row[0].edition.is_published or not row[2]:
        return None
    learning_session, edition, _, version, changed_at = row
    key = ("session", session_id, *_edition_key(edition, version, now))
    return learning_session, Validator(key, _edition_stamp(edition, changed_at, now))


def _personal_runs(owner: sa.ColumnElement[int]) -> sa.Select:
    """Ids of the runs in a person's feed: signed up for (see PERSONAL_STATUSES) or
    taught, on published programmes. Each branch starts from the person's own rows."""
    signed_up = sa.select(Signup.run_id).where(
        Signup.user_id == owner, Signup.status.in_(PERSONAL_STATUSES)
    )
    taught_sessions = sa.union(
        sa.select(LearningSession.id).where(LearningSession.lead_id == owner),
        sa.select(session_co_teachers.c.session_id).where(session_co_teachers.c.user_id == owner),
    )
    taught = sa.select(Run.id).where(Run.session_id.in_(taught_sessions))
    return _placed_runs_of(
        LearningSession.edition.has(Edition.is_published)
        & (Run.id.in_(signed_up) | Run.id.in_(taught))
    )


def _personal_validator_statement() -> sa.Select:
    """The token's owner, their sign-ups' count and latest change, and one row per
    edition they sign up for or teach in with its feed version (a single row with no
    edition when there is none). Plain Core on the tables: no ORM work per poll."""
    tokens, users, signups = CalendarToken.__table__, User.__table__, Signup.__table__
    sessions, editions, versions = (
        LearningSession.__table__,
        Edition.__table__,
        FeedVersion.__table__,
    )
    co_teachers = session_co_teachers
    owner = tokens.c.user_id
    owned = signups.c.user_id == owner
    # Selects inside a UNION are not correlated on their own: each names the token.
    in_editions = sa.union(
        sa.select(sessions.c.edition_id)
        .join(signups, signups.c.session_id == sessions.c.id)
        .where(signups.c.user_id == owner)
        .correlate(tokens),
        sa.select(sessions.c.edition_id).where(sessions.c.lead_id == owner).correlate(tokens),
        sa.select(sessions.c.edition_id)
        .join(co_teachers, co_teachers.c.session_id == sessions.c.id)
        .where(co_teachers.c.user_id == owner)
        .correlate(tokens),
    )
    return (
        sa.select(
            tokens.c.token_hash,
            owner,
            users.c.updated_at,  # the feed's name is the person's
            sa.select(sa.func.count()).where(owned).scalar_subquery(),
            sa.select(sa.func.max(signups.c.updated_at)).where(owned).scalar_subquery(),
            editions.c.id,
            versions.c.version,
            versions.c.changed_at,
        )
        .join(users, users.c.id == owner)
        .outerjoin(editions, editions.c.id.in_(in_editions))
        .outerjoin(versions, versions.c.edition_id == editions.c.id)
        # A deactivated account's feed stops answering, like a revoked address.
        .where(tokens.c.token_hash == sa.bindparam("digest"), users.c.is_active)
        .order_by(editions.c.id)
    )


_PERSONAL_VALIDATOR = _personal_validator_statement()


def personal_validator(
    db_session: DbSession, token: str, *, secret_key: str
) -> tuple[int, Validator] | None:
    """Whose feed a token opens and its validator, in one query; None if the token is
    unknown or its owner's account is deactivated.

    The feed shows the person's sign-ups and what is in the editions they sign up
    for or teach in: their sign-ups' count and latest change, and those editions'
    feed versions, cover all of it.
    """
    digest = hash_token(token, secret_key=secret_key)
    rows = db_session.execute(_PERSONAL_VALIDATOR, {"digest": digest}).all()
    # The index found the row; comparing again in constant time costs nothing.
    if not rows or not hmac.compare_digest(rows[0].token_hash, digest):
        return None
    _, owner_id, owner_at, signups, signups_at, *_ = rows[0]
    editions = [(edition_id, version or 0, at) for *_, edition_id, version, at in rows]
    versions = tuple((edition_id, version) for edition_id, version, _ in editions if edition_id)
    key = ("personal", owner_id, owner_at, signups, signups_at, versions)
    stamp = _latest(owner_at, signups_at, *(at for *_, at in editions))
    return owner_id, Validator(key, stamp)


# --- events -----------------------------------------------------------------------------


def _description(learning_session: LearningSession, page: str) -> str:
    teachers = ", ".join(teacher.display_name for teacher in learning_session.teachers)
    parts = [markdown_to_text(learning_session.abstract), f"Teachers: {teachers}", page]
    return "\n\n".join(part for part in parts if part)


def _feed_event(
    run: Run,
    *,
    session_url: Callable[[int], str],
    status: str,
    signup: Signup | None = None,
    with_link: bool = False,
    alarm: bool = False,
) -> FeedEvent:
    learning_session, room, starts_at, ends_at = (
        run.learning_session,
        run.room,
        run.starts_at,
        run.ends_at,
    )
    if room is None or starts_at is None or ends_at is None:
        raise ValueError(f"{run!r} has no time and place, so no event")
    page = session_url(learning_session.id)
    if room.is_online:
        assert room.meeting_url is not None  # a CHECK constraint: online rooms have one
        location = room.meeting_url if with_link else "Online"
        url = room.meeting_url if with_link else page
    else:
        location = ", ".join(part for part in (room.name, room.location) if part)
        is_hybrid = learning_session.format == SessionFormat.HYBRID
        url = room.meeting_url if with_link and is_hybrid and room.meeting_url else page
    # Anything the event shows may have changed it: DTSTAMP is the latest of them.
    changed = _latest(
        run.changed_at,
        learning_session.updated_at,
        room.updated_at,
        signup.updated_at if signup else None,
        *(teacher.updated_at for teacher in learning_session.teachers),
        *(topic.updated_at for topic in learning_session.topics),
    )
    return FeedEvent(
        run_id=run.id,
        title=learning_session.title,
        description=_description(learning_session, page),
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        url=url,
        categories=tuple(topic.name for topic in learning_session.topics),
        sequence=run.sequence,
        last_changed=changed,
        status=status,
        alarm=alarm,
    )


def was_public(run: Run) -> bool:
    """Whether the run was on a published programme: runs cancelled before the edition
    was published were never shown, so no feed ever mentions them."""
    published_at = run.learning_session.edition.published_at
    if published_at is None:
        return False
    return run.cancelled_at is None or run.cancelled_at >= published_at


def _feed_status(run: Run, *, signup: Signup | None, is_over: bool) -> str | None:
    """How a run shows in a feed (an `EventStatus`), or None when the feed leaves it out.

    In a person's feed their own sign-up decides (see PERSONAL_STATUSES). Otherwise a
    run that was public shows confirmed while its session is accepted, and cancelled,
    so subscribed calendars drop it, until its edition `is_over`.
    """
    if signup is not None:
        return PERSONAL_STATUSES[signup.status]
    if not was_public(run):
        return None
    if run.is_cancelled:
        return None if is_over else EventStatus.CANCELLED
    if run.learning_session.status == ProposalStatus.ACCEPTED:
        return EventStatus.CONFIRMED
    return None


def programme_events(
    db_session: DbSession,
    edition: Edition,
    *,
    session_url: Callable[[int], str],
    now: datetime,
    topic: Topic | None = None,
    learning_session: LearningSession | None = None,
) -> list[FeedEvent]:
    """A published edition's runs (or one topic's, or one session's) as events."""
    condition = LearningSession.edition_id == edition.id
    if topic is not None:
        condition = condition & LearningSession.topics.any(Topic.id == topic.id)
    if learning_session is not None:
        condition = condition & (LearningSession.id == learning_session.id)
    runs = db_session.scalars(
        with_run_details(sa.select(Run).where(Run.id.in_(_placed_runs_of(condition))), topics=True)
    ).unique()
    is_over = _ended(edition, now)[0]
    events = []
    for run in runs:
        status = _feed_status(run, signup=None, is_over=is_over)
        if status is not None:
            events.append(_feed_event(run, session_url=session_url, status=status))
    return events


def personal_events(
    db_session: DbSession, user_id: int, *, session_url: Callable[[int], str]
) -> tuple[list[FeedEvent], ZoneInfo | None]:
    """The runs I am signed up for (waiting ones tentative) or teach, with reminders,
    and the time zone of the latest edition among them. Runs cancelled under me stay,
    marked cancelled, so my calendar drops them."""
    runs = list(
        db_session.scalars(
            with_run_details(
                sa.select(Run).where(Run.id.in_(_personal_runs(sa.literal(user_id)))),
                topics=True,
            )
        ).unique()
    )
    signups = {
        signup.run_id: signup
        for signup in db_session.scalars(
            sa.select(Signup).where(Signup.user_id == user_id, Signup.status.in_(PERSONAL_STATUSES))
        )
    }
    events = []
    for run in runs:
        signup = signups.get(run.id)
        # Never over here: the personal feed's validator does not follow the editions'
        # ends, so what it shows must not either.
        status = _feed_status(run, signup=signup, is_over=False)
        if status is None:
            continue
        seated = status == EventStatus.CONFIRMED
        events.append(
            _feed_event(
                run,
                session_url=session_url,
                status=status,
                signup=signup,
                with_link=seated,
                alarm=seated,
            )
        )
    latest = max(runs, key=lambda run: (run.starts_at, run.id), default=None)
    return events, latest.learning_session.edition.zone if latest else None


def _holds_seat(db_session: DbSession, run: Run, person: User) -> bool:
    """Whether the person holds a seat in a run still taking place."""
    if run.is_cancelled:
        return False
    seats = db_session.scalar(
        sa.select(sa.func.count()).where(
            Signup.run_id == run.id,
            Signup.user_id == person.id,
            Signup.status == SignupStatus.CONFIRMED,
        )
    )
    return bool(seats)


def _teaches(run: Run, person: User) -> bool:
    """Whether the run is in the person's calendar because they teach it."""
    teachers = {teacher.id for teacher in run.learning_session.teachers}
    return person.id in teachers and teaches_in_calendar(run)


def invitation(
    db_session: DbSession,
    run_id: int,
    *,
    method: str,
    session_url: Callable[[int], str],
    host: str,
    organizer: str,
    organizer_name: str,
    attendee: User,
    now: datetime,
) -> bytes | None:
    """The run's invitation for one person's mail, as the run and their seat are now,
    from `organizer` (the sender's address) under `organizer_name` (the site's).

    The method is decided as the mail goes out, from where the run stands now, so a
    message queued before a later change (or retried after one) never contradicts the
    personal feed: while the run is in the person's calendar (a seat in a run still
    taking place, or teaching it while it is on their feed) it is a REQUEST whatever was
    queued; otherwise a queued CANCEL goes and a queued REQUEST attaches nothing.
    """
    run = db_session.scalars(
        with_run_details(sa.select(Run).where(Run.id == run_id), topics=True)
    ).first()
    if run is None or not run.is_placed:
        return None
    seated = attendee.is_active and (
        _holds_seat(db_session, run, attendee) or _teaches(run, attendee)
    )
    if seated:
        method = "REQUEST"
    elif method != "CANCEL":
        return None
    status = EventStatus.CONFIRMED if seated else EventStatus.CANCELLED
    return build_invitation(
        _feed_event(run, session_url=session_url, status=status, with_link=seated),
        method=method,
        zone=run.learning_session.edition.zone,
        host=host,
        organizer=(organizer_name, organizer),
        attendee=(attendee.display_name, attendee.email),
        now=now,
    )
