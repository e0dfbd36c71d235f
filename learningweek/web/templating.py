"""Jinja filters and globals: times are shown in the edition's own time zone."""

from __future__ import annotations

from flask import Flask

from learningweek.core.localtime import day_label, format_local, format_local_range
from learningweek.core.markdown import render_markdown


def register_template_helpers(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(format_local, "local_time")
    app.add_template_filter(format_local_range, "local_time_range")
    app.add_template_filter(day_label)
    app.add_template_filter(render_markdown, "markdown")

    @app.context_processor
    def site_settings() -> dict[str, str]:
        return {"site_name": app.config["LEARNINGWEEK_SITE_NAME"]}
