"""Request and response hardening that applies to every page."""

from __future__ import annotations

from flask import Flask, Response, abort, request

NUL_MESSAGE = (
    "The request contains a NUL character, which no field accepts. Remove it and try again."
)

# Everything is served from this app: no CDN, no inline scripts. Inline style
# attributes stay allowed for data-driven colours (topic swatches).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def _refuse_nul_characters() -> None:
    # PostgreSQL cannot store NUL in text columns; SQLite can. Refusing it here keeps
    # the two databases alike and turns a would-be 500 into a clear 400.
    if "\x00" in request.path:
        abort(400, description=NUL_MESSAGE)
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400, description=NUL_MESSAGE)


def _add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def register_security(app: Flask) -> None:
    """Check every request's input before any view runs; harden every response."""
    app.before_request(_refuse_nul_characters)
    app.after_request(_add_security_headers)
