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
                " is_active, login_generation, created_at) VALUES ('a@example.com', 'A', '', 'x',"
                " false, true, 0, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO notifications (recipient_id, kind, subject, body, created_at) "
                "SELECT id, 'run_moved', 'Moved', 'It moved', CURRENT_TIMESTAMP FROM users"
            )
        )

    downgrade(revision="base")

    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
