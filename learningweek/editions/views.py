"""Edition pages for everyone, and edition, room and topic management for organizers."""

from __future__ import annotations

from dataclasses import asdict

import sqlalchemy as sa
from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learningweek.accounts.permissions import organizer_required
from learningweek.core.database import utcnow
from learningweek.editions import bp, services
from learningweek.editions.forms import EditionForm, RoomForm, TopicForm
from learningweek.editions.lookups import visible_edition_or_404
from learningweek.editions.models import Edition, Room, Topic
from learningweek.extensions import db
from learningweek.web.actions import perform, writes
from learningweek.web.forms import render_form_page


@bp.get("/")
@login_required
def index():
    """The editions this person can see, newest first."""
    editions = db.session.scalars(
        services.visible_editions(is_organizer=current_user.is_organizer, now=utcnow())
    ).all()
    return render_template("editions/index.html", editions=editions, now=utcnow())


@bp.get("/editions/<slug>")
@login_required
def detail(slug: str):
    """One edition: its days, daily grid and windows in its own time zone."""
    edition = visible_edition_or_404(slug)
    return render_template("editions/detail.html", edition=edition, now=utcnow())


# --- organizer pages --------------------------------------------------------------------


@bp.get("/organize/editions")
@organizer_required
def manage():
    """Every edition, for organizers."""
    editions = db.session.scalars(services.visible_editions(is_organizer=True, now=utcnow()))
    return render_template("editions/manage.html", editions=editions.all())


def _save_with(form, save, template: str, success: str, **context):
    """Validate, call one service, commit and go back; otherwise show the form's errors."""
    if perform(form, save, lambda saved: success.format(name=saved.name), problems_go_to="form"):
        return None
    return render_form_page(template, form, time_zones=services.time_zone_names(), **context)


def _outcome(saving: Room | Topic | None) -> str:
    return "{name} is added." if saving is None else "{name} is saved."


@bp.route("/organize/editions/new", methods=["GET", "POST"])
@writes
@organizer_required
def create():
    """Create an edition, starting from sensible defaults."""
    defaults = services.default_edition_data(
        utcnow().date(), current_app.config["LEARNINGWEEK_DEFAULT_TIME_ZONE"]
    )
    form = EditionForm(data=asdict(defaults))
    page = _save_with(
        form,
        lambda: services.create_edition(db.session, form.edition_data()),
        "editions/edition_form.html",
        "{name} is created.",
        edition=None,
    )
    return page or redirect(url_for("editions.manage"))


@bp.route("/organize/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@writes
@organizer_required
def edit(edition_id: int):
    """Change an edition's settings."""
    edition = db.get_or_404(Edition, edition_id)
    form = EditionForm(data=asdict(services.edition_data_from(edition)))
    page = _save_with(
        form,
        lambda: services.update_edition(db.session, edition, form.edition_data()),
        "editions/edition_form.html",
        "{name} is saved.",
        edition=edition,
    )
    return page or redirect(url_for("editions.manage"))


@bp.get("/organize/rooms")
@organizer_required
def rooms():
    """Physical and online rooms."""
    all_rooms = db.session.scalars(
        sa.select(Room).order_by(Room.is_active.desc(), Room.kind, sa.func.lower(Room.name))
    ).all()
    return render_template("editions/rooms.html", rooms=all_rooms)


# Adding and changing a room (or a topic) is one form: one view answers both addresses.
@bp.route("/organize/rooms/new", methods=["GET", "POST"], endpoint="create_room")
@bp.route("/organize/rooms/<int:room_id>/edit", methods=["GET", "POST"], endpoint="edit_room")
@writes
@organizer_required
def room_form(room_id: int | None = None):
    """Add a room, or change one."""
    room = db.get_or_404(Room, room_id) if room_id is not None else None
    form = RoomForm(obj=room)
    if room is not None and form.is_submitted():
        if request.form.get("review"):
            # Back from the confirmation to change something: the form again, as sent.
            form.confirmed.data = ""
            return render_form_page("editions/room_form.html", form, room=room)
        if not form.confirmed.data and form.validate():
            reach = services.reach_of_room_change(db.session, room, form.room_data(), now=utcnow())
            if reach is not None and reach.reaches_anyone:
                return render_template(
                    "editions/confirm_room.html", form=form, room=room, reach=reach
                )

    def save() -> Room:
        if room is None:
            return services.create_room(db.session, form.room_data())
        return services.update_room(
            db.session, room, form.room_data(), now=utcnow(), force_seats=form.force_seats.data
        )

    form.confirmed.data = ""  # a form shown again asks again before telling anyone
    page = _save_with(form, save, "editions/room_form.html", _outcome(room), room=room)
    return page or redirect(url_for("editions.rooms"))


@bp.get("/organize/topics")
@organizer_required
def topics():
    """Topics sessions are tagged with."""
    all_topics = db.session.scalars(sa.select(Topic).order_by(sa.func.lower(Topic.name))).all()
    return render_template("editions/topics.html", topics=all_topics)


@bp.route("/organize/topics/new", methods=["GET", "POST"], endpoint="create_topic")
@bp.route("/organize/topics/<int:topic_id>/edit", methods=["GET", "POST"], endpoint="edit_topic")
@writes
@organizer_required
def topic_form(topic_id: int | None = None):
    """Add a topic, or rename or recolour one."""
    topic = db.get_or_404(Topic, topic_id) if topic_id is not None else None
    form = TopicForm(obj=topic)

    def save() -> Topic:
        if topic is None:
            return services.create_topic(db.session, form.topic_data())
        return services.update_topic(db.session, topic, form.topic_data())

    page = _save_with(form, save, "editions/topic_form.html", _outcome(topic), topic=topic)
    return page or redirect(url_for("editions.topics"))
