"""Two transactions stopped at a chosen statement, to reproduce races and deadlocks."""

import collections
import contextlib
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from learningweek.core.database import begin_write_transaction
from learningweek.extensions import db


@pytest.fixture
def on_postgres(app):
    """Skip the test unless it runs on PostgreSQL."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite write transactions take the database lock before reading (BEGIN "
            "IMMEDIATE), so these interleavings cannot happen there"
        )


def run_interleaved(tasks, pause_before) -> list[object]:
    """Run tasks in threads with sessions of their own; each pauses once, on a shared
    barrier, just before the first statement `pause_before(index, statement)` picks, so
    both hold their first locks when they go on. Returns what each returned or raised."""
    engine = db.engine
    start, meet = threading.Barrier(len(tasks)), threading.Barrier(len(tasks))
    outcomes: list[object] = [None] * len(tasks)
    local = threading.local()

    def hook(conn, cursor, statement, parameters, context, executemany):
        index = getattr(local, "index", None)
        if index is None or getattr(local, "paused", False):
            return
        if pause_before(index, statement):
            local.paused = True
            # A broken barrier means the other one waits on our lock: the case under test.
            with contextlib.suppress(threading.BrokenBarrierError):
                meet.wait(timeout=5)

    def work(index: int) -> None:
        local.index = index
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            begin_write_transaction(session)
            try:
                outcomes[index] = tasks[index](session)
                session.commit()
            except Exception as error:  # noqa: BLE001  (a deadlock is what we look for)
                session.rollback()
                outcomes[index] = error

    sa.event.listen(engine, "before_cursor_execute", hook)
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(tasks))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sa.event.remove(engine, "before_cursor_execute", hook)
    db.session.rollback()
    return outcomes


def locking(table: str, nth: dict[int, int]):
    """Pause task i before its nth[i]-th `SELECT … FROM table … FOR UPDATE`."""
    counts: collections.Counter = collections.Counter()

    def pause(index: int, statement: str) -> bool:
        if f"FROM {table}" in statement and "FOR UPDATE" in statement:
            counts[index] += 1
            return counts[index] == nth.get(index, 0)
        return False

    return pause


def errors(outcomes) -> list[Exception]:
    return [o for o in outcomes if isinstance(o, Exception) and not hasattr(o, "message")]
