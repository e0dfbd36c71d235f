"""Fixtures: an app per test on SQLite (default) or PostgreSQL (TEST_DATABASE_URL).

With TEST_DATABASE_URL pointing at a PostgreSQL server, the run creates its own
uniquely named database there (prefix from LEARNINGWEEK_TEST_DB_PREFIX, default
`lwtest_`), creates the schema once, empties the tables after each test, and drops
the database at the end.
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from config import TestingConfig, normalise_database_url
from learningweek import create_app
from learningweek.extensions import db
from tests.factories import DEFAULT_PASSWORD


def _server_url() -> sa.URL | None:
    raw = os.environ.get("TEST_DATABASE_URL")
    if not raw:
        return None
    url = make_url(normalise_database_url(raw))
    return url if url.get_backend_name() == "postgresql" else None


@contextmanager
def temporary_postgres_database(server_url: sa.URL, label: str = "") -> Iterator[sa.URL]:
    """A fresh PostgreSQL database on `server_url`'s server, dropped afterwards."""
    prefix = os.environ.get("LEARNINGWEEK_TEST_DB_PREFIX", "lwtest_")
    name = f"{prefix}{label}{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield server_url.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def server_url() -> sa.URL | None:
    """The PostgreSQL server to test against, or None for SQLite."""
    return _server_url()


@pytest.fixture(scope="session")
def postgres_url(server_url: sa.URL | None) -> Iterator[str | None]:
    """This run's own PostgreSQL database with the schema, or None on SQLite."""
    if server_url is None:
        yield None
        return
    with temporary_postgres_database(server_url) as url:
        engine = sa.create_engine(url)
        db.metadata.create_all(engine)
        engine.dispose()
        yield url.render_as_string(hide_password=False)


@pytest.fixture
def database_url(postgres_url: str | None, tmp_path) -> str:
    """The database a test uses: the run's PostgreSQL database, or a fresh SQLite file.

    A file rather than `sqlite://`: requests and the test must hold separate
    connections, as they would in production.
    """
    return postgres_url or f"sqlite:///{tmp_path / 'test.sqlite'}"


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    Flask would otherwise reuse the test's app context, sharing `g` (and so the
    logged-in user) and the database session between the test and every request.
    The test's own pending work is committed first, as a browser only sees saved data.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_config(database_url: str, **overrides) -> TestingConfig:
    """Testing config for a database, with settings overridden by keyword."""
    config = TestingConfig(environ={"TEST_DATABASE_URL": database_url})
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def _empty_all_tables() -> None:
    table_names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {table_names} RESTART IDENTITY CASCADE"))
    db.session.commit()


@contextmanager
def running_app(database_url: str, **overrides) -> Iterator[Flask]:
    """An app with an empty schema, cleaned up afterwards."""
    app = create_app(make_test_config(database_url, **overrides))
    app.test_client_class = IsolatedClient
    is_sqlite = database_url.startswith("sqlite")
    with app.app_context():
        if is_sqlite:
            db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            if not is_sqlite:
                _empty_all_tables()
            db.engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The app, inside an application context, on an empty database."""
    with running_app(database_url) as app, app.app_context():
        yield app


@pytest.fixture
def csrf_app(database_url: str) -> Iterator[Flask]:
    """Like `app`, with CSRF protection on as in production."""
    with running_app(database_url, WTF_CSRF_ENABLED=True) as app, app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def log_in(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD, **extra):
    """Post the login form; returns the response."""
    return client.post("/login", data={"email": email, "password": password, **extra})


@pytest.fixture
def count_queries(app: Flask):
    """Count the SQL statements run inside a `with count_queries() as counter:` block."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
                statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)

    return counting
