"""Editing an accepted session keeps its runs as they are, and says when it breaks the schedule."""

from learningweek.core.enums import ProposalStatus as S
from learningweek.extensions import db
from learningweek.proposals import services as proposals
from learningweek.schedule import services
from tests.factories import make_organizer, make_proposal, make_room, make_run
from tests.integration.schedule.week import NOW, at


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
    assert "now break scheduling rules" in text
    assert "Orion is taken by “Scrum”" in text
