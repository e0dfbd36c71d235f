"""Absolute links to the app's pages, built from its routes for feeds, invitations and mail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, has_request_context, url_for


def session_url(session_id: int) -> str:
    """A session's page, where feeds, invitations and mail about it point."""
    return url_for("signups.session_page", session_id=session_id, _external=True)


def agenda_url() -> str:
    """The person's agenda, where they keep or release seats; from a request or not."""
    if has_request_context():
        return url_for("signups.agenda", _external=True)
    with at_base_url():
        return url_for("signups.agenda", _external=True)


@contextmanager
def at_base_url() -> Iterator[None]:
    """Build links inside as if the app were asked at LEARNINGWEEK_BASE_URL.

    Outside a request (the mail worker) nothing else says at which host and path
    prefix people reach the app; inside, `url_for` then works as in any view.
    """
    with current_app.test_request_context(base_url=current_app.config["LEARNINGWEEK_BASE_URL"]):
        yield
