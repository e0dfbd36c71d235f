"""Attendee pages (programme, session, agenda, offers) and rosters for teachers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from learningweek.accounts.permissions import is_safe_redirect_target
from learningweek.calendar.services import webcal
from learningweek.core.database import begin_write_transaction, utcnow
from learningweek.core.enums import Attendance, Level, SessionFormat, SignupStatus
from learningweek.editions.lookups import visible_edition_or_404
from learningweek.editions.models import Edition, Topic
from learningweek.editions.permissions import can_see_programme
from learningweek.extensions import db
from learningweek.proposals import permissions
from learningweek.schedule.models import Run
from learningweek.signups import bp, programme, services
from learningweek.signups.forms import CheckInForm, SwitchForm
from learningweek.signups.models import Signup
from learningweek.signups.permissions import can_see_meeting_link, can_see_roster
from learningweek.web.actions import perform, writes
from learningweek.web.forms import EmptyForm
from learningweek.web.routing import id_argument
from learningweek.web.spreadsheets import csv_response

T = TypeVar("T")


def _enum_arg(enum_class, name: str):
    try:
        return enum_class(request.args.get(name, ""))
    except ValueError:
        return None


def _pass_on_due_offers(**scope) -> None:
    """Offers that ran out pass on when their run is shown, not only when cron runs, so
    nobody sees a free seat, or an Accept button, that is not there any more."""
    now = utcnow()
    due = services.runs_with_due_offers(db.session, now, **scope)
    if not due:
        return
    db.session.rollback()  # a GET reads without the write lock; take it before writing
    begin_write_transaction(db.session)
    for run_id in due:
        services.pass_on_due_offers(db.session, db.session.get_one(Run, run_id), now=now)
    db.session.commit()


def _filters(edition: Edition) -> programme.ProgrammeFilters:
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = None
    if day is not None and not edition.first_day <= day <= edition.last_day:
        day = None
    return programme.ProgrammeFilters(
        day=day,
        topic_id=id_argument(request.args.get("topic")),
        session_format=_enum_arg(SessionFormat, "format"),
        level=_enum_arg(Level, "level"),
        language=request.args.get("language", "").strip()[:40] or None,
        only_free=request.args.get("free") == "1",
        text=request.args.get("q", "").strip()[: programme.TEXT_SEARCH_MAX_LENGTH],
    )


@bp.get("/editions/<slug>/programme")
@login_required
def programme_page(slug: str):
    """The published programme, filterable, as a list by day or as a timetable."""
    edition = visible_edition_or_404(slug)
    if not edition.is_published:
        return render_template("signups/not_published.html", edition=edition)
    _pass_on_due_offers(edition=edition)
    filters = _filters(edition)
    view = "timetable" if request.args.get("view") == "timetable" else "list"
    now = utcnow()
    loaded = programme.programme(db.session, edition, current_user, filters, now=now)
    topic = db.session.get(Topic, filters.topic_id) if filters.topic_id else None
    return render_template(
        "signups/programme.html",
        subscribe=_subscribe_links(edition, topic),
        now=now,
        permissions=permissions,
        refusals={
            entry.run.id: services.signup_refusal(entry.run, current_user, now)
            for entry in loaded.entries
        },
        edition=edition,
        programme=loaded,
        timetable=programme.timetable(loaded) if view == "timetable" else None,
        view=view,
        filters=filters,
        topics=db.session.scalars(sa.select(Topic).order_by(sa.func.lower(Topic.name))).all(),
        formats=list(SessionFormat),
        levels=list(Level),
        query_args={key: value for key, value in request.args.items() if key != "view"},
    )


def _subscribe_links(edition: Edition, topic: Topic | None) -> dict:
    """webcal:// links to the edition's feed, and to the filtered topic's."""
    links = {
        "edition_webcal": webcal(
            url_for("calendar.edition_feed", slug=edition.slug, _external=True)
        ),
        "topic": topic,
    }
    if topic is not None:
        links["topic_webcal"] = webcal(
            url_for("calendar.topic_feed", slug=edition.slug, topic_slug=topic.slug, _external=True)
        )
    return links


