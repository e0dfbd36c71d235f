"""My learning: the sessions I attended, my private reflection notes, and their export."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("learning", __name__)
