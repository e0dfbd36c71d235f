"""Fixtures for the schedule's integration tests: a spring edition and its organizer."""

from datetime import date

import pytest

from learningweek.schedule import views as schedule_views
from tests.factories import make_edition, make_organizer
from tests.integration.schedule.week import NOW


@pytest.fixture(autouse=True)
def board_clock(monkeypatch):
    """The board's pages read the clock: keep it before the spring week, whatever the year."""
    monkeypatch.setattr(schedule_views, "utcnow", lambda: NOW)
    return NOW


@pytest.fixture
def edition(app):
    return make_edition(slug="spring", first_day=date(2027, 3, 8))


@pytest.fixture
def organizer(app):
    return make_organizer(email="boss@example.com")
