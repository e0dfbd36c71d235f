"""`flask db upgrade` on an empty database gives exactly the models, and downgrades cleanly."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from learningweek.extensions import db
from tests.conftest import make_test_config, temporary_postgres_database


@contextmanager
def empty_database(server_url, tmp_path) -> Iterator[str]:
    if server_url is None:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    with temporary_postgres_database(server_url, label="migrations_") as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture
def migrated_app(server_url, tmp_path):
    from learningweek import create_app

    with empty_database(server_url, tmp_path) as url:
        app = create_app(make_test_config(url))
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_creates_exactly_the_models(migrated_app):
    assert _differences() == []


def test_upgrade_creates_every_table(migrated_app):
    tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}

    assert tables == set(db.metadata.tables)


def test_downgrade_to_base_removes_everything(migrated_app):
    downgrade(revision="base")

    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}


def _quoted_values(sql: str) -> set[str]:
    return set(re.findall(r"'([^']*)'", sql))


def test_enum_check_constraints_allow_exactly_the_enum_values(migrated_app):
    # Autogenerate does not compare CHECK constraints, so a new enum value without a
    # migration would pass the drift test and fail on the first insert.
    inspector = sa.inspect(db.engine)
    checked = 0
    for table in db.metadata.sorted_tables:
        reflected = {
            check["name"]: check["sqltext"] for check in inspector.get_check_constraints(table.name)
        }
        for column in table.columns:
            if not isinstance(column.type, sa.Enum):
                continue
            name = f"ck_{table.name}_{column.type.name}"
            assert name in reflected, name
            assert _quoted_values(reflected[name]) == set(column.type.enums), name
            checked += 1

    assert checked >= 8


def test_downgrade_to_base_works_with_data_in_new_enum_values(migrated_app):
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (email, display_name, department, password_hash, is_organizer,"
                " is_active, login_generation, wants_reminder_mail, wants_feedback_mail,"
                " created_at, updated_at) VALUES ('a@example.com', 'A', '', 'x', false, true,"
                " 0, true, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO notifications (recipient_id, kind, subject, body, html_body, "
                "state, attempts, next_attempt_at, created_at) "
                "SELECT id, kind, 'Moved', 'It moved', '', 'pending', 0, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP FROM users, (SELECT 'run_moved' AS kind UNION SELECT "
                "'seat_offered' UNION SELECT 'waitlisted') AS kinds"
            )
        )

    downgrade(revision="base")

    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}


# Rows of the last release's schema (revision bc5635e527ca) that later migrations
# rebuild tables under: sessions refer to the edition, runs to the room and session.
RELEASED_ROWS = [
    "INSERT INTO users (id, email, display_name, department, password_hash, is_organizer,"
    " is_active, login_generation, created_at) VALUES (1, 'a@example.com', 'A', '', 'x',"
    " false, true, 0, '2026-01-01 00:00:00')",
    "INSERT INTO editions (id, slug, name, description, time_zone, first_day, last_day,"
    " day_starts_at, day_ends_at, slot_minutes, proposals_open_at, proposals_close_at,"
    " signup_opens_at, signup_closes_at, feedback_days, is_published, created_at, updated_at)"
    " VALUES (1, 'e', 'E', '', 'Europe/Stockholm', '2027-03-08', '2027-03-12', '09:00:00',"
    " '17:00:00', 30, '2027-01-01 00:00:00', '2027-02-01 00:00:00', '2027-02-02 00:00:00',"
    " '2027-03-01 00:00:00', 14, true, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    "INSERT INTO rooms (id, name, kind, capacity, location, equipment, is_active, created_at)"
    " VALUES (1, 'R', 'physical', 10, '', '[]', true, '2026-01-01 00:00:00')",
    "INSERT INTO topics (id, name, slug, colour) VALUES (1, 'T', 't', '#000000')",
    "INSERT INTO learning_sessions (id, edition_id, lead_id, title, abstract, format,"
    " duration_minutes, max_participants, runs_offered, level, language, prerequisites,"
    " equipment, unavailable_half_days, status, created_at, updated_at) VALUES (1, 1, 1, 'S',"
    " '', 'in_person', 60, 10, 1, 'introductory', 'English', '', '[]', '[]', 'accepted',"
    " '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    "INSERT INTO session_topics (session_id, topic_id) VALUES (1, 1)",
    "INSERT INTO interests (session_id, user_id, created_at) VALUES (1, 1, '2026-01-01 00:00:00')",
    "INSERT INTO runs (id, session_id, starts_at, room_id, is_pinned, sequence, changed_at,"
    " created_at) VALUES (1, 1, '2027-03-08 08:00:00', 1, false, 0, '2026-01-01 00:00:00',"
    " '2026-01-01 00:00:00')",
]


def _upgrade_released_rows(server_url, tmp_path, *queries: str) -> list[list[tuple]]:
    """Upgrade a database holding RELEASED_ROWS from an early revision to the head;
    the rows each query then returns."""
    from learningweek import create_app

    with empty_database(server_url, tmp_path) as url:
        app = create_app(make_test_config(url))
        with app.app_context():
            upgrade(revision="bc5635e527ca")
            with db.engine.begin() as connection:
                for statement in RELEASED_ROWS:
                    connection.exec_driver_sql(statement)

            upgrade()

            with db.engine.connect() as connection:
                found = [
                    [tuple(row) for row in connection.exec_driver_sql(query)] for query in queries
                ]
            db.engine.dispose()
    return found


def test_upgrading_a_database_with_data_keeps_every_row(server_url, tmp_path):
    tables = ("users", "editions", "learning_sessions", "runs", "interests")
    *counts, modes = _upgrade_released_rows(
        server_url,
        tmp_path,
        *(f"SELECT count(*) FROM {table}" for table in tables),
        "SELECT promotion_mode FROM editions",
    )

    assert counts == [[(1,)]] * len(tables)
    assert modes == [("automatic",)]


def test_upgrading_gives_every_edition_a_feed_version(server_url, tmp_path):
    # Raising a version must only ever update its row: inserting it at the end of a
    # commit takes a KEY SHARE lock on the edition, which deadlocks with a board
    # change that holds the edition FOR UPDATE (PostgreSQL).
    (rows,) = _upgrade_released_rows(
        server_url, tmp_path, "SELECT edition_id, version FROM feed_versions"
    )

    assert rows == [(1, 0)]
