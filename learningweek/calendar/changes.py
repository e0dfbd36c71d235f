"""Raise an edition's feed version whenever something its feeds show changes.

Every ORM flush is looked at once: the editions whose runs, sessions or own row
changed are noted in the session, and rooms, topics and teachers' names, which
editions share, note all of them. At commit the noted versions go up by one in a
single statement, the transaction's last. A rollback forgets them.

Changes made with Core statements (bulk `UPDATE`s, migrations, the large demo's
inserts) pass unseen; the app's services change these rows through the ORM only.
"""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from typing import cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction, attributes

from learningweek.accounts.models import User
from learningweek.calendar.models import FeedVersion
from learningweek.core.database import utcnow
from learningweek.editions.models import Edition, Room, Topic
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run

# Keys in `Session.info` for what the transaction changed so far.
_EDITIONS = "learningweek_feed_editions"
_SESSIONS = "learningweek_feed_sessions"
_EVERY_EDITION = "learningweek_feed_every_edition"


def _note(db_session: Session, key: str, value: int | None) -> None:
    if value is not None:
        db_session.info.setdefault(key, set()).add(value)


@event.listens_for(Session, "after_flush")
def _note_changes(db_session: Session, flush_context: UOWTransaction) -> None:
    """Note what this flush changed (its history is still there in after_flush)."""
    for obj in chain(db_session.new, db_session.dirty, db_session.deleted):
        if obj in db_session.dirty and not db_session.is_modified(obj):
            continue
        if isinstance(obj, Edition):
            _note(db_session, _EDITIONS, obj.id)
        elif isinstance(obj, LearningSession):
            _note(db_session, _EDITIONS, obj.edition_id)
        elif isinstance(obj, Run):
            _note(db_session, _SESSIONS, obj.session_id)
        elif (
            isinstance(obj, Room | Topic)
            and obj not in db_session.new
            or (
                isinstance(obj, User)
                and obj not in db_session.new
                and attributes.get_history(obj, "display_name").has_changes()
            )
        ):
            db_session.info[_EVERY_EDITION] = True


def _forget(db_session: Session) -> tuple[set[int], set[int], bool]:
    info = db_session.info
    return (
        info.pop(_EDITIONS, set()),
        info.pop(_SESSIONS, set()),
        info.pop(_EVERY_EDITION, False),
    )


def _raise_versions(db_session: Session, edition_ids: sa.Subquery, now: datetime) -> None:
    # A mapped class's table is typed as any FROM clause; this one is a plain Table.
    table = cast(sa.Table, FeedVersion.__table__)
    dialect = db_session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = (
        sa.select(edition_ids.c.id, sa.literal(1), sa.literal(now, type_=table.c.changed_at.type))
        # SQLite reads "ON CONFLICT" after a SELECT without WHERE as a join's ON.
        .where(sa.true())
        # Rows are locked in this order, the same in every writer.
        .order_by(edition_ids.c.id)
    )
    statement = insert(table).from_select(["edition_id", "version", "changed_at"], rows)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.edition_id],
        set_={"version": table.c.version + 1, "changed_at": statement.excluded.changed_at},
    )
    db_session.execute(statement)


@event.listens_for(Session, "before_commit")
def _raise_noted_versions(db_session: Session) -> None:
    if db_session.in_nested_transaction():
        return  # a savepoint: raise once, at the end of the whole transaction
    db_session.flush()  # the commit's own flush would come after this event
    edition_ids, session_ids, every_edition = _forget(db_session)
    if every_edition:
        chosen = sa.select(Edition.id)
    elif edition_ids or session_ids:
        chosen = sa.select(Edition.id).where(
            Edition.id.in_(edition_ids)
            | Edition.id.in_(
                sa.select(LearningSession.edition_id).where(LearningSession.id.in_(session_ids))
            )
        )
    else:
        return
    _raise_versions(db_session, chosen.subquery(), utcnow())


@event.listens_for(Session, "after_transaction_end")
def _forget_on_rollback(db_session: Session, transaction: SessionTransaction) -> None:
    # A savepoint rolled back keeps what was noted: raising a version too often is harmless.
    if transaction.parent is None:
        _forget(db_session)
