"""Pages listing queued messages: one's own, and the whole outbox for organizers."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learningweek.accounts.permissions import organizer_required
from learningweek.core.database import utcnow
from learningweek.extensions import db
from learningweek.notifications import bp, services
from learningweek.notifications.mail import retry
from learningweek.notifications.models import Notification
from learningweek.web.actions import perform, writes
from learningweek.web.forms import EmptyForm
from learningweek.web.routing import page_number

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
    return render_template(
        "notifications/list.html", pagination=pagination, outbox=False, zones=_zones(pagination)
    )


def _zones(pagination) -> dict[int, str]:
    """Each listed message's time zone: its edition's, like every other time shown."""
    default = current_app.config["LEARNINGWEEK_DEFAULT_TIME_ZONE"]
    return services.zones_of(db.session, pagination.items, default=default)


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
    return render_template(
        "notifications/list.html",
        pagination=pagination,
        outbox=True,
        action_form=EmptyForm(),
        zones=_zones(pagination),
    )


@bp.post("/organize/outbox/<int:notification_id>/retry")
@writes
@organizer_required
def retry_message(notification_id: int):
    """Send a message that failed again, from a fresh count of attempts."""
    notification = db.get_or_404(Notification, notification_id)
    perform(
        EmptyForm(),
        lambda: retry(notification, now=utcnow()),
        "The message will be sent on the mail worker's next pass.",
    )
    return redirect(url_for("notifications.outbox"))
