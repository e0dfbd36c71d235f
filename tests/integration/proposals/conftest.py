"""Fixtures shared by the proposal tests."""

from datetime import UTC, date, datetime

import pytest

from tests.factories import make_edition

OPEN_NOW = {
    "proposals_open_at": datetime(2020, 1, 1, tzinfo=UTC),
    "proposals_close_at": datetime(2099, 1, 1, tzinfo=UTC),
}


@pytest.fixture
def edition(app):
    """The "spring" edition, taking proposals now, in the week of Monday 8 March 2027."""
    return make_edition(slug="spring", first_day=date(2027, 3, 8), **OPEN_NOW)
