"""Which runs each feed holds, how cheaply to tell whether it changed, and feed tokens.

Every feed has a validator read in one query: counts and latest change times of
everything its content depends on (runs, sessions, rooms, topics, teachers, the
edition, and for the personal feed the person's sign-ups). A repeat request whose
ETag matches is answered from that one query, without building the calendar.
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
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload

from learningweek.accounts.models import User
from learningweek.calendar.ical import EventStatus, FeedEvent
from learningweek.calendar.models import CalendarToken
from learningweek.editions.models import Edition, Room, Topic
from learningweek.enums import ProposalStatus, SessionFormat, SignupStatus
from learningweek.markdown import markdown_to_text
from learningweek.proposals.models import LearningSession, session_co_teachers, session_topics
from learningweek.schedule.models import Run
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


def _token(secret_key: str, nonce: str) -> str:
    digest = hmac.new(secret_key.encode(), f"calendar:{nonce}".encode(), hashlib.sha256)
    return digest.hexdigest()


def hash_token(token: str) -> str:
    """What is stored and looked up: a leaked database holds no working URL."""
    return hashlib.sha256(token.encode()).hexdigest()


def existing_token(db_session: Session, user: User, *, secret_key: str) -> str | None:
    """The person's feed token, or None until they make one."""
    nonce = db_session.scalar(
        sa.select(CalendarToken.nonce).where(CalendarToken.user_id == user.id)
    )
    return None if nonce is None else _token(secret_key, nonce)


def renew_token(db_session: Session, user: User, *, secret_key: str) -> str:
    """Revoke the person's feed URL and make a new one; the old one answers 404 from now on."""
    db_session.execute(sa.delete(CalendarToken).where(CalendarToken.user_id == user.id))
    return _new_token(db_session, user, secret_key=secret_key)


def _new_token(db_session: Session, user: User, *, secret_key: str) -> str:
    nonce = secrets.token_urlsafe(32)
    token = _token(secret_key, nonce)
    db_session.add(CalendarToken(user_id=user.id, nonce=nonce, token_hash=hash_token(token)))
    db_session.flush()
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


def _latest(*values: datetime | None) -> datetime | None:
    present = [value for value in values if value is not None]
    return max(present) if present else None


def _scalar(query: sa.Select) -> sa.ScalarSelect:
    return query.scalar_subquery()


def _aggregates(runs: sa.Select) -> list[sa.ScalarSelect]:
    """Counts and latest changes over the runs a feed shows (given as a select of ids)."""
    sessions = sa.select(Run.session_id).where(Run.id.in_(runs))
    teachers = sa.union(
        sa.select(LearningSession.lead_id).where(LearningSession.id.in_(sessions)),
        sa.select(session_co_teachers.c.user_id).where(
            session_co_teachers.c.session_id.in_(sessions)
        ),
    )
    return [
        _scalar(sa.select(sa.func.count()).where(Run.id.in_(runs))),
        _scalar(sa.select(sa.func.max(Run.changed_at)).where(Run.id.in_(runs))),
        _scalar(
            sa.select(sa.func.max(LearningSession.updated_at)).where(
                LearningSession.id.in_(sessions)
            )
        ),
        _scalar(
            sa.select(sa.func.max(Room.updated_at)).where(
                Room.id.in_(sa.select(Run.room_id).where(Run.id.in_(runs)))
            )
        ),
        _scalar(
            sa.select(sa.func.max(Topic.updated_at)).where(
                Topic.id.in_(
                    sa.select(session_topics.c.topic_id).where(
                        session_topics.c.session_id.in_(sessions)
                    )
                )
            )
        ),
        _scalar(sa.select(sa.func.max(User.updated_at)).where(User.id.in_(teachers))),
    ]


def _placed_runs_of(condition: sa.ColumnElement[bool]) -> sa.Select:
    return (
        sa.select(Run.id)
        .join(Run.learning_session)
        .where(condition, Run.starts_at.is_not(None), Run.room_id.is_not(None))
    )


