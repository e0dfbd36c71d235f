"""Loading an edition for a page: what the viewer may not see does not exist for them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from learningweek.core.database import utcnow
from learningweek.editions.models import Edition
from learningweek.editions.permissions import can_see_edition
from learningweek.extensions import db


def visible_edition_or_404(slug: str) -> Edition:
    """The edition with this address, if the current user may see it; else a 404."""
    edition = db.first_or_404(sa.select(Edition).where(Edition.slug == slug))
    if not can_see_edition(current_user, edition, utcnow()):
        abort(404)
    return edition
