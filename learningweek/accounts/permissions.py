"""Who may do what with accounts, and the decorator organizer pages use."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required

P = ParamSpec("P")
R = TypeVar("R")


def organizer_required(view: Callable[P, R]) -> Callable[P, R]:
    """Anonymous visitors go to the login page; employees who are not organizers get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_user.is_organizer:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def is_safe_redirect_target(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative tricks."""
    if not target:
        return False
    if "\\" in target or any(ord(char) < 32 for char in target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
