"""Sign-up forms: most actions are buttons; organizers also set a run's seats."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import InputRequired, Optional

from learningweek.schedule.models import SEAT_LIMIT_MAX
from learningweek.web.forms import WholeNumberField


class SwitchForm(FlaskForm):
    """Move my sign-up to another run of the same session."""

    run_id = HiddenField(validators=[InputRequired(message="Choose a run.")])


class SeatLimitForm(FlaskForm):
    """An organizer's cap on one run's seats; empty lifts it."""

    seat_limit = WholeNumberField(
        "Seat limit for this run",
        validators=[Optional()],
        render_kw={"min": 1, "max": SEAT_LIMIT_MAX},
        description="Leave empty to seat as many as the room and the teachers' maximum allow.",
    )
    force = BooleanField(
        "Cut seats anyway: the latest sign-ups go back to the head of the waitlist"
    )


class CheckInForm(FlaskForm):
    """Attendance marks; one `mark-<sign-up id>` field per attendee comes with the post."""
