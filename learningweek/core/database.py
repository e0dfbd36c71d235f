"""The declarative base, column types and engine setup shared by every feature."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, registry, scoped_session

# What services are handed: a plain Session (commands, tests) or Flask-SQLAlchemy's
# request-scoped proxy of one (views), which forwards every call.
DbSession: TypeAlias = Session | scoped_session[Any]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    PostgreSQL keeps the offset (timestamptz); SQLite drops it, so values are
    converted to UTC on the way in and marked UTC on the way out. Naive values are
    refused: they are the bug this type exists to prevent.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given where UTC is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Typed declarative base with named constraints, so migrations can refer to them."""

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class minutes_after(sa.sql.functions.FunctionElement[datetime]):  # noqa: N801 (a SQL function)
    """`instant + minutes` in SQL, comparable with the stored UTC instants on both databases.

    PostgreSQL adds an interval to the timestamptz; SQLite, which stores the naive UTC
    text `YYYY-MM-DD HH:MM:SS.ffffff`, gets the same text back (to the millisecond).
    """

    type = UTCDateTime()
    inherit_cache = True
    name = "minutes_after"


@compiles(minutes_after)
def _minutes_after_postgresql(element: minutes_after, compiler: Any, **kw: Any) -> str:
    instant, minutes = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({instant} + make_interval(mins => {minutes}))"


@compiles(minutes_after, "sqlite")
def _minutes_after_sqlite(element: minutes_after, compiler: Any, **kw: Any) -> str:
    instant, minutes = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(strftime('%Y-%m-%d %H:%M:%f', {instant}, ({minutes}) || ' minutes') || '000')"


def enum_column(enum_class: type, length: int = 20, *, name: str | None = None) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK of the allowed values.

    `name` names the CHECK constraint; give one when a table has two columns of the
    same enum, since PostgreSQL needs constraint names unique per table.
    """
    return sa.Enum(
        enum_class,
        name=name or enum_class.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """Give SQLite the guarantees PostgreSQL gives for free.

    Foreign keys are off by default in SQLite. pysqlite also opens transactions only
    at the first write, so reads that decide a write would run outside it; taking
    over BEGIN (see `_begin_sqlite`) makes every transaction start at its first
    statement. WAL lets readers proceed while one writer works, and the busy timeout
    makes a second writer wait instead of failing at once.
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Execution option that makes a SQLite transaction start with BEGIN IMMEDIATE.
SQLITE_IMMEDIATE = "learningweek_sqlite_immediate"


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def ping_when_idle(engine: sa.Engine, idle_seconds: float) -> None:
    """Check that a pooled connection is alive before use, if it sat idle for a while.

    SQLAlchemy's `pool_pre_ping` pings at every checkout: a round trip per request,
    which for a feed answered 304 costs as much as its one query. A connection used a
    moment ago is taken as alive instead; should the server have gone away meanwhile,
    that one request fails and SQLAlchemy drops the pool's other connections with it.
    """

    @event.listens_for(engine, "checkin")
    def _note_checkin(dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < idle_seconds:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and checks out another.
            raise sa.exc.DisconnectionError(str(error)) from error


def read_without_transaction(db_session: DbSession | scoped_session) -> None:
    """Let a view that only reads run each query on its own, outside a transaction.

    On PostgreSQL that saves the BEGIN and ROLLBACK round trips around a request whose
    queries need not share a snapshot (READ COMMITTED gives each statement its own
    anyway). Anything written after this would commit statement by statement, so only
    views that never write may call it. SQLite's BEGIN costs no round trip: no change.
    """
    session = db_session() if isinstance(db_session, scoped_session) else db_session
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def begin_write_transaction(db_session: DbSession | scoped_session) -> None:
    """Start the session's transaction as a writer, before it reads what it will decide on.

    On SQLite a deferred transaction that reads and then writes fails with "database
    is locked" if another writer committed in between; BEGIN IMMEDIATE queues it
    behind that writer instead (up to the busy timeout). PostgreSQL needs nothing
    here: services lock the rows they decide on. Has no effect once the session's
    transaction has begun.
    """
    session = db_session() if isinstance(db_session, scoped_session) else db_session
    if not session.in_transaction():
        session.connection(execution_options={SQLITE_IMMEDIATE: True})


def is_unique_violation(error: sa.exc.IntegrityError) -> bool:
    """Whether an IntegrityError came from a unique constraint, on SQLite or PostgreSQL."""
    original = error.orig
    return getattr(original, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(
        original
    )


@contextmanager
def unique_or_raise(db_session: DbSession, error: Exception) -> Iterator[None]:
    """Run the block in a savepoint; a unique violation there becomes `error`.

    The friendly duplicate checks run first; this catches the concurrent writer who
    slipped in between check and insert, which only the database can see.
    """
    try:
        with db_session.begin_nested():
            yield
            db_session.flush()
    except sa.exc.IntegrityError as integrity_error:
        if not is_unique_violation(integrity_error):
            raise
        raise error from None
