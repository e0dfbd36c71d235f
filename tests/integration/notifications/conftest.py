"""The real SMTP server of test_mail.py, for every mail test in this folder."""

from tests.integration.notifications.test_mail import inbox  # noqa: F401  (the fixture)
