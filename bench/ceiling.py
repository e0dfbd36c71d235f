"""The ceiling for `bench/run`: a bare Flask app with one constant short response.

Served by the same gunicorn settings as the real app, it measures what the framework,
the server and the load tool cost by themselves; every page is reported as a share
of it, since absolute figures drift between machines.

Two more routes show what no view can go below, for reading the feeds' figures:
`/one-query` runs one primary-key SELECT through Flask-SQLAlchemy on the app's
database (what any response validated against the database pays at least), and
`/bytes/<n>` returns n constant bytes (what sending a feed of that size costs).
"""

import os
from functools import cache

import sqlalchemy as sa
from flask import Flask, Response
from flask_sqlalchemy import SQLAlchemy

from config import normalise_database_url
from learningweek.core.database import ping_when_idle, read_without_transaction

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
    os.environ.get("DATABASE_URL", "sqlite://")
)
db = SQLAlchemy(app)
with app.app_context():
    ping_when_idle(db.engine, 10)  # as the app's engine is set up

ONE_ROW = sa.text("SELECT id FROM editions WHERE id = :id")


@app.get("/")
def constant():
    """A constant short response."""
    return "ok"


@app.get("/one-query")
def one_query():
    """One indexed lookup, read as the feeds read, then a constant short response."""
    read_without_transaction(db.session)
    db.session.execute(ONE_ROW, {"id": 1}).first()
    return "ok"


@app.get("/bytes/<int:size>")
def constant_bytes(size: int):
    """A constant body of `size` bytes, built once per size."""
    return Response(_body(size), mimetype="text/calendar")


@cache
def _body(size: int) -> bytes:
    return b"x" * size
