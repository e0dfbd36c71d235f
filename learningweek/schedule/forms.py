"""Board forms: place or move a run, and comments for cancelling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from learningweek.editions.models import Room
from learningweek.schedule.conflicts import Grid
from learningweek.web.forms import multi_line


class PlaceForm(FlaskForm):
    """Choose a start on the grid and a room; "place anyway" overrides hard conflicts.

    Only starts still to come are offered. Each choice's value is the start's UTC
    instant, so the two 02:30s of a fall-back day are two choices, labelled with
    their offsets' names.
    """

    starts_at = SelectField("Start", validators=[InputRequired(message="Choose a start.")])
    room_id = SelectField("Room", coerce=int, validators=[InputRequired(message="Choose a room.")])
    force = BooleanField("Place anyway, despite the conflicts listed")
    force_seats = BooleanField(
        "Move anyway: the latest sign-ups go back to the head of the waitlist"
    )
    force_clashes = BooleanField(
        "Move anyway: these people will hold two overlapping seats until they choose one"
    )
    # Set by the confirmation page: the organizer has seen who the move reaches.
    confirmed = HiddenField()

    def __init__(self, *args, grid: Grid, rooms: Sequence[Room], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.grid = grid
        self.starts_at.choices = [
            SelectChoice(start.isoformat(), grid.label(start)) for start in grid.open_slot_starts()
        ]
        self.room_id.choices = [
            SelectChoice(room.id, f"{room.name} ({room.kind.label.lower()}, {room.capacity})")
            for room in rooms
            if room.is_active
        ]

    @property
    def start(self) -> datetime:
        """The chosen start."""
        return datetime.fromisoformat(self.starts_at.data)


class CancelRunForm(FlaskForm):
    """Cancel one run, with an optional note to its teachers and everyone signed up."""

    comment = TextAreaField(
        "Note to the teachers and everyone signed up",
        validators=[Optional(), Length(max=2000)],
        filters=[multi_line],
        render_kw={"rows": 2},
    )