def edition_validator(
    db_session: Session, slug: str, *, topic_slug: str | None, now: datetime
) -> tuple[Edition | None, Topic | None, Validator | None]:
    """The edition (and topic) a feed is for and its validator, in one query."""
    topic = aliased(Topic)
    condition = LearningSession.edition_id == Edition.id
    if topic_slug is not None:
        condition = condition & LearningSession.topics.any(Topic.id == topic.id)
    row = db_session.execute(
        sa.select(Edition, topic, *_aggregates(_placed_runs_of(condition)))
        .outerjoin(topic, topic.slug == (topic_slug or ""))
        .where(Edition.slug == slug)
    ).first()
    if row is None or (topic_slug is not None and row[1] is None):
        return None, None, None
    edition, topic_row, count, runs_at, sessions_at, rooms_at, topics_at, people_at = row
    key = (
        "edition",
        edition.id,
        topic_row.id if topic_row else None,
        edition.is_published,
        edition.updated_at,
        now >= edition.ends_at,  # cancelled runs leave the edition feed once it is over
        count,
        runs_at,
        sessions_at,
        rooms_at,
        topics_at,
        people_at,
    )
    stamp = _latest(edition.updated_at, runs_at, sessions_at, rooms_at, topics_at, people_at)
    return edition, topic_row, Validator(key, stamp)


def session_validator(
    db_session: Session, session_id: int
) -> tuple[LearningSession | None, Validator | None]:
    """A session and its feed's validator, in one query."""
    condition = LearningSession.id == session_id
    row = db_session.execute(
        sa.select(LearningSession, Edition, *_aggregates(_placed_runs_of(condition)))
        .join(LearningSession.edition)
        .options(contains_eager(LearningSession.edition))
        .where(condition)
    ).first()
    if row is None:
        return None, None
    learning_session, edition, count, runs_at, sessions_at, rooms_at, topics_at, people_at = row
    edition_at = edition.updated_at
    key = (
        "session",
        session_id,
        edition.is_published,
        edition_at,
        count,
        runs_at,
        sessions_at,
        rooms_at,
        topics_at,
        people_at,
    )
    return learning_session, Validator(
        key, _latest(edition_at, runs_at, sessions_at, rooms_at, topics_at, people_at)
    )


def _personal_runs(user_id: sa.ColumnElement[int]) -> sa.Select:
    """Ids of the runs in a person's feed: signed up for (see PERSONAL_STATUSES) or taught."""
    taught = sa.or_(
        LearningSession.lead_id == user_id,
        LearningSession.id.in_(
            sa.select(session_co_teachers.c.session_id).where(
                session_co_teachers.c.user_id == user_id
            )
        ),
    )
    published = LearningSession.edition.has(Edition.is_published)
    signed_up = sa.select(Signup.run_id).where(
        Signup.user_id == user_id, Signup.status.in_(PERSONAL_STATUSES)
    )
    return _placed_runs_of(
        published
        & (Run.id.in_(signed_up) | (taught & (LearningSession.status == ProposalStatus.ACCEPTED)))
    )


def personal_validator(db_session: Session, token: str) -> tuple[int | None, Validator | None]:
    """Whose feed a token opens and its validator, in one query; (None, None) if unknown."""
    digest = hash_token(token)
    user_id = CalendarToken.user_id
    row = db_session.execute(
        sa.select(
            CalendarToken.token_hash,
            user_id,
            _scalar(sa.select(sa.func.max(Signup.updated_at)).where(Signup.user_id == user_id)),
            _scalar(
                sa.select(sa.func.max(Edition.updated_at)).where(
                    Edition.id.in_(
                        sa.select(LearningSession.edition_id)
                        .join(Run, Run.session_id == LearningSession.id)
                        .where(Run.id.in_(_personal_runs(user_id)))
                    )
                )
            ),
            *_aggregates(_personal_runs(user_id)),
        ).where(CalendarToken.token_hash == digest)
    ).first()
    # The index found the row; comparing again in constant time costs nothing.
    if row is None or not hmac.compare_digest(row[0], digest):
        return None, None
    _, owner, signups_at, editions_at, count, runs_at, sessions_at, rooms_at, topics_at, people = (
        row
    )
    key = (
        "personal",
        owner,
        signups_at,
        editions_at,
        count,
        runs_at,
        sessions_at,
        rooms_at,
        topics_at,
        people,
    )
    return owner, Validator(
        key, _latest(signups_at, editions_at, runs_at, sessions_at, rooms_at, topics_at, people)
    )


