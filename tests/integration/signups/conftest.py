"""Fixtures the sign-up tests share."""

import pytest

from tests.factories import make_organizer
from tests.integration.signups.helpers import published_edition

# Fixtures are found by name: importing this one makes it every sign-up test's.
from tests.integration.signups.interleaving import on_postgres  # noqa: F401


@pytest.fixture
def edition(app):
    return published_edition()


@pytest.fixture
def organizer(app):
    return make_organizer(email="boss@example.com")
