"""My learning: the attended sessions, private reflections and their Markdown export."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from learningweek.core.database import utcnow
from learningweek.extensions import db
from learningweek.learning import bp, services
from learningweek.learning.forms import ReflectionForm
from learningweek.learning.models import Reflection
from learningweek.learning.permissions import can_read_reflection
from learningweek.proposals.models import LearningSession
from learningweek.web.actions import perform, writes
from learningweek.web.forms import render_form_page


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
    if perform(
        form,
        lambda: services.save_reflection(
            db.session, learning_session, form.reflection_data(), writer=current_user, now=utcnow()
        ),
        "Your notes are saved. Only you can read them.",
        problems_go_to="form",
    ):
        return redirect(url_for("learning.mine"))
    return render_form_page(
        "learning/reflection_form.html",
        form,
        learning_session=learning_session,
        prompts=services.REFLECTION_PROMPTS,
    )


@bp.get("/reflections/<int:reflection_id>")
@login_required
def reflection(reflection_id: int):
    """One of my reflections. Anyone else, organizers included, finds nothing here."""
    note = db.session.get(Reflection, reflection_id)
    if note is None or not can_read_reflection(current_user, note):
        abort(404)
    return render_template(
        "learning/reflection.html",
        reflection=note,
        learning_session=db.session.get(LearningSession, note.session_id),
        prompts=services.REFLECTION_PROMPTS,
    )


@bp.get("/learning")
@login_required
def mine():
    """My learning: the sessions I attended, my notes, feedback to give, resources."""
    return render_template(
        "learning/mine.html",
        items=services.my_learning(db.session, current_user, now=utcnow()),
        prompts=services.REFLECTION_PROMPTS,
    )


@bp.get("/learning.md")
@login_required
def export():
    """My learning as a Markdown file to keep."""
    items = services.my_learning(db.session, current_user, now=utcnow())
    return Response(
        services.learning_markdown(current_user, items),
        mimetype="text/markdown",
        headers={"Content-Disposition": 'attachment; filename="my-learning.md"'},
    )
