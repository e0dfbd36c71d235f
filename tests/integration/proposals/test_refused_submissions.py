"""A refused submission from the proposal form: fixing it edits the saved proposal."""

import sqlalchemy as sa

from learningweek.core.enums import ProposalStatus
from learningweek.extensions import db
from learningweek.proposals.models import LearningSession
from tests.conftest import log_in
from tests.factories import make_proposal, make_user
from tests.integration.html import field_error, page
from tests.integration.proposals.test_pages import proposal_form

S = ProposalStatus


def _form_action(response) -> str:
    return page(response).select_one("form.proposal-form")["action"]


def _rows() -> list[LearningSession]:
    db.session.rollback()
    return db.session.scalars(sa.select(LearningSession)).all()


def test_fixing_a_refused_new_submission_does_not_create_a_second_proposal(client, edition):
    log_in(client, make_user(email="mei@example.com").email)

    refused = client.post(
        "/editions/spring/propose", data=proposal_form(abstract="", submit_proposal="y")
    )
    fixed = client.post(_form_action(refused), data=proposal_form(submit_proposal="y"))

    assert refused.status_code == 422
    assert fixed.status_code == 302
    assert [p.status for p in _rows()] == [S.SUBMITTED]


def test_fixes_after_a_refused_submit_button_are_kept(client, edition):
    lead = make_user(email="lead@example.com")
    proposal = make_proposal(edition=edition, lead=lead, abstract="")
    log_in(client, lead.email)

    refused = client.post(f"/proposals/{proposal.id}/submit")
    fixed = client.post(
        _form_action(refused),
        data=proposal_form(abstract="Now with an abstract.", submit_proposal="y"),
    )

    assert refused.status_code == 422
    assert "Describe the session" in field_error(refused, "abstract")
    assert fixed.status_code == 302
    [stored] = _rows()
    assert (stored.abstract, stored.status) == ("Now with an abstract.", S.SUBMITTED)
