"""The edition report for organizers, as a page and as a spreadsheet."""

from __future__ import annotations

from flask import current_app, render_template

from learningweek.accounts.permissions import organizer_required
from learningweek.editions.models import Edition
from learningweek.extensions import db
from learningweek.reports import bp, services
from learningweek.web.spreadsheets import csv_response


def _report(edition_id: int) -> services.EditionReport:
    edition = db.get_or_404(Edition, edition_id)
    threshold = current_app.config["LEARNINGWEEK_FEEDBACK_MIN_RESPONSES"]
    return services.edition_report(db.session, edition, threshold=threshold)


@bp.get("/organize/editions/<int:edition_id>/report")
@organizer_required
def edition(edition_id: int):
    """An edition's figures: participation, learning hours, fill, demand and feedback."""
    return render_template("reports/edition.html", report=_report(edition_id))


@bp.get("/organize/editions/<int:edition_id>/report.csv")
@organizer_required
def edition_csv(edition_id: int):
    """The report's per-run figures as a spreadsheet."""
    report = _report(edition_id)
    return csv_response(services.report_rows(report), f"report-{report.edition.slug}.csv")
