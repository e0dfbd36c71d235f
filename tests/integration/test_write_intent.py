"""Every view that takes a form says whether it writes; only writers take the write lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from learningweek.extensions import db
from learningweek.web.actions import write_intent
from tests.conftest import log_in
from tests.factories import DEFAULT_PASSWORD, make_user

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def test_every_view_that_takes_a_form_declares_whether_it_writes(app):
    undeclared = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.methods & UNSAFE_METHODS and write_intent(app.view_functions[rule.endpoint]) is None
    )

    assert undeclared == []


def test_logging_in_and_out_only_read(app):
    assert write_intent(app.view_functions["accounts.login"]) is False
    assert write_intent(app.view_functions["accounts.logout"]) is False
    assert write_intent(app.view_functions["accounts.profile"]) is True


@contextmanager
def _begins(app) -> Iterator[list[str]]:
    begins: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.upper().startswith("BEGIN"):
            begins.append(statement.upper())

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield begins
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_a_login_hashes_the_password_without_holding_the_write_lock(app, client):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite has a database-wide write lock")
    make_user(email="mei@example.com")

    with _begins(app) as begins:
        response = client.post(
            "/login", data={"email": "mei@example.com", "password": DEFAULT_PASSWORD}
        )

    assert response.status_code == 302
    assert "BEGIN IMMEDIATE" not in begins
    assert begins != []


def test_a_writing_view_is_one_writer_from_its_first_read(app, client):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite has a database-wide write lock")
    make_user(email="mei@example.com")
    log_in(client, "mei@example.com")

    with _begins(app) as begins:
        client.post(
            "/account",
            data={"display_name": "Mei", "department": "Tools", "email": "mei@example.com"},
        )

    assert begins[0] == "BEGIN IMMEDIATE"
