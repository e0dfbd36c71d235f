"""Notifications: messages queued for people, listed until mail delivers them."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("notifications", __name__)
