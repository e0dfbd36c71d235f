"""Feedback after a run, private reflection, results for teachers and reports."""

from flask import Blueprint

# Routes are attached when create_app imports the views module.
bp = Blueprint("feedback", __name__)
