"""The HTTP error pages, in the site layout."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from werkzeug.exceptions import HTTPException

from learningweek.core.errors import DomainError
from learningweek.extensions import db

ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    500: "Something went wrong",
}


def _error_page(code: int, title: str, **context):
    try:
        return render_template("errors/error.html", code=code, title=title, **context), code
    except Exception:
        # The error page must answer whatever broke the request (the layout builds URLs
        # from the request's host, and looks up the logged-in person): then plain text.
        current_app.logger.exception("The error page for a %s failed", code)
        return f"{code} {title}\n", code, {"Content-Type": "text/plain; charset=utf-8"}


def _render_http_error(error: HTTPException):
    code = error.code or 500
    return _error_page(code, ERROR_TITLES.get(code, error.name), error=error)


def _render_domain_error(error: DomainError):
    # A DomainError that no view caught is still the user's mistake, not ours.
    db.session.rollback()
    return _error_page(400, "Not possible", message=str(error))


def _render_server_error(error: Exception):
    db.session.rollback()
    return _error_page(500, ERROR_TITLES[500])


def register_error_handlers(app: Flask) -> None:
    """Render HTTP errors in the site layout; roll back before showing a 500."""
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(DomainError, _render_domain_error)
    app.register_error_handler(500, _render_server_error)
