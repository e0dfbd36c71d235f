"""Sign-up: the programme, seats and waitlists, personal agendas and rosters."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("signups", __name__)