# --- events -----------------------------------------------------------------------------


def _with_details(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(Run.room),
        joinedload(Run.learning_session).joinedload(LearningSession.edition),
        joinedload(Run.learning_session).joinedload(LearningSession.lead),
        joinedload(Run.learning_session).selectinload(LearningSession.co_teachers),
        joinedload(Run.learning_session).selectinload(LearningSession.topics),
    )


def _description(learning_session: LearningSession, page: str) -> str:
    teachers = ", ".join(teacher.display_name for teacher in learning_session.teachers)
    parts = [markdown_to_text(learning_session.abstract), f"Teachers: {teachers}", page]
    return "\n\n".join(part for part in parts if part)


def _event(
    run: Run,
    *,
    session_url: Callable[[int], str],
    status: str,
    last_changed: datetime,
    with_link: bool = False,
    alarm: bool = False,
) -> FeedEvent:
    learning_session, room = run.learning_session, run.room
    page = session_url(learning_session.id)
    if room.is_online:
        location = room.meeting_url if with_link else "Online"
        url = room.meeting_url if with_link else page
    else:
        location = ", ".join(part for part in (room.name, room.location) if part)
        is_hybrid = learning_session.format == SessionFormat.HYBRID
        url = room.meeting_url if with_link and is_hybrid and room.meeting_url else page
    return FeedEvent(
        run_id=run.id,
        title=learning_session.title,
        description=_description(learning_session, page),
        starts_at=run.starts_at,
        ends_at=run.ends_at,
        location=location,
        url=url,
        categories=tuple(topic.name for topic in learning_session.topics),
        sequence=run.sequence,
        last_changed=_latest(last_changed, learning_session.updated_at),
        status=status,
        alarm=alarm,
    )


def _public_status(run: Run) -> str | None:
    if run.is_cancelled:
        return EventStatus.CANCELLED
    if run.learning_session.status == ProposalStatus.ACCEPTED:
        return EventStatus.CONFIRMED
    return None


def programme_events(
    db_session: Session,
    edition: Edition,
    *,
    session_url: Callable[[int], str],
    now: datetime,
    topic: Topic | None = None,
    learning_session: LearningSession | None = None,
) -> list[FeedEvent]:
    """A published edition's runs (or one topic's, or one session's) as events.

    Cancelled runs stay, marked cancelled, so subscribed calendars drop them, until
    the edition is over.
    """
    condition = LearningSession.edition_id == edition.id
    if topic is not None:
        condition = condition & LearningSession.topics.any(Topic.id == topic.id)
    if learning_session is not None:
        condition = condition & (LearningSession.id == learning_session.id)
    runs = db_session.scalars(
        _with_details(sa.select(Run).where(Run.id.in_(_placed_runs_of(condition))))
    ).unique()
    events = []
    for run in runs:
        status = _public_status(run)
        if status is None or (status == EventStatus.CANCELLED and now >= edition.ends_at):
            continue
        events.append(
            _event(run, session_url=session_url, status=status, last_changed=run.changed_at)
        )
    return events


def personal_events(
    db_session: Session, user_id: int, *, session_url: Callable[[int], str]
) -> tuple[list[FeedEvent], ZoneInfo | None]:
    """The runs I am signed up for (waiting ones tentative) or teach, with reminders,
    and the time zone of the latest edition among them. Runs cancelled under me stay,
    marked cancelled, so my calendar drops them."""
    runs = list(
        db_session.scalars(
            _with_details(sa.select(Run).where(Run.id.in_(_personal_runs(sa.literal(user_id)))))
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
        if signup is None:  # taught
            status = EventStatus.CANCELLED if run.is_cancelled else EventStatus.CONFIRMED
        else:
            status = PERSONAL_STATUSES[signup.status]
        seated = status == EventStatus.CONFIRMED
        events.append(
            _event(
                run,
                session_url=session_url,
                status=status,
                last_changed=_latest(run.changed_at, signup.updated_at if signup else None),
                with_link=seated,
                alarm=seated,
            )
        )
    latest = max(runs, key=lambda run: (run.starts_at, run.id), default=None)
    return events, latest.learning_session.edition.zone if latest else None
