"""Fixtures: the app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL).

The schema is created once per run and every table is emptied after each test.
With TEST_DATABASE_URL pointing at a PostgreSQL server, the run creates its own
uniquely named database there (prefix from LEARNINGWEEK_TEST_DB_PREFIX, default
`lwtest_`) and drops it at the end.
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
from learningweek import create_app, models  # noqa: F401  (every table, for create_all)
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


@pytest.fixture(scope="session")
def database_url(postgres_url: str | None, tmp_path_factory) -> str:
    """The run's database: its own PostgreSQL database, or a SQLite file with the schema.

    A file rather than `sqlite://`: requests and the test must hold separate
    connections, as they would in production.
    """
    if postgres_url:
        return postgres_url
    path = tmp_path_factory.mktemp("db") / "test.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    db.metadata.create_all(engine)
    engine.dispose()
    return f"sqlite:///{path}"


def make_test_config(database_url: str, **overrides) -> TestingConfig:
    """Testing config for a database, with settings overridden by keyword."""
    config = TestingConfig(environ={"TEST_DATABASE_URL": database_url})
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def empty_all_tables() -> None:
    # DELETE beats TRUNCATE on PostgreSQL for tables this small.
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


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


def _build_app(database_url: str, **overrides) -> Flask:
    app = create_app(make_test_config(database_url, **overrides))
    app.test_client_class = IsolatedClient
    return app


@contextmanager
def _clean_after(app: Flask) -> Iterator[Flask]:
    """Run a test in the app's context; afterwards empty the tables and undo config changes."""
    saved_config = dict(app.config)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            empty_all_tables()
            db.session.remove()
    app.config.clear()
    app.config.update(saved_config)


@pytest.fixture(scope="session")
def _shared_app(database_url: str) -> Iterator[Flask]:
    # Building an app costs ~30 ms (Werkzeug compiles every URL rule), so tests share one.
    app = _build_app(database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def _shared_csrf_app(database_url: str) -> Iterator[Flask]:
    app = _build_app(database_url, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_shared_app: Flask) -> Iterator[Flask]:
    """The app, inside an application context, on empty tables."""
    with _clean_after(_shared_app) as app:
        yield app


@pytest.fixture
def fresh_app(database_url: str) -> Iterator[Flask]:
    """An app of the test's own, for tests that add routes or otherwise change the app."""
    app = _build_app(database_url)
    with _clean_after(app):
        yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def csrf_app(_shared_csrf_app: Flask) -> Iterator[Flask]:
    """Like `app`, with CSRF protection on as in production."""
    with _clean_after(_shared_csrf_app) as app:
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
