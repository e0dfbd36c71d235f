"""URL and query-string parsing that keeps nonsense from reaching the database."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# Ids are 32-bit on PostgreSQL (and SQLite cannot bind integers past 64 bits); a
# larger number in a URL names nothing, so it should be a 404, not a database error.
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` that only matches numbers a database id can hold."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def id_argument(raw: str | None) -> int | None:
    """An id from a query string, or None when it is missing or cannot be an id."""
    try:
        number = int(raw or "")
    except ValueError:
        return None
    return number if 1 <= number <= MAX_ID else None


def page_number(raw: str | None) -> int:
    """A 1-based page number from a query string; nonsense or out-of-range means page 1."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1
