"""The past edition that feedback, learning and report tests share."""

from tests.integration.feedback.helpers import past

__all__ = ["past"]
