"""Schedule: runs on the board, the conflict rules, and publishing the programme."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("schedule", __name__)
