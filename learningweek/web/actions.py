"""One shape for every page that changes something.

Each view that writes declares it (`@writes`), loads what it acts on, and hands
`perform` its form and one service call: the form is validated, the service runs,
the transaction is committed or rolled back, and the person is told the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

from flask import abort, flash
from flask_wtf import FlaskForm

from learningweek.core.errors import DomainError
from learningweek.extensions import db
from learningweek.web.forms import attach_domain_error, form_error_text

T = TypeVar("T")
ViewFunction = TypeVar("ViewFunction", bound=Callable[..., object])

_WRITE_INTENT = "learningweek_writes"

# Where problems go: "abort" answers 400 to a button whose only field is the CSRF
# token (a browser never sends it without one); "flash" tells them at the top of the
# page the view returns to; "form" leaves them on the form for the view to show again.
ProblemsGoTo = Literal["abort", "flash", "form"]


def writes(view: ViewFunction) -> ViewFunction:
    """Declare that the view changes data when it is sent a form (POST)."""
    setattr(view, _WRITE_INTENT, True)
    return view


def reads(view: ViewFunction) -> ViewFunction:
    """Declare that the view takes a POST but writes nothing to the database."""
    setattr(view, _WRITE_INTENT, False)
    return view


def write_intent(view: Callable[..., object] | None) -> bool | None:
    """What a view declared: True (writes), False (reads only), None (nothing)."""
    return getattr(view, _WRITE_INTENT, None)


def perform(
    form: FlaskForm,
    action: Callable[[], T],
    success: str | Callable[[T], str],
    *,
    problems_go_to: ProblemsGoTo = "abort",
) -> bool:
    """Validate `form`, call one service, commit or roll back, and tell the outcome.

    Returns whether the change was committed. `success` is the message, or makes it
    from what the service returned.
    """
    if not form.validate_on_submit():
        if problems_go_to == "abort":
            abort(400)
        if problems_go_to == "flash":
            flash(form_error_text(form), "error")
        return False
    try:
        outcome = action()
    except DomainError as error:
        db.session.rollback()
        if problems_go_to == "form":
            attach_domain_error(form, error)
        else:
            flash(error.full_text, error.flash_category)
        return False
    # Made before the commit, which would expire the rows the text is made from.
    message = success(outcome) if callable(success) else success
    db.session.commit()
    flash(message, "success")
    return True
