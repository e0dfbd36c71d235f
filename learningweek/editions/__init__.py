"""Editions: the Learning Weeks themselves, with their rooms and topics."""

from flask import Blueprint

bp = Blueprint("editions", __name__)

from learningweek.editions import views  # noqa: E402,F401  (registers the routes)
