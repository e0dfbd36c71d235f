"""Proposal pages: propose, edit, submit, review, decide, co-teachers and interest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from learningweek.accounts.models import User
from learningweek.accounts.permissions import is_safe_redirect_target, organizer_required
from learningweek.core.database import utcnow
from learningweek.core.enums import ProposalStatus, SessionFormat
from learningweek.core.errors import DomainError, ValidationFailed
from learningweek.editions.lookups import visible_edition_or_404
from learningweek.editions.models import Edition, Topic
from learningweek.extensions import db
from learningweek.proposals import bp, permissions, services
from learningweek.proposals.forms import CommentForm, CoTeacherForm, DecisionForm, ProposalForm
from learningweek.proposals.models import LearningSession
from learningweek.schedule import services as schedule_services
from learningweek.schedule.conflicts import settings_from
from learningweek.web.actions import perform, writes
from learningweek.web.forms import EmptyForm, attach_domain_error, render_form_page
from learningweek.web.routing import id_argument, page_number

REVIEW_PER_PAGE = 100


def _all_topics() -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).order_by(sa.func.lower(Topic.name))))


def _proposal_or_404(session_id: int) -> LearningSession:
    return db.first_or_404(services.proposal_page_query(session_id))


def _detail(learning_session: LearningSession):
    return redirect(url_for("proposals.detail", session_id=learning_session.id))


def _submit_after_save(learning_session: LearningSession, form: ProposalForm):
    """Submit what was just saved; on refusal the saved draft stays and the form says why."""
    try:
        services.submit_proposal(db.session, learning_session, actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, ValidationFailed):
            attach_domain_error(form, error)
            flash("Saved, but not submitted yet: complete the fields marked below.", "error")
            return _render_form(form, learning_session)
        flash(str(error), "error")
        return _detail(learning_session)
    db.session.commit()
    flash("Your proposal is submitted. The organizers will review it.", "success")
    return _detail(learning_session)


def _render_form(form: ProposalForm, learning_session: LearningSession | None):
    # An explicit action: after a refused submission the page shows the saved
    # proposal, and its next post must edit that one, not propose a second.
    if learning_session is None:
        action = url_for("proposals.new", slug=form.edition.slug)
    else:
        action = url_for("proposals.edit", session_id=learning_session.id)
    return render_form_page(
        "proposals/form.html",
        form,
        edition=form.edition,
        learning_session=learning_session,
        action=action,
        offers_submission=learning_session is None
        or "submit" in services.available_actions(current_user, learning_session, utcnow()),
    )


def _form_context(learning_session: LearningSession) -> dict:
    """What a proposal's form needs: its edition, the topics, and any locked values."""
    locked = None
    if not permissions.can_edit_locked_fields(current_user, learning_session):
        locked = services.proposal_data_from(learning_session)
    return {"edition": learning_session.edition, "topics": _all_topics(), "locked": locked}


@bp.route("/editions/<slug>/propose", methods=["GET", "POST"])
@writes
@login_required
def new(slug: str):
    """Propose a session; a draft can be saved at any time, submitted inside the window."""
    edition = visible_edition_or_404(slug)
    form = ProposalForm(edition=edition, topics=_all_topics())
    if not form.validate_on_submit():
        return _render_form(form, None)
    return _save(
        form,
        None,
        lambda: services.create_proposal(
            db.session, edition, form.proposal_data(), lead=current_user, now=utcnow()
        ),
        "Your draft is saved. Submit it when it is ready.",
    )


@bp.route("/proposals/<int:session_id>/edit", methods=["GET", "POST"])
@writes
@login_required
def edit(session_id: int):
    """Edit a proposal; scheduling fields lock for teachers once it is accepted."""
    learning_session = _proposal_or_404(session_id)
    if not permissions.can_edit_proposal(current_user, learning_session):
        abort(403)
    context = _form_context(learning_session)
    if request.method == "POST":
        form = ProposalForm(**context)
    else:
        form = ProposalForm.for_proposal(services.proposal_data_from(learning_session), **context)
    if not form.validate_on_submit():
        return _render_form(form, learning_session)
    return _save(
        form,
        learning_session,
        lambda: services.update_proposal(
            db.session, learning_session, form.proposal_data(), actor=current_user, now=utcnow()
        ),
        "Your changes are saved.",
    )


