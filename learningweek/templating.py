"""Jinja filters and globals: times are shown in the edition's own time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask


def local_time(
    instant: datetime | None, zone: str | ZoneInfo, fmt: str = "%a %d %b %Y, %H:%M"
) -> str:
    """A UTC instant as wall-clock text in `zone`, with the zone's abbreviation."""
    if instant is None:
        return ""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = instant.astimezone(tz)
    return f"{local.strftime(fmt)} {local.tzname()}"


def day_label(day: date) -> str:
    """A day as people say it: Mon 2 Mar 2026."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def register_template_helpers(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(local_time)
    app.add_template_filter(day_label)

    @app.context_processor
    def site_settings() -> dict[str, str]:
        return {"site_name": app.config["LEARNINGWEEK_SITE_NAME"]}
