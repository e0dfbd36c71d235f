"""Feedback pages, My learning with private reflections, teachers' results, the report."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from learningweek.accounts.permissions import organizer_required
from learningweek.core.database import utcnow
from learningweek.core.errors import DomainError
from learningweek.editions.models import Edition
from learningweek.extensions import db
from learningweek.feedback import bp, services
from learningweek.feedback.forms import FeedbackForm, ReflectionForm, feedback_form_data
from learningweek.feedback.models import Reflection
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run
from learningweek.web.actions import writes
from learningweek.web.forms import attach_domain_error, render_form_page
from learningweek.web.spreadsheets import csv_response


def _threshold() -> int:
    return current_app.config["LEARNINGWEEK_FEEDBACK_MIN_RESPONSES"]


@bp.route("/runs/<int:run_id>/feedback", methods=["GET", "POST"])
@writes
@login_required
def give(run_id: int):
    """Answer about a run I attended, or change my answer, while the window is open."""
    run = db.get_or_404(Run, run_id)
    now = utcnow()
    seat = services.seat_in(db.session, run, current_user)
    refusal = services.feedback_refusal(run, current_user, seat, now=now)
    answer = services.feedback_of(db.session, run, current_user)
    if refusal:
        page = render_template("feedback/closed.html", run=run, refusal=refusal, answer=answer)
        return page, 403 if request.method == "POST" else 200
    objectives = list(run.learning_session.objectives)
    data = {} if answer is None else feedback_form_data(answer)
    form = FeedbackForm.for_objectives(objectives, data=data or None)
    if form.validate_on_submit():
        try:
            services.save_feedback(
                db.session, run, form.feedback_data(), user=current_user, now=now
            )
        except DomainError as error:
            db.session.rollback()
            attach_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                "Thank you: your answer is saved. You can change it until feedback closes.",
                "success",
            )
            return redirect(url_for("feedback.learning"))
    return render_form_page(
        "feedback/form.html",
        form,
        run=run,
        answer=answer,
        closes_at=services.feedback_closes_at(run),
    )


@bp.get("/sessions/<int:session_id>/results")
@login_required
def results(session_id: int):
    """A session's feedback for its teachers and organizers: aggregates, no names."""
    learning_session = db.get_or_404(LearningSession, session_id)
    if not services.can_see_results(current_user, learning_session):
        abort(403)
    loaded = services.session_results(
        db.session, learning_session, threshold=_threshold(), actor=current_user
    )
    return render_template(
        "feedback/results.html", learning_session=learning_session, results=loaded
    )


def _attended_session_or_404(session_id: int) -> LearningSession:
    learning_session = db.get_or_404(LearningSession, session_id)
    if not services.has_attended(db.session, current_user, learning_session, now=utcnow()):
        abort(404)
    return learning_session


@bp.route("/sessions/<int:session_id>/reflection", methods=["GET", "POST"])
@writes
@login_required
def reflect(session_id: int):
    """My private notes on a session I attended."""
    learning_session = _attended_session_or_404(session_id)
    reflection = services.reflection_of(db.session, current_user, learning_session.id)
    form = ReflectionForm(obj=reflection)
    if form.validate_on_submit():
        try:
            services.save_reflection(
                db.session,
                learning_session,
                form.reflection_data(),
                writer=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            attach_domain_error(form, error)
        else:
            db.session.commit()
            flash("Your notes are saved. Only you can read them.", "success")
            return redirect(url_for("feedback.learning"))
    return render_form_page(
        "feedback/reflection_form.html",
        form,
        learning_session=learning_session,
        prompts=services.REFLECTION_PROMPTS,
    )


@bp.get("/reflections/<int:reflection_id>")
@login_required
def reflection(reflection_id: int):
    """One of my reflections. Anyone else, organizers included, finds nothing here."""
    note = db.session.get(Reflection, reflection_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    return render_template(
        "feedback/reflection.html",
        reflection=note,
        learning_session=db.session.get(LearningSession, note.session_id),
        prompts=services.REFLECTION_PROMPTS,
    )


@bp.get("/learning")
@login_required
def learning():
    """My learning: the sessions I attended, my notes, feedback to give, resources."""
    return render_template(
        "feedback/learning.html",
        items=services.my_learning(db.session, current_user, now=utcnow()),
        prompts=services.REFLECTION_PROMPTS,
    )


@bp.get("/learning.md")
@login_required
def learning_export():
    """My learning as a Markdown file to keep."""
    items = services.my_learning(db.session, current_user, now=utcnow())
    return Response(
        services.learning_markdown(current_user, items),
        mimetype="text/markdown",
        headers={"Content-Disposition": 'attachment; filename="my-learning.md"'},
    )


@bp.get("/organize/editions/<int:edition_id>/report")
@organizer_required
def report(edition_id: int):
    """An edition's figures: participation, learning hours, fill, demand and feedback."""
    edition = db.get_or_404(Edition, edition_id)
    return render_template(
        "feedback/report.html",
        report=services.edition_report(db.session, edition, threshold=_threshold()),
    )


@bp.get("/organize/editions/<int:edition_id>/report.csv")
@organizer_required
def report_csv(edition_id: int):
    """The report's per-run figures as a spreadsheet."""
    edition = db.get_or_404(Edition, edition_id)
    rows = services.report_rows(
        services.edition_report(db.session, edition, threshold=_threshold())
    )
    return csv_response(rows, f"report-{edition.slug}.csv")
