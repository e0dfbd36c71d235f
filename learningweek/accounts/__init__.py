"""Accounts: registration, login, profile and the people page for organizers."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from learningweek.accounts import views  # noqa: E402,F401  (registers the routes)
