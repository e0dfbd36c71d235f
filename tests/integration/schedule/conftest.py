"""Fixtures for the schedule's integration tests: a spring edition and its organizer."""

from datetime import date

import pytest

from tests.factories import make_edition, make_organizer


@pytest.fixture
def edition(app):
    return make_edition(slug="spring", first_day=date(2027, 3, 8))


@pytest.fixture
def organizer(app):
    return make_organizer(email="boss@example.com")
