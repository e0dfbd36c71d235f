"""Calendar feeds: per session, per edition, per topic, and a personal one at a secret URL."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("calendar", __name__)
