"""Small checks shared by services and forms (a leaf module)."""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime
from urllib.parse import urlsplit

# Dates people plan with. Far ones are typing slips, and at year 1 or 9999 converting
# a wall-clock time to UTC, or adding the days of a week, leaves what Python can hold.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)
DATE_RANGE_MESSAGE = f"Choose a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}."

_HOST_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
_HOST_AND_PORT = re.compile(
    r"(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(?P<port>[0-9]{1,5}))?"
)


def is_http_url(url: str | None) -> bool:
    """An absolute http(s) link: other schemes (javascript:, data:) are unsafe to show."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:  # such as "http://[::1", an unclosed IPv6 address
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def is_supported_date(value: date | datetime) -> bool:
    """Whether a date (or a date and time) is one the app can plan and compute with."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def is_valid_host(host: str) -> bool:
    """A Host header as RFC 3986 allows it: a DNS name whose labels are 1 to 63 ASCII
    characters (253 in all), an IPv4 address or a bracketed IPv6 one, and a port."""
    match = _HOST_AND_PORT.fullmatch(host)
    if match is None:
        return False
    name, port = match["name"], match["port"]
    if port is not None and int(port) > 65535:
        return False
    if name.startswith("["):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return False
        return True
    labels = name.removesuffix(".").split(".")
    return len(name) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)