@bp.get("/sessions/<int:session_id>")
@login_required
def session_page(session_id: int):
    """A session's description and teachers, and each run with the action that fits."""
    _pass_on_due_offers(session_id=session_id)
    learning_session = db.first_or_404(programme.session_page_query(session_id))
    if not permissions.can_view_proposal(current_user, learning_session):
        abort(403)
    now = utcnow()
    runs = [run for run in learning_session.runs if run.is_placed]
    signup = services.active_signups_of(db.session, current_user, [learning_session.id]).get(
        learning_session.id
    )
    positions = services.waitlist_positions(db.session, [signup.run_id] if signup else [])
    held_back_by = None
    if signup is not None and signup.status == SignupStatus.WAITLISTED:
        held_back_by = services.seat_in_the_way(db.session, signup)
    is_public = can_see_programme(current_user, learning_session.edition)
    return render_template(
        "signups/session.html",
        learning_session=learning_session,
        edition=learning_session.edition,
        runs=runs if is_public else [],
        seats=services.seat_counts(db.session, runs, now),
        signup=signup,
        position=positions.get(signup.id) if signup else None,
        held_back_by=held_back_by,
        refusals={run.id: services.signup_refusal(run, current_user, now) for run in runs},
        can_see_link={run.id: can_see_meeting_link(current_user, run, signup) for run in runs},
        is_teacher=permissions.is_teacher(current_user, learning_session),
        is_teacher_or_organizer=permissions.is_teacher_or_organizer(current_user, learning_session),
        can_see_roster=can_see_roster(current_user, learning_session),
        action_form=EmptyForm(),
        now=now,
    )


def _back(learning_session_id: int):
    target = request.form.get("next", "")
    if not is_safe_redirect_target(target):
        target = url_for("signups.session_page", session_id=learning_session_id)
    return redirect(target)


def _act(
    learning_session_id: int, act: Callable[[], T], success: str | Callable[[T], str]
) -> ResponseReturnValue:
    """A button on a session page: one service, then back to where it was pressed."""
    perform(EmptyForm(), act, success)
    return _back(learning_session_id)


def _signup_text(signup: Signup) -> str:
    if signup.status == SignupStatus.CONFIRMED:
        return "You are signed up. See you there!"
    position = services.waitlist_positions(db.session, [signup.run_id]).get(signup.id)
    return f"The run is full: you are number {position} on its waitlist."


@bp.post("/runs/<int:run_id>/signup")
@writes
@login_required
def sign_up(run_id: int):
    """Take a seat, or a waitlist place when the run is full."""
    run = db.get_or_404(Run, run_id)
    return _act(
        run.session_id,
        lambda: services.sign_up(db.session, run, current_user, now=utcnow()),
        _signup_text,
    )


def _own_signup_or_404(signup_id: int) -> Signup:
    signup = db.get_or_404(Signup, signup_id)
    if signup.user_id != current_user.id:
        abort(404)  # someone else's sign-up is none of your business, not even its existence
    return signup


def _act_on_own(
    signup_id: int, service: Callable[..., object], success: str, *targets: Run
) -> ResponseReturnValue:
    """A button on my own sign-up: `service` acts on it (and `targets`) as me."""
    signup = _own_signup_or_404(signup_id)
    return _act(
        signup.session_id,
        lambda: service(db.session, signup, *targets, actor=current_user, now=utcnow()),
        success,
    )


@bp.post("/signups/<int:signup_id>/cancel")
@writes
@login_required
def cancel(signup_id: int):
    """Give up my seat or waitlist place."""
    return _act_on_own(signup_id, services.cancel_signup, "Your sign-up is cancelled.")


@bp.post("/signups/<int:signup_id>/switch")
@writes
@login_required
def switch(signup_id: int):
    """Move my sign-up to another run of the same session; the old seat stays until then."""
    _own_signup_or_404(signup_id)  # someone else's sign-up is a 404 before the form is read
    form = SwitchForm()
    target_id = id_argument(form.run_id.data)
    if not form.validate_on_submit() or target_id is None:
        abort(400)
    return _act_on_own(
        signup_id,
        services.switch_run,
        "You switched runs: your seat is in the other run now.",
        db.get_or_404(Run, target_id),
    )


@bp.post("/signups/<int:signup_id>/keep")
@writes
@login_required
def keep(signup_id: int):
    """Keep this seat of two that overlap; the other one is released."""
    return _act_on_own(
        signup_id,
        services.keep_seat,
        "You kept this seat; the one that overlapped it is released.",
    )


