"""Accounts: registration, login, profile and the people page for organizers."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("accounts", __name__)
