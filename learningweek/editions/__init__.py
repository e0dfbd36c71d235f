"""Editions: the Learning Weeks themselves, with their rooms and topics."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("editions", __name__)
