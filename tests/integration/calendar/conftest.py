"""The published edition most calendar tests start from."""

import pytest

from tests.integration.signups.helpers import published_edition


@pytest.fixture
def edition(app):
    return published_edition()
