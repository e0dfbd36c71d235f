"""Feed URLs for calendar clients, and the page where people subscribe to theirs."""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learningweek.accounts.models import User
from learningweek.calendar import bp, ical, services
from learningweek.core.database import read_without_transaction, utcnow
from learningweek.core.errors import DomainError
from learningweek.editions.models import Edition, Topic
from learningweek.extensions import db
from learningweek.web.actions import writes
from learningweek.web.forms import EmptyForm
from learningweek.web.links import session_url

# The compressed representation's ETag: RFC 9110 wants each encoding's to differ.
GZIP_ETAG_SUFFIX = "-gzip"


def _wants_gzip() -> bool:
    # Calendar apps ask for gzip; a feed is text that shrinks about sevenfold.
    return request.accept_encodings["gzip"] > 0


def _is_unchanged(validator: services.Validator, etag: str) -> bool:
    if request.if_none_match:
        # Only the ETag of the representation this request selects (RFC 9110 13.1.2):
        # a copy in the other encoding is another representation. Weak comparison: a
        # proxy that compresses marks the ETag weak.
        return request.if_none_match.contains_weak(etag)
    since, modified = request.if_modified_since, validator.last_modified
    return since is not None and modified is not None and modified.replace(microsecond=0) <= since


class FeedBodies:
    """The last few feeds built, by what they were built from.

    Safe to keep per process: the key holds the feed's validator, which changes with
    anything the feed shows, so a stale body is never found, and another instance
    simply builds its own. Building the whole edition's feed is most of its cost.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.bodies: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get_or_build(self, key: tuple, build: Callable[[], bytes]) -> bytes:
        with self.lock:
            if key in self.bodies:
                self.bodies.move_to_end(key)
                return self.bodies[key]
        body = build()
        with self.lock:
            self.bodies[key] = body
            while len(self.bodies) > self.size:
                self.bodies.popitem(last=False)
        return body


feed_bodies = FeedBodies()


def _feed(validator: services.Validator, build: Callable[[], bytes], filename: str) -> Response:
    """Answer with the feed, or 304 when the client's copy is current (not building it).

    Bodies, plain and compressed, are kept by validator: an unchanged feed is neither
    built nor compressed again.
    """
    gzipped = _wants_gzip()
    etag = validator.etag + (GZIP_ETAG_SUFFIX if gzipped else "")
    if _is_unchanged(validator, etag):
        response = Response(status=304)
    else:
        # Links in the feed carry the host it was asked on.
        key = (request.host_url, *validator.key)
        body = feed_bodies.get_or_build(key, build)
        if gzipped:
            # mtime=0: the same feed compresses to the same bytes in every process.
            body = feed_bodies.get_or_build((*key, "gzip"), lambda: gzip.compress(body, mtime=0))
        response = Response(body, mimetype="text/calendar")
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.set_etag(etag)
    if validator.last_modified is not None:
        response.last_modified = validator.last_modified
    # Clients may keep a copy but must ask again; asking is what the validator makes cheap.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _host() -> str:
    return current_app.config["LEARNINGWEEK_HOST_NAME"]


@bp.get("/sessions/<int:session_id>.ics")
def session_feed(session_id: int):
    """One session's runs, for "Add to calendar"."""
    read_without_transaction(db.session)
    now = utcnow()
    found = services.session_validator(db.session, session_id, now=now)
    if found is None:
        abort(404)  # never on a published programme: nothing to show, not even its title
    learning_session, validator = found
    edition = learning_session.edition

    def build() -> bytes:
        events = services.programme_events(
            db.session,
            edition,
            session_url=session_url,
            now=now,
            learning_session=learning_session,
        )
        return ical.build_calendar(
            name=learning_session.title,
            zone=edition.zone,
            host=_host(),
            events=events,
            span=(edition.first_day, edition.last_day),
        )

    return _feed(validator, build, f"session-{session_id}.ics")


def _edition_feed(slug: str, topic_slug: str | None):
    read_without_transaction(db.session)
    now = utcnow()
    found = services.edition_validator(db.session, slug, topic_slug=topic_slug, now=now)
    if found is None:
        abort(404)

    def build() -> bytes:
        edition = db.session.get_one(Edition, found.edition_id)
        topic = db.session.get_one(Topic, found.topic_id) if found.topic_id else None
        events = services.programme_events(
            db.session, edition, session_url=session_url, now=now, topic=topic
        )
        name = f"{edition.name}: {topic.name}" if topic else edition.name
        return ical.build_calendar(
            name=name,
            zone=edition.zone,
            host=_host(),
            events=events,
            span=(edition.first_day, edition.last_day),
        )

    filename = f"{slug}-{topic_slug}.ics" if topic_slug else f"{slug}.ics"
    return _feed(found.validator, build, filename)


@bp.get("/calendar/<slug>.ics")
def edition_feed(slug: str):
    """The whole published programme of an edition."""
    return _edition_feed(slug, None)


@bp.get("/calendar/<slug>/topics/<topic_slug>.ics")
def topic_feed(slug: str, topic_slug: str):
    """An edition's runs of one topic."""
    return _edition_feed(slug, topic_slug)


@bp.get("/calendar/personal/<token>.ics")
def personal_feed(token: str):
    """My confirmed and taught runs (waiting ones tentative), at a secret URL, no login."""
    read_without_transaction(db.session)
    secret_key = current_app.config["SECRET_KEY"]
    found = services.personal_validator(db.session, token, secret_key=secret_key)
    if found is None:
        abort(404)
    user_id, validator = found

    def build() -> bytes:
        now = utcnow()
        events, zone = services.personal_events(db.session, user_id, session_url=session_url)
        user = db.session.get_one(User, user_id)
        zone = zone or ZoneInfo(current_app.config["LEARNINGWEEK_DEFAULT_TIME_ZONE"])
        # Without events the zone's definition covers the year the feed was first asked
        # for; the ETag does not cover `now`, so keep it to a date that rarely moves.
        year = date(now.year, 1, 1)
        return ical.build_calendar(
            name=f"{current_app.config['LEARNINGWEEK_SITE_NAME']}: {user.display_name}",
            zone=zone,
            host=_host(),
            events=events,
            span=(year, year),
        )

    return _feed(validator, build, "learning-week.ics")


@bp.get("/calendar")
@login_required
def mine():
    """My calendar: the personal feed's URL, how to subscribe, and a way to revoke it."""
    token = services.existing_token(
        db.session, current_user, secret_key=current_app.config["SECRET_KEY"]
    )
    url = url_for("calendar.personal_feed", token=token, _external=True) if token else None
    editions = db.session.scalars(
        sa.select(Edition).where(Edition.is_published).order_by(Edition.first_day.desc())
    ).all()
    return render_template(
        "calendar/mine.html",
        feed_url=url,
        webcal_url=services.webcal(url) if url else None,
        editions=editions,
        webcal=services.webcal,
        action_form=EmptyForm(),
    )


@bp.post("/calendar/renew")
@writes
@login_required
def renew():
    """Make my feed URL (a first one, or a new one that revokes the old)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    had_one = request.form.get("revoke") == "1"
    try:
        services.renew_token(db.session, current_user, secret_key=current_app.config["SECRET_KEY"])
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("calendar.mine"))
    db.session.commit()
    flash(
        "Your old calendar link no longer works; subscribe with the new one below."
        if had_one
        else "Your calendar link is ready.",
        "success",
    )
    return redirect(url_for("calendar.mine"))
