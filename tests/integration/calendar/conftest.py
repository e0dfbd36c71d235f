"""The published edition most calendar tests start from."""

import pytest

from tests.integration.signups.helpers import published_edition


@pytest.fixture
def edition(app):
    return published_edition()


# The real SMTP server the mail tests use: invitations are read as they arrive.
from tests.integration.notifications.test_mail import inbox  # noqa: E402, F401
