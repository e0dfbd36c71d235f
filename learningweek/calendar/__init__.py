"""Calendar feeds: per session, per edition, per topic, and a personal one at a secret URL."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("calendar", __name__)

# Feed versions follow every commit from here on, in the app, its commands and tests.
from learningweek.calendar import changes  # noqa: E402, F401
