"""Account pages: register, log in and out, profile, password, and people for organizers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME

from learningweek.accounts import bp, services
from learningweek.accounts.forms import AccountForm, LoginForm, PasswordForm, RegistrationForm
from learningweek.accounts.models import User
from learningweek.accounts.permissions import is_safe_redirect_target, organizer_required
from learningweek.core.database import utcnow
from learningweek.core.errors import DomainError
from learningweek.extensions import db
from learningweek.schedule.consequences import holdings_of
from learningweek.web.actions import perform, reads, writes
from learningweek.web.forms import EmptyForm, attach_domain_error, render_form_page
from learningweek.web.routing import page_number


def _home():
    return redirect(url_for("editions.index"))


def _has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies


@bp.route("/register", methods=["GET", "POST"])
@writes
def register():
    """Create an account and log in."""
    if not current_app.config["LEARNINGWEEK_ALLOW_REGISTRATION"]:
        abort(404)
    if current_user.is_authenticated:
        return _home()
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                db.session, form.profile_data(), password=form.password.data
            )
        except DomainError as error:
            db.session.rollback()
            attach_domain_error(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(f"Welcome, {user.display_name}! Your account is ready.", "success")
            return _home()
    return render_form_page("accounts/register.html", form)


@bp.route("/login", methods=["GET", "POST"])
@reads
def login():
    """Log in; go on to `next` only when it is a path on this site."""
    if current_user.is_authenticated:
        return _home()
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, form.email.data, form.password.data)
        except DomainError as error:
            flash(str(error), "error")
        else:
            login_user(user, remember=form.remember.data)
            target = form.next.data
            return redirect(
                target if is_safe_redirect_target(target) else url_for("editions.index")
            )
        return render_template("accounts/login.html", form=form), 401
    return render_form_page("accounts/login.html", form)


@bp.post("/logout")
@reads
def logout():
    """Log out (a POST, so no other site can log people out with a link)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
@writes
@login_required
def profile():
    """Edit one's name, department and email."""
    form = AccountForm(obj=current_user)
    if perform(
        form,
        lambda: services.update_profile(db.session, current_user, form.profile_data()),
        "Your profile is saved.",
        problems_go_to="form",
    ):
        return redirect(url_for("accounts.profile"))
    return render_form_page(
        "accounts/profile.html", form, password_form=PasswordForm(formdata=None)
    )


@bp.route("/account/password", methods=["GET", "POST"])
@writes
@login_required
def change_password():
    """Change one's password; other devices are logged out."""
    form = PasswordForm()
    if perform(
        form,
        lambda: services.change_password(
            current_user,
            current_password=form.current_password.data,
            new_password=form.new_password.data,
        ),
        "Your password is changed. Other devices have been logged out.",
        problems_go_to="form",
    ):
        # The login id changed with the password; renew this device's login.
        login_user(current_user, remember=_has_remember_cookie())
        return redirect(url_for("accounts.profile"))
    return render_form_page("accounts/password.html", form)


@bp.get("/organize/people")
@organizer_required
def people():
    """Find people; grant or revoke the organizer role; deactivate accounts."""
    search = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    pagination = db.paginate(
        services.search_people(search, role=role),
        page=page_number(request.args.get("page")),
        per_page=current_app.config["LEARNINGWEEK_PEOPLE_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "accounts/people.html",
        pagination=pagination,
        search=search,
        role=role,
        action_form=EmptyForm(),
    )


@bp.get("/organize/people/<int:user_id>/deactivate")
@organizer_required
def confirm_deactivate(user_id: int):
    """Before an account is deactivated: the seats, waitlist places and teaching it holds."""
    user = db.get_or_404(User, user_id)
    back = {key: request.args[key] for key in ("q", "role", "page") if request.args.get(key)}
    return render_template(
        "accounts/deactivate.html",
        person=user,
        holdings=holdings_of(db.session, user, now=utcnow()),
        back=back,
    )


def _person_change(set_flag: Callable[..., None], value: bool, success: str):
    """A people-page button's view: set one of the person's flags, say so, and go back
    to the page as it was."""

    @writes
    @organizer_required
    def change(user_id: int):
        """Change the person as the button says."""
        user = db.get_or_404(User, user_id)
        perform(
            EmptyForm(),
            lambda: set_flag(db.session, user, value, actor=current_user, now=utcnow()),
            success.format(name=user.display_name),
        )
        back: dict[str, Any] = {
            key: request.form[key] for key in ("q", "role", "page") if request.form.get(key)
        }
        return redirect(url_for("accounts.people", **back))

    return change


# The people page's buttons: address under the person's, endpoint, which of their
# flags it sets and to what, and what the organizer is told.
for path, endpoint, set_flag, value, success in (
    ("organizer", "grant_organizer", services.set_organizer, True, "{name} is now an organizer."),
    (
        "employee",
        "revoke_organizer",
        services.set_organizer,
        False,
        "{name} is no longer an organizer.",
    ),
    (
        "deactivate",
        "deactivate",
        services.set_active,
        False,
        "{name} is deactivated and can no longer log in; their seats and waitlist places "
        "went to the next people waiting, and everyone is told. Runs they teach stay: "
        "move or cancel them on the schedule board.",
    ),
    ("reactivate", "reactivate", services.set_active, True, "{name} can log in again."),
):
    bp.add_url_rule(
        f"/organize/people/<int:user_id>/{path}",
        endpoint,
        _person_change(set_flag, value, success),
        methods=["POST"],
    )
