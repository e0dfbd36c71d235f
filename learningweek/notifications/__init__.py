"""Notifications: messages queued for people, listed until mail delivers them."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from learningweek.notifications import views  # noqa: E402,F401  (registers the routes)
