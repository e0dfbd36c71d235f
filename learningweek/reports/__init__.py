"""The organizers' report on an edition: participation, learning hours, fill, demand
and feedback."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("reports", __name__)
