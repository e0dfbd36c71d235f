"""Runs on the days the clocks change, end to end, in four zones: the invitation that
arrives by mail and the session's and edition's feeds put each run at the UTC
instants stored for it, for its real length, in every reader."""

from __future__ import annotations

import pytest

from learningweek.cli import send_pending_mail
from learningweek.extensions import db
from learningweek.signups import services as signups
from tests.factories import make_user
from tests.integration.signups.helpers import NOW, placed_run, published_edition
from tests.unit.calendar.dst_cases import DST_RUNS, DstRun
from tests.unit.calendar.readers import READERS


def run_on(case: DstRun, slug: str):
    edition = published_edition(slug=slug, time_zone=case.zone_name, first_day=case.day)
    return placed_run(
        edition, starts_at=case.starts_at, title="Kanban", duration_minutes=case.minutes
    )


def mailed_calendar(message) -> bytes:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return part.get_content().encode()


@pytest.mark.parametrize("case", DST_RUNS, ids=[case.id for case in DST_RUNS])
def test_mailed_invitations_and_feeds_hold_a_change_day_run_at_its_stored_instants(
    client, inbox, case
):
    run = run_on(case, slug="changeday")
    signups.sign_up(db.session, run, make_user(), now=NOW)
    db.session.commit()
    send_pending_mail(worker="test", limit=10)
    stored = [(run.starts_at, run.ends_at)]
    assert stored == [(case.starts_at, case.ends_at)]

    bodies = {
        "invitation": mailed_calendar(inbox.messages[0]),
        "session feed": client.get(f"/sessions/{run.session_id}.ics").get_data(),
        "edition feed": client.get("/calendar/changeday.ics").get_data(),
    }

    readings = {
        (source, reader): read(body)
        for source, body in bodies.items()
        for reader, read in READERS.items()
    }
    assert readings == dict.fromkeys(readings, stored)
