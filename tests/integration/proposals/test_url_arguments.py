"""Ids and filters from the address bar: too large, unknown or stray values, and the
counts the filters give."""

import pytest

from learningweek.core.enums import ProposalStatus
from learningweek.extensions import db
from learningweek.proposals.models import LearningSession
from tests.conftest import log_in
from tests.factories import make_organizer, make_proposal, make_user
from tests.integration.html import page

S = ProposalStatus


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
