"""Feedback after a run: attendees' answers, and anonymous results for its teachers."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("feedback", __name__)
