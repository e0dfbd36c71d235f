"""Pages listing queued messages: one's own, and the whole outbox for organizers."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from learningweek.accounts.permissions import organizer_required
from learningweek.extensions import db
from learningweek.notifications import bp, services
from learningweek.routing import page_number

PER_PAGE = 50


@bp.get("/notifications")
@login_required
def mine():
    """Messages sent to me."""
    pagination = db.paginate(
        services.notifications_for(current_user),
        page=page_number(request.args.get("page")),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("notifications/list.html", pagination=pagination, outbox=False)


@bp.get("/organize/outbox")
@organizer_required
def outbox():
    """Every queued message, for organizers."""
    pagination = db.paginate(
        services.outbox(),
        page=page_number(request.args.get("page")),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("notifications/list.html", pagination=pagination, outbox=True)
