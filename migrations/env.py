"""Alembic environment: runs inside the Flask app that Flask-Migrate provides."""

import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

from learningweek.core.database import UTCDateTime

config = context.config
# Keep the app's own loggers: Alembic's default would silence every existing one.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    """Write project column types as the plain SQLAlchemy types they store as."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _skip_empty_autogenerate(context, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def _configure_args(connection_or_url) -> dict:
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    args.update(
        target_metadata=target_db.metadata,
        render_item=render_item,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
    )
    return args


def run_migrations_offline() -> None:
    """Emit SQL to stdout without a database connection."""
    url = target_db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, literal_binds=True, **_configure_args(url))
    with context.begin_transaction():
        context.run_migrations()


def _set_sqlite_foreign_keys(connection: sa.Connection, on: bool) -> None:
    # Batch mode rebuilds a SQLite table by dropping it; with foreign keys on, that
    # drop refuses (or cascades to) the rows referring to it. The pragma only takes
    # effect outside a transaction, so it goes to the driver before any BEGIN.
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def run_migrations_online() -> None:
    """Run migrations against the app's database."""
    engine: sa.Engine = target_db.engine
    with engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        if is_sqlite:
            _set_sqlite_foreign_keys(connection, on=False)
        try:
            context.configure(connection=connection, **_configure_args(connection))
            with context.begin_transaction():
                context.run_migrations()
                if is_sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left broken references: {broken[:5]}")
        finally:
            if is_sqlite:
                _set_sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
