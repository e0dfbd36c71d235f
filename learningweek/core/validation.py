"""Small checks shared by services and forms (a leaf module)."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_http_url(url: str | None) -> bool:
    """An absolute http(s) link: other schemes (javascript:, data:) are unsafe to show."""
    parts = urlsplit((url or "").strip())
    return parts.scheme in {"http", "https"} and bool(parts.netloc)
