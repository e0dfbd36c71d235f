"""UTC datetimes survive a round trip on every database; pooled connections are
checked when idle; read-only views skip the transaction round trips."""

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import psycopg
import pytest
import sqlalchemy as sa

from learningweek.core import database
from learningweek.extensions import db
from tests.factories import make_edition


def test_aware_datetimes_come_back_as_the_same_utc_instant(app):
    plus_two = timezone(timedelta(hours=2))
    edition = make_edition(proposals_open_at=datetime(2027, 1, 4, 10, 0, tzinfo=plus_two))
    db.session.expire_all()

    stored = db.session.get(type(edition), edition.id).proposals_open_at

    assert stored == datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(app):
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        # Naive on purpose: this is the value the column refuses.
        make_edition(proposals_open_at=datetime(2027, 1, 4, 10, 0))  # noqa: DTZ001
    db.session.rollback()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pinged(tmp_path, monkeypatch):
    """A pooled engine with ping_when_idle after 10 s, a clock to move, and its pings."""
    clock = Clock()
    monkeypatch.setattr(database.time, "monotonic", clock)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ping.sqlite'}", poolclass=sa.QueuePool)
    pings: list[object] = []
    monkeypatch.setattr(engine.dialect, "do_ping", pings.append)
    database.ping_when_idle(engine, 10)
    yield engine, clock, pings
    engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(pinged):
    engine, clock, pings = pinged
    with engine.connect():
        pass  # new connections are not pinged either
    clock.now += 9

    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))

    assert pings == []


def test_an_idle_connection_is_pinged_before_use(pinged):
    engine, clock, pings = pinged
    with engine.connect():
        pass
    clock.now += 11

    with engine.connect():
        pass

    assert len(pings) == 1


def test_an_idle_connection_that_went_away_is_replaced(pinged, monkeypatch):
    engine, clock, pings = pinged
    with engine.connect() as connection:
        stale = connection.connection.dbapi_connection
    clock.now += 11

    def fail_on_stale(dbapi_connection):
        if dbapi_connection is stale:
            raise sqlite3.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(engine.dialect, "do_ping", fail_on_stale)
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection is not stale
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1


def test_read_without_transaction_sends_no_begin_on_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's BEGIN costs no round trip: the function leaves it alone")
    database.read_without_transaction(db.session)
    db.session.execute(sa.text("SELECT 1"))

    dbapi_connection = db.session.connection().connection.dbapi_connection
    assert dbapi_connection.autocommit
    assert dbapi_connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    db.session.rollback()