@bp.get("/signups/<int:signup_id>/offer")
@login_required
def offer(signup_id: int):
    """A seat held for me: accept or decline it."""
    signup = _own_signup_or_404(signup_id)
    _pass_on_due_offers(session_id=signup.session_id)  # may end this very offer
    return render_template(
        "signups/offer.html",
        signup=signup,
        run=signup.run,
        edition=signup.run.learning_session.edition,
        is_open=signup.has_open_offer(utcnow()),
        action_form=EmptyForm(),
    )


@bp.post("/signups/<int:signup_id>/accept")
@writes
@login_required
def accept(signup_id: int):
    """Take the seat held for me."""
    return _act_on_own(signup_id, services.accept_offer, "The seat is yours: you are signed up.")


@bp.post("/signups/<int:signup_id>/decline")
@writes
@login_required
def decline(signup_id: int):
    """Let the held seat go to the next person waiting."""
    return _act_on_own(
        signup_id,
        services.decline_offer,
        "You declined the seat; it goes to the next person waiting.",
    )


@bp.get("/agenda")
@login_required
def agenda():
    """My week: seats, offers, waitlist places and the runs I teach, by day."""
    _pass_on_due_offers(user=current_user)
    my_agenda = programme.agenda(db.session, current_user, now=utcnow())
    return render_template(
        "signups/agenda.html",
        agenda=my_agenda,
        can_see_link={
            item.run.id: can_see_meeting_link(current_user, item.run, item.signup)
            for item in my_agenda.items
        },
        action_form=EmptyForm(),
        now=utcnow(),
    )


def _roster_run_or_404(run_id: int) -> Run:
    run = db.get_or_404(Run, run_id)
    if not can_see_roster(current_user, run.learning_session):
        abort(403)
    return run


@bp.get("/runs/<int:run_id>/roster")
@login_required
def roster(run_id: int):
    """Who comes to a run, who waits, and check-in once it starts."""
    run = _roster_run_or_404(run_id)
    now = utcnow()
    return render_template(
        "signups/roster.html",
        roster=services.roster(db.session, run, now=now),
        run=run,
        edition=run.learning_session.edition,
        seats=services.seat_counts(db.session, [run], now)[run.id],
        check_in_open=services.is_check_in_open(run, now),
        form=CheckInForm(),
        attendance=list(Attendance),
    )


@bp.get("/runs/<int:run_id>/roster.csv")
@login_required
def roster_csv(run_id: int):
    """The roster as a spreadsheet: confirmed attendees, then the waitlist in order."""
    run = _roster_run_or_404(run_id)
    loaded = services.roster(db.session, run, now=utcnow())
    rows = [["name", "department", "status", "waitlist position", "attendance"]]
    listed = [(signup, "") for signup in [*loaded.confirmed, *loaded.offered]]
    listed += [(signup, str(position)) for position, signup in enumerate(loaded.waiting, start=1)]
    for signup, position in listed:
        rows.append(
            [
                signup.user.display_name,
                signup.user.department or "",
                signup.status.label,
                position,
                signup.attendance.label if signup.attendance else "",
            ]
        )
    return csv_response(rows, f"roster-run-{run.id}.csv")


def _attendance_marks() -> dict[int, Attendance | None]:
    """`mark-<id>` fields as sign-up ids and marks; anything malformed is a 400."""
    marks: dict[int, Attendance | None] = {}
    for key, value in request.form.items():
        if not key.startswith("mark-"):
            continue
        signup_id = id_argument(key.removeprefix("mark-"))
        if signup_id is None:
            abort(400)
        try:
            marks[signup_id] = Attendance(value) if value else None
        except ValueError:
            abort(400)
    return marks


@bp.post("/runs/<int:run_id>/check-in")
@writes
@login_required
def check_in(run_id: int):
    """Save attendance marks for a run's confirmed attendees."""
    run = _roster_run_or_404(run_id)
    marks = _attendance_marks()
    perform(
        CheckInForm(),
        lambda: services.record_attendance(
            db.session, run, marks, actor=current_user, now=utcnow()
        ),
        lambda changed: f"Check-in saved ({changed} change{'' if changed == 1 else 's'}).",
    )
    return redirect(url_for("signups.roster", run_id=run.id))
