"""Reading pages the way a person would: field errors, flashes, headings."""

from __future__ import annotations

from bs4 import BeautifulSoup


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def field_error(response, field_id: str) -> str:
    """The error text tied to a field (its `<id>-error` element), or '' if none."""
    soup = page(response)
    error = soup.find(id=f"{field_id}-error")
    if error is None:
        return ""
    control = soup.find(id=field_id)
    # The error must be announced with the field, not merely printed near it.
    if control is not None and control.name in {"input", "select", "textarea"}:
        assert f"{field_id}-error" in control.get("aria-describedby", "")
    return error.get_text(" ", strip=True)


def flashes(response) -> list[str]:
    return [p.get_text(" ", strip=True) for p in page(response).select(".flash")]


def heading(response) -> str:
    h1 = page(response).find("h1")
    return h1.get_text(" ", strip=True) if h1 else ""
