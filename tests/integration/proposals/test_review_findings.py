"""Regressions found in review: duplicate proposals, lost fixes, huge ids, races."""

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from learningweek.core.enums import ProposalStatus
from learningweek.extensions import db
from learningweek.proposals.limits import MAX_CO_TEACHERS
from learningweek.proposals.models import LearningSession, ProposalEvent
from tests.conftest import log_in
from tests.factories import make_edition, make_organizer, make_proposal, make_user
from tests.integration.html import field_error, page
from tests.integration.proposals.test_pages import proposal_form

S = ProposalStatus
OPEN_NOW = {
    "proposals_open_at": datetime(2020, 1, 1, tzinfo=UTC),
    "proposals_close_at": datetime(2099, 1, 1, tzinfo=UTC),
}


@pytest.fixture
def edition(app):
    return make_edition(slug="spring", first_day=date(2027, 3, 8), **OPEN_NOW)


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


@pytest.mark.parametrize(
    "url",
    [
        "/proposals/99999999999999999999999",
        "/proposals/99999999999999999999999/edit",
        "/organize/editions/99999999999999999999999/proposals",
        "/organize/rooms/2147483648/edit",
    ],
    ids=["proposal", "edit", "review", "room-just-past-int32"],
)
def test_ids_too_large_for_the_database_are_404(client, url):
    log_in(client, make_organizer(email="boss@example.com").email)

    assert client.get(url).status_code == 404


def test_huge_topic_filter_is_ignored(client, edition):
    log_in(client, make_organizer(email="boss@example.com").email)

    for url in (
        f"/organize/editions/{edition.id}/proposals?topic=99999999999999999999",
        "/editions/spring/coming-up?topic=99999999999999999999",
    ):
        assert client.get(url).status_code == 200, url


def test_review_pagination_ignores_unknown_query_arguments(client, edition):
    lead = make_user()
    db.session.add_all(
        LearningSession(
            edition=edition,
            lead=lead,
            title=f"P{n}",
            format="online",
            duration_minutes=60,
            max_participants=20,
            level="introductory",
            status=S.SUBMITTED,
        )
        for n in range(101)
    )
    db.session.commit()
    log_in(client, make_organizer(email="boss@example.com").email)

    response = client.get(
        f"/organize/editions/{edition.id}/proposals?edition_id=1&_external=1&status=submitted"
    )

    assert response.status_code == 200
    next_link = page(response).select_one(".pagination a")["href"]
    assert next_link == f"/organize/editions/{edition.id}/proposals?page=2&status=submitted"


def test_state_counts_follow_the_format_filter(client, edition):
    make_proposal(edition=edition, status=S.SUBMITTED, format="online")
    make_proposal(edition=edition, status=S.SUBMITTED, format="in_person")
    log_in(client, make_organizer(email="boss@example.com").email)

    response = client.get(f"/organize/editions/{edition.id}/proposals?format=online")

    tabs = [a.get_text(strip=True) for a in page(response).select(".status-tabs a")]
    assert tabs[:3] == ["All (1)", "Draft (0)", "Submitted (1)"]


def test_my_proposals_query_count_does_not_grow_with_distinct_reviewers(
    client, edition, count_queries
):
    me = make_user(email="me@example.com")
    log_in(client, me.email)

    def add(count: int) -> None:
        for _ in range(count):
            reviewer = make_organizer()
            proposal = make_proposal(edition=edition, lead=me, status=S.CHANGES_REQUESTED)
            proposal.events.append(
                ProposalEvent(
                    actor=reviewer,
                    to_status=S.CHANGES_REQUESTED,
                    comment="More detail",
                    by_organizer=True,
                )
            )
            db.session.commit()

    add(1)
    with count_queries() as few:
        client.get("/proposals")
    add(5)
    with count_queries() as many:
        client.get("/proposals")

    assert len(many) == len(few)


def test_organizer_withdrawing_own_proposal_is_not_shown_as_review_comment(app, edition):
    from learningweek.proposals.services import latest_organizer_comments, withdraw_proposal

    organizer = make_organizer()
    proposal = make_proposal(edition=edition, lead=organizer, status=S.SUBMITTED)
    withdraw_proposal(db.session, proposal, actor=organizer, comment="Too busy", now=NOW)
    db.session.commit()

    assert latest_organizer_comments(db.session, [proposal.id]) == {}


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
    from dataclasses import replace

    from sqlalchemy.orm import Session

    from learningweek.core.errors import ValidationFailed
    from learningweek.proposals.services import (
        decide_proposal,
        proposal_data_from,
        update_proposal,
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
