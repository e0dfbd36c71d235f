"""Proposals: teachers propose sessions, organizers review them, colleagues mark interest."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("proposals", __name__)
