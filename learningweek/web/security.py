"""Request and response hardening that applies to every page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, abort, request

from learningweek.core.validation import is_valid_host

NUL_MESSAGE = (
    "The request contains a NUL character, which no field accepts. Remove it and try again."
)
BAD_HOST_MESSAGE = "The request names a host that cannot exist (its Host header)."
_BAD_HOST = "learningweek.bad_host"

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


class StandInForBadHosts:
    """WSGI middleware: a request whose Host header no server could have (a 300-character
    label, an unclosed IPv6 address) is passed on under the app's own host name, marked
    so that it is refused before any view runs.

    Werkzeug fails turning such a host into an IDNA name whenever a URL is built, so
    without the stand-in even the page saying "bad request" (its stylesheet link is a
    URL) would fail.
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], host_name: str) -> None:
        self.wsgi_app = wsgi_app
        self.host_name = host_name

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if host is not None and not is_valid_host(host):
            environ = environ | {"HTTP_HOST": self.host_name, _BAD_HOST: host}
        return self.wsgi_app(environ, start_response)


def _refuse_bad_hosts() -> None:
    if _BAD_HOST in request.environ:
        abort(400, description=BAD_HOST_MESSAGE)


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
    app.wsgi_app = StandInForBadHosts(app.wsgi_app, app.config["LEARNINGWEEK_HOST_NAME"])  # type: ignore[method-assign]
    app.before_request(_refuse_bad_hosts)
    app.before_request(_refuse_nul_characters)
    app.after_request(_add_security_headers)
