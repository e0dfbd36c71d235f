"""Two people changing one proposal at once: limits and locks hold."""

import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from learningweek.core.enums import ProposalStatus
from learningweek.core.errors import ValidationFailed
from learningweek.extensions import db
from learningweek.proposals.limits import MAX_CO_TEACHERS
from learningweek.proposals.models import LearningSession
from learningweek.proposals.services import decide_proposal, proposal_data_from, update_proposal
from tests.conftest import log_in
from tests.factories import make_organizer, make_proposal, make_user

S = ProposalStatus

NOW = datetime(2027, 1, 10, tzinfo=UTC)


def test_concurrent_co_teacher_additions_respect_the_limit(app, edition):
    lead = make_user(email="lead@example.com")
    proposal = make_proposal(edition=edition, lead=lead)
    colleagues = [make_user(email=f"colleague{n}@example.com") for n in range(MAX_CO_TEACHERS + 3)]
    url = f"/proposals/{proposal.id}/co-teachers"
    clients = [app.test_client() for _ in colleagues]
    for client in clients:
        log_in(client, lead.email)
    start = threading.Barrier(len(clients))
    statuses = []

    def add(client, email):
        start.wait()
        statuses.append(client.post(url, data={"email": email}).status_code)

    threads = [
        threading.Thread(target=add, args=(client, colleague.email))
        for client, colleague in zip(clients, colleagues, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    db.session.rollback()
    db.session.refresh(proposal)
    assert statuses == [302] * len(clients)
    assert len(proposal.co_teachers) == MAX_CO_TEACHERS


def test_an_edit_racing_an_acceptance_sees_the_acceptance(app, edition):
    if db.engine.dialect.name == "sqlite":
        pytest.skip(
            "SQLite write requests take the database lock before reading (BEGIN IMMEDIATE), "
            "so this stale read cannot arise there; test_concurrency covers that path."
        )
    lead, organizer = make_user(), make_organizer()
    proposal = make_proposal(edition=edition, lead=lead, status=S.SUBMITTED)
    teachers_view = proposal_data_from(proposal)  # the teacher's request has read it
    with Session(db.engine) as organizers_request:
        decide_proposal(
            organizers_request,
            organizers_request.get(LearningSession, proposal.id),
            S.ACCEPTED,
            actor=organizers_request.get(type(organizer), organizer.id),
            comment="",
            now=NOW,
        )
        organizers_request.commit()

    with pytest.raises(ValidationFailed):
        update_proposal(
            db.session, proposal, replace(teachers_view, duration_minutes=240), actor=lead, now=NOW
        )
