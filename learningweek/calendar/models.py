"""The secret behind each person's calendar feed URL."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from learningweek.core.database import utcnow
from learningweek.extensions import Model


class CalendarToken(Model):
    """A person's feed secret: the URL's token is derived from `nonce` and the app's key.

    Only a hash of the token is stored for lookup, so the database alone reveals no
    working URL; a new nonce (revoking) makes the old URL stop working.
    """

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(sa.String(64))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarToken {self.id} user={self.user_id}>"


class FeedVersion(Model):
    """How often what an edition's feeds show has changed, and when it last did.

    Raised at commit by `learningweek.calendar.changes` whenever a run, session, room,
    topic, teacher's name or the edition itself changed, so a feed's validator is one
    index lookup instead of aggregating everything the feed shows. Every edition has
    its row from the commit that makes it (a migration gave older ones theirs); no
    row still reads as version 0.

    Kept in its own table rather than on `editions`: the raise is a transaction's last
    statement, and no other statement locks these rows, so taking that lock late can
    never close a cycle with the edition and run locks services take in order. That
    holds because the raise only updates rows: inserting one checks the foreign key
    with a KEY SHARE lock on the edition, which waits for a board change holding the
    edition FOR UPDATE while that change waits for the insert (a deadlock).
    """

    __tablename__ = "feed_versions"

    edition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int]
    changed_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<FeedVersion edition={self.edition_id} version={self.version}>"
