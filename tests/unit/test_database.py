"""UTC datetimes survive a round trip on every database."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

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
        make_edition(proposals_open_at=datetime(2027, 1, 4, 10, 0))
    db.session.rollback()
