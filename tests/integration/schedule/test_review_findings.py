"""Regressions found in review of the board: lost runs, stale reads, shared rooms."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from learningweek.core.enums import ProposalStatus
from learningweek.core.errors import DomainError
from learningweek.extensions import db
from learningweek.proposals import services as proposals
from learningweek.schedule import services
from learningweek.schedule.conflicts import Settings
from learningweek.schedule.models import Run
from tests.factories import make_edition, make_organizer, make_proposal, make_room, make_run

S = ProposalStatus
SETTINGS = Settings()
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2027, 2, 1, 12, tzinfo=UTC)


def at(hour: int, day: int = 8) -> datetime:
    return datetime(2027, 3, day, hour, tzinfo=STOCKHOLM).astimezone(UTC)


@pytest.fixture
def edition(app):
    return make_edition(slug="spring", first_day=date(2027, 3, 8))


def test_editing_an_accepted_session_keeps_its_unplaced_runs(edition):
    proposal = make_proposal(edition=edition, status=S.ACCEPTED, runs_offered=2)
    make_run(proposal)
    make_run(proposal)
    data = proposals.proposal_data_from(proposal)

    proposals.update_proposal(
        db.session,
        proposal,
        data.__class__(**{**data.__dict__, "abstract": "Typo fixed."}),
        actor=proposal.lead,
        now=NOW,
    )

    assert len(proposal.runs) == 2


def test_editing_after_a_cancellation_does_not_bring_a_run_back(edition):
    organizer = make_organizer()
    proposal = make_proposal(edition=edition, status=S.ACCEPTED, runs_offered=2)
    kept, cancelled = make_run(proposal), make_run(proposal)
    services.cancel_run(db.session, cancelled, actor=organizer, now=NOW)
    data = proposals.proposal_data_from(proposal)

    proposals.update_proposal(
        db.session,
        proposal,
        data.__class__(**{**data.__dict__, "title": "Renamed"}),
        actor=organizer,
        now=NOW,
    )

    assert [run.is_cancelled for run in proposal.runs] == [False, True]
    assert kept in proposal.runs


def test_a_room_is_shared_by_editions_on_the_same_days(edition):
    other_edition = make_edition(slug="other", first_day=date(2027, 3, 8))
    room = make_room(name="Orion")
    make_run(
        make_proposal(edition=other_edition, status=S.ACCEPTED, title="Elsewhere"),
        starts_at=at(10),
        room=room,
    )
    run = make_run(make_proposal(edition=edition, status=S.ACCEPTED))
    organizer = make_organizer()

    with pytest.raises(services.PlacementRefused, match="Orion is taken by “Elsewhere”"):
        services.place_run(
            db.session, run, at(10), room, actor=organizer, now=NOW, settings=SETTINGS
        )


def test_automatic_scheduling_is_for_organizers_only(edition):
    from learningweek.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.schedule_edition(
            db.session,
            edition,
            actor=make_proposal(edition=edition).lead,
            now=NOW,
            settings=SETTINGS,
        )


def test_a_pinned_run_must_be_placed(edition):
    run = make_run(make_proposal(edition=edition, status=S.ACCEPTED))
    run.is_pinned = True

    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_run_ids_are_never_reused(edition):
    proposal = make_proposal(edition=edition, status=S.ACCEPTED)
    first, last = make_run(proposal), make_run(proposal)
    last_id = last.id
    db.session.delete(last)
    db.session.commit()

    fresh = make_run(proposal)

    assert fresh.id > last_id > first.id


def test_services_act_on_the_run_as_it_is_after_waiting(edition):
    # Another request moved the run after this one loaded it: the move must build on
    # that, not on the stale copy (sequence, change record, old time).
    organizer = make_organizer()
    room = make_room()
    run = make_run(make_proposal(edition=edition, status=S.ACCEPTED), starts_at=at(10), room=room)
    edition.is_published = True
    db.session.commit()
    assert run.starts_at == at(10)  # loaded into this session
    with Session(db.engine) as other_request:
        other_run = other_request.get(Run, run.id)
        services.place_run(
            other_request,
            other_run,
            at(11),
            other_request.get(type(room), room.id),
            actor=other_request.get(type(organizer), organizer.id),
            now=NOW,
            settings=SETTINGS,
        )
        other_request.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.rollback()  # SQLite: a writer would have waited before reading at all

    services.place_run(
        db.session,
        run,
        at(14),
        room,
        actor=organizer,
        now=NOW + timedelta(minutes=1),
        settings=SETTINGS,
    )
    db.session.commit()

    assert run.sequence == 2
    assert [(c.old_starts_at, c.new_starts_at) for c in run.changes] == [
        (at(10), at(11)),
        (at(11), at(14)),
    ]


def test_cancelling_a_run_that_another_request_cancelled_says_so(edition):
    organizer = make_organizer()
    run = make_run(
        make_proposal(edition=edition, status=S.ACCEPTED), starts_at=at(10), room=make_room()
    )
    assert run.cancelled_at is None
    with Session(db.engine) as other_request:
        services.cancel_run(
            other_request,
            other_request.get(Run, run.id),
            actor=other_request.get(type(organizer), organizer.id),
            now=NOW,
        )
        other_request.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.rollback()

    with pytest.raises(DomainError, match="already cancelled"):
        services.cancel_run(db.session, run, actor=organizer, now=NOW)


def test_an_edit_that_breaks_the_schedule_says_so(app, edition):
    from tests.conftest import log_in
    from tests.integration.html import flashes
    from tests.integration.proposals.test_pages import proposal_form

    organizer = make_organizer(email="boss@example.com")
    room = make_room(name="Orion")
    proposal = make_proposal(
        edition=edition, status=S.ACCEPTED, title="Kanban", duration_minutes=60
    )
    make_run(proposal, starts_at=at(10), room=room)
    make_run(
        make_proposal(edition=edition, status=S.ACCEPTED, title="Scrum"),
        starts_at=at(11),
        room=room,
    )
    client = app.test_client()
    log_in(client, organizer.email)
    form = proposal_form(title="Kanban", duration_minutes="120", objectives=None)
    form["available_half_days"] = [
        f"2027-03-{d:02d} {h}" for d in range(8, 13) for h in ("am", "pm")
    ]

    response = client.post(f"/proposals/{proposal.id}/edit", data=form, follow_redirects=True)

    text = " ".join(flashes(response))
    assert "Your changes are saved." in text
    assert "now break scheduling rules" in text and "Orion is taken by “Scrum”" in text
