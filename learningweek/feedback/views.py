"""Feedback pages: answering about a run, and a session's results for its teachers."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learningweek.core.database import utcnow
from learningweek.extensions import db
from learningweek.feedback import bp
from learningweek.feedback.forms import FeedbackForm, feedback_form_data
from learningweek.feedback.permissions import can_see_results
from learningweek.feedback.services import answers
from learningweek.feedback.services.results import session_results
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run
from learningweek.web.actions import perform, writes
from learningweek.web.forms import render_form_page


@bp.route("/runs/<int:run_id>/feedback", methods=["GET", "POST"])
@writes
@login_required
def give(run_id: int):
    """Answer about a run I attended, or change my answer, while the window is open."""
    run = db.get_or_404(Run, run_id)
    now = utcnow()
    seat = answers.seat_in(db.session, run, current_user)
    refusal = answers.feedback_refusal(run, current_user, seat, now=now)
    answer = answers.feedback_of(db.session, run, current_user)
    if refusal:
        page = render_template("feedback/closed.html", run=run, refusal=refusal, answer=answer)
        return page, 403 if request.method == "POST" else 200
    objectives = list(run.learning_session.objectives)
    data = {} if answer is None else feedback_form_data(answer)
    form = FeedbackForm.for_objectives(objectives, data=data or None)
    if perform(
        form,
        lambda: answers.save_feedback(
            db.session, run, form.feedback_data(), user=current_user, now=now
        ),
        "Thank you: your answer is saved. You can change it until feedback closes.",
        problems_go_to="form",
    ):
        return redirect(url_for("learning.mine"))
    return render_form_page(
        "feedback/form.html", form, run=run, answer=answer, window=answers.feedback_window(run)
    )


@bp.get("/sessions/<int:session_id>/results")
@login_required
def results(session_id: int):
    """A session's feedback for its teachers and organizers: aggregates, no names."""
    learning_session = db.get_or_404(LearningSession, session_id)
    if not can_see_results(current_user, learning_session):
        abort(403)
    loaded = session_results(
        db.session,
        learning_session,
        threshold=current_app.config["LEARNINGWEEK_FEEDBACK_MIN_RESPONSES"],
        actor=current_user,
    )
    return render_template(
        "feedback/results.html", learning_session=learning_session, results=loaded
    )
