"""The automatic scheduler through the app: pinned runs, re-solving, the button, the CLI."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from learningweek.core.enums import ProposalStatus, RoomKind
from learningweek.extensions import db
from learningweek.proposals import services as proposals
from learningweek.schedule import services
from learningweek.schedule.conflicts import Settings
from tests.conftest import log_in
from tests.factories import make_proposal, make_room, make_run
from tests.integration.html import flashes

S = ProposalStatus
SETTINGS = Settings()
NOW = datetime(2027, 2, 1, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Stockholm")


def _fill(edition, count: int) -> list:
    make_room(name="Orion", capacity=40)
    make_room(name="Fika", capacity=12)
    make_room(name="Online", kind=RoomKind.ONLINE, meeting_url="https://m.example/1")
    return [
        make_run(
            make_proposal(
                edition=edition, status=S.ACCEPTED, format="online" if n % 3 == 0 else "in_person"
            )
        )
        for n in range(count)
    ]


def _placements(runs) -> dict:
    for run in runs:
        db.session.refresh(run)
    return {run.id: (run.starts_at, run.room_id) for run in runs}


def test_pinned_runs_survive_rescheduling(edition, organizer):
    runs = _fill(edition, 6)
    pinned = runs[1]  # an in-person session
    pinned_start = datetime(2027, 3, 9, 14, tzinfo=ZONE).astimezone(UTC)
    services.place_run(
        db.session,
        pinned,
        pinned_start,
        make_room(name="Lab"),
        actor=organizer,
        now=NOW,
        settings=SETTINGS,
    )
    services.set_pinned(db.session, pinned, True, actor=organizer)
    db.session.commit()

    for _ in range(2):
        services.schedule_edition(
            db.session, edition, actor=organizer, now=NOW, settings=SETTINGS, time_limit=5
        )
        db.session.commit()

    db.session.refresh(pinned)
    assert (pinned.starts_at, pinned.room.name, pinned.is_pinned) == (pinned_start, "Lab", True)
    assert all(run.is_placed for run in runs)


def test_resolving_after_publishing_moves_nothing_that_need_not_move(edition, organizer):
    runs = _fill(edition, 6)
    services.schedule_edition(
        db.session, edition, actor=organizer, now=NOW, settings=SETTINGS, time_limit=5
    )
    services.publish_edition(db.session, edition, actor=organizer, settings=SETTINGS, now=NOW)
    db.session.commit()
    before = _placements(runs)
    proposal = runs[1].learning_session
    data = proposals.proposal_data_from(proposal)
    proposals.update_proposal(
        db.session,
        proposal,
        data.__class__(**{**data.__dict__, "runs_offered": 2}),
        actor=organizer,
        now=NOW,
    )
    db.session.commit()

    report = services.schedule_edition(
        db.session, edition, actor=organizer, now=NOW, settings=SETTINGS, time_limit=5
    )
    db.session.commit()

    assert report.moved == []
    assert report.unplaced == {}
    assert _placements(runs) == before
    assert all(run.sequence == 0 for run in runs)
    assert all(run.is_placed for run in proposal.runs)


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


def test_schedule_button_reports_what_it_did(client, edition, organizer):
    _fill(edition, 3)
    log_in(client, organizer.email)

    response = client.post(f"/organize/editions/{edition.id}/schedule", follow_redirects=True)

    text = " ".join(flashes(response))
    assert "The scheduler placed 3 runs; 0 moved, 0 pinned kept." in text
    assert "proven lower bound" in text


def test_schedule_command(runner, edition, organizer):
    _fill(edition, 2)

    result = runner.invoke(args=["schedule", "spring", "--seconds", "5"])
    unknown = runner.invoke(args=["schedule", "nowhere"])

    assert result.exit_code == 0, result.output
    assert "The scheduler placed 2 runs" in result.output
    assert unknown.exit_code == 1
    assert "No edition has the address 'nowhere'" in unknown.output


def test_a_failed_solve_changes_nothing(edition, organizer, monkeypatch):
    from learningweek.core.errors import DomainError
    from learningweek.schedule import solver

    runs = _fill(edition, 4)
    services.schedule_edition(
        db.session, edition, actor=organizer, now=NOW, settings=SETTINGS, time_limit=5
    )
    db.session.commit()
    before = _placements(runs)
    monkeypatch.setattr(
        solver, "solve", lambda *a, **k: solver.SchedulingResult({}, {}, [], status="UNKNOWN")
    )

    with pytest.raises(DomainError, match="nothing was changed"):
        services.schedule_edition(db.session, edition, actor=organizer, now=NOW, settings=SETTINGS)
    db.session.rollback()

    assert _placements(runs) == before