def _save(
    form: ProposalForm,
    edited: LearningSession | None,
    save: Callable[[], LearningSession],
    saved: str,
):
    """Save the form's proposal, then submit it if asked; a refusal shows the form again."""
    try:
        learning_session = save()
    except DomainError as error:
        db.session.rollback()
        attach_domain_error(form, error)
        return _render_form(form, edited)
    db.session.commit()
    if form.wants_submission:
        return _submit_after_save(learning_session, form)
    flash(saved, "success")
    if edited is not None:  # only an edit can change runs already on the board
        _flash_new_schedule_conflicts(learning_session)
    return _detail(learning_session)


def _flash_new_schedule_conflicts(learning_session: LearningSession) -> None:
    """After an edit of a scheduled session, say which rules its runs now break."""
    if not any(run.is_live for run in learning_session.runs):
        return
    board = schedule_services.load_board(
        db.session, learning_session.edition, settings_from(current_app.config)
    )
    broken = [
        problem.message
        for run in learning_session.runs
        for problem in board.problems.get(run.id, [])
        if problem.is_hard
    ]
    if broken:
        flash(
            "Its runs now break scheduling rules; fix them on the schedule board: "
            + " ".join(broken[:3]),
            "error",
        )


@bp.get("/proposals/<int:session_id>")
@login_required
def detail(session_id: int):
    """A proposal with its history and the actions the viewer may take."""
    learning_session = _viewable_proposal_or_404(session_id)
    interest = None
    if permissions.can_see_interest_count(current_user, learning_session):
        interest = services.interest_counts(db.session, [learning_session.id]).get(
            learning_session.id, 0
        )
    return render_template(
        "proposals/detail.html",
        learning_session=learning_session,
        permissions=permissions,
        interest=interest,
        decision_form=DecisionForm(),
        comment_form=CommentForm(),
        co_teacher_form=CoTeacherForm(),
        action_form=EmptyForm(),
        actions=services.available_actions(current_user, learning_session, utcnow()),
    )


def _viewable_proposal_or_404(session_id: int) -> LearningSession:
    learning_session = _proposal_or_404(session_id)
    if not permissions.can_view_proposal(current_user, learning_session):
        abort(403)
    return learning_session


def _act(
    session_id: int,
    form_class: type[FlaskForm],
    service: Callable[..., object],
    success: str,
    arguments: Callable[[Any], dict[str, object]] = lambda form: {},
):
    """Validate a small action form, call one service as the current user, commit, and go
    back to the page; `arguments` reads the service's other arguments from the form."""
    learning_session = _viewable_proposal_or_404(session_id)
    form = form_class()
    perform(
        form,
        lambda: service(
            db.session, learning_session, actor=current_user, now=utcnow(), **arguments(form)
        ),
        success,
        problems_go_to="flash",
    )
    return _detail(learning_session)


def _comment(form: CommentForm | DecisionForm) -> dict[str, object]:
    return {"comment": form.comment.data or ""}


