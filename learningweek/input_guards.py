"""Refuse input no form could mean, before it reaches a database that would choke on it."""

from __future__ import annotations

from flask import Flask, abort, request

NUL_MESSAGE = (
    "The request contains a NUL character, which no field accepts. Remove it and try again."
)


def _refuse_nul_characters() -> None:
    # PostgreSQL cannot store NUL in text columns; SQLite can. Refusing it here keeps
    # the two databases alike and turns a would-be 500 into a clear 400.
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400, description=NUL_MESSAGE)


def register_input_guards(app: Flask) -> None:
    """Check every request's query string and form before any view runs."""
    app.before_request(_refuse_nul_characters)
