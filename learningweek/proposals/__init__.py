"""Proposals: teachers propose sessions, organizers review them, colleagues mark interest."""

from flask import Blueprint

bp = Blueprint("proposals", __name__)

from learningweek.proposals import views  # noqa: E402,F401  (registers the routes)