@bp.post("/proposals/<int:session_id>/submit")
@writes
@login_required
def submit(session_id: int):
    """Send the proposal to the organizers."""
    learning_session = _viewable_proposal_or_404(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    form = ProposalForm.for_proposal(
        services.proposal_data_from(learning_session), **_form_context(learning_session)
    )
    return _submit_after_save(learning_session, form)


@bp.post("/proposals/<int:session_id>/withdraw")
@writes
@login_required
def withdraw(session_id: int):
    """A teacher takes the proposal back."""
    return _act(
        session_id, CommentForm, services.withdraw_proposal, "The proposal is withdrawn.", _comment
    )


@bp.post("/proposals/<int:session_id>/decide")
@writes
@organizer_required
def decide(session_id: int):
    """Accept, reject or ask for changes, with a comment to the teachers."""
    return _act(
        session_id,
        DecisionForm,
        services.decide_proposal,
        "Your decision is recorded and the teachers are told.",
        lambda form: {"decision": ProposalStatus(form.decision.data), **_comment(form)},
    )


@bp.post("/proposals/<int:session_id>/cancel")
@writes
@organizer_required
def cancel(session_id: int):
    """Cancel an accepted session."""
    return _act(
        session_id,
        CommentForm,
        services.cancel_session,
        "The session is cancelled and the teachers are told.",
        _comment,
    )


@bp.post("/proposals/<int:session_id>/co-teachers")
@writes
@login_required
def add_co_teacher(session_id: int):
    """Add a co-teacher by email."""
    return _act(
        session_id,
        CoTeacherForm,
        services.add_co_teacher,
        "The co-teacher is added.",
        lambda form: {"email": form.email.data},
    )


@bp.post("/proposals/<int:session_id>/co-teachers/<int:user_id>/remove")
@writes
@login_required
def remove_co_teacher(session_id: int, user_id: int):
    """Remove a co-teacher."""
    co_teacher = db.get_or_404(User, user_id)
    return _act(
        session_id,
        EmptyForm,
        services.remove_co_teacher,
        f"{co_teacher.display_name} is no longer a co-teacher.",
        lambda form: {"co_teacher": co_teacher},
    )


@bp.get("/proposals")
@login_required
def mine():
    """The proposals I lead or co-teach, with the organizers' latest comment."""
    proposals = db.session.scalars(services.proposals_of(current_user)).unique().all()
    comments = services.latest_organizer_comments(db.session, [p.id for p in proposals])
    return render_template("proposals/mine.html", proposals=proposals, comments=comments)


def _enum_arg(enum_class, name: str):
    try:
        return enum_class(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/organize/editions/<int:edition_id>/proposals")
@organizer_required
def review(edition_id: int):
    """All proposals of an edition, filterable, with counts per state."""
    edition = db.get_or_404(Edition, edition_id)
    status = _enum_arg(ProposalStatus, "status")
    session_format = _enum_arg(SessionFormat, "format")
    topic_id = id_argument(request.args.get("topic"))
    pagination = db.paginate(
        services.review_queue(
            edition, status=status, topic_id=topic_id, session_format=session_format
        ),
        page=page_number(request.args.get("page")),
        per_page=REVIEW_PER_PAGE,
        error_out=False,
    )
    proposals = pagination.items
    return render_template(
        "proposals/review.html",
        edition=edition,
        pagination=pagination,
        proposals=proposals,
        counts=services.status_counts(
            db.session, edition, topic_id=topic_id, session_format=session_format
        ),
        interest=services.interest_counts(db.session, [p.id for p in proposals]),
        topics=_all_topics(),
        filters={"status": status, "format": session_format, "topic": topic_id},
        page_args={
            "edition_id": edition.id,
            **{
                key: request.args[key]
                for key in ("status", "format", "topic")
                if key in request.args
            },
        },
        formats=list(SessionFormat),
    )


@bp.get("/editions/<slug>/coming-up")
@login_required
def coming_up(slug: str):
    """Accepted sessions before the programme is out; star the ones you would attend."""
    edition = visible_edition_or_404(slug)
    only_starred = request.args.get("starred") == "1"
    topic_id = id_argument(request.args.get("topic"))
    sessions = (
        db.session.scalars(
            services.coming_up(
                edition, starred_by=current_user if only_starred else None, topic_id=topic_id
            )
        )
        .unique()
        .all()
    )
    ids = [learning_session.id for learning_session in sessions]
    return render_template(
        "proposals/coming_up.html",
        edition=edition,
        sessions=sessions,
        starred=services.starred_session_ids(db.session, current_user, ids),
        interest=services.interest_counts(db.session, ids),
        permissions=permissions,
        topics=_all_topics(),
        only_starred=only_starred,
        topic_id=topic_id,
        action_form=EmptyForm(),
    )


@bp.post("/sessions/<int:session_id>/interest")
@writes
@login_required
def toggle_interest(session_id: int):
    """Star (interested=1) or unstar (interested=0) a session; repeating changes nothing."""
    learning_session = db.get_or_404(LearningSession, session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    interested = request.form.get("interested") == "1"
    try:
        services.set_interest(db.session, learning_session, current_user, interested=interested)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
    target = request.form.get("next", "")
    if not is_safe_redirect_target(target):
        target = url_for("proposals.coming_up", slug=learning_session.edition.slug)
    return redirect(target)
