"""Interest marks: anyone stars accepted sessions; teachers and organizers see the counts."""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from learningweek.core.enums import ProposalStatus
from learningweek.core.errors import DomainError
from learningweek.extensions import db
from learningweek.proposals import services
from learningweek.proposals.models import Interest
from tests.conftest import log_in
from tests.factories import make_edition, make_interest, make_organizer, make_proposal, make_user
from tests.integration.html import flashes, page

S = ProposalStatus


def _stars() -> int:
    db.session.rollback()  # see what requests committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(Interest))


OPEN_NOW = {
    "proposals_open_at": datetime(2020, 1, 1, tzinfo=UTC),
    "proposals_close_at": datetime(2099, 1, 1, tzinfo=UTC),
}


@pytest.fixture
def accepted(app):
    edition = make_edition(slug="spring", **OPEN_NOW)
    return make_proposal(edition=edition, status=S.ACCEPTED, title="Kanban")


def test_star_and_unstar(client, accepted):
    log_in(client, make_user(email="mei@example.com").email)

    client.post(f"/sessions/{accepted.id}/interest", data={"interested": "1"})
    starred = _stars()
    client.post(f"/sessions/{accepted.id}/interest", data={"interested": "0"})

    assert starred == 1
    assert _stars() == 0


def test_starring_twice_leaves_one_star(client, accepted):
    log_in(client, make_user(email="mei@example.com").email)

    for _ in range(3):
        client.post(f"/sessions/{accepted.id}/interest", data={"interested": "1"})

    assert _stars() == 1


def test_simultaneous_double_clicks_leave_one_star(app, accepted):
    mei = make_user(email="mei@example.com")
    url = f"/sessions/{accepted.id}/interest"
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        log_in(client, mei.email)
    start = threading.Barrier(len(clients))
    statuses = []

    def click(client):
        start.wait()
        statuses.append(client.post(url, data={"interested": "1"}).status_code)

    threads = [threading.Thread(target=click, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * 4
    assert _stars() == 1


@pytest.mark.parametrize(
    ("status", "published", "message"),
    [
        (S.SUBMITTED, False, "Only accepted sessions"),
        (S.ACCEPTED, True, "sign up for a run instead"),
    ],
    ids=["not-accepted", "programme-published"],
)
def test_interest_only_for_accepted_sessions_before_publishing(app, status, published, message):
    proposal = make_proposal(edition=make_edition(is_published=published), status=status)

    with pytest.raises(DomainError, match=message):
        services.set_interest(db.session, proposal, make_user(), interested=True)


def test_teachers_do_not_star_their_own_session(app, accepted):
    with pytest.raises(DomainError, match="You teach this session"):
        services.set_interest(db.session, accepted, accepted.lead, interested=True)


def test_counts_are_shown_to_organizers_and_teachers_only(app, accepted):
    for _ in range(3):
        make_interest(accepted, make_user())
    viewers = {
        "organizer": make_organizer(email="boss@example.com"),
        "teacher": accepted.lead,
        "employee": make_user(email="mei@example.com"),
    }
    seen = {}
    for role, user in viewers.items():
        client = app.test_client()
        log_in(client, user.email)
        text = page(client.get("/editions/spring/coming-up")).select_one(".card").get_text()
        seen[role] = "3 interested" in text

    assert seen == {"organizer": True, "teacher": True, "employee": False}


def test_coming_up_lists_accepted_sessions_and_my_stars(client, accepted):
    make_proposal(edition=accepted.edition, status=S.SUBMITTED, title="Still in review")
    other = make_proposal(edition=accepted.edition, status=S.ACCEPTED, title="Domain modelling")
    mei = make_user(email="mei@example.com")
    make_interest(other, mei)
    log_in(client, mei.email)

    def titles(query=""):
        response = client.get(f"/editions/spring/coming-up{query}")
        return [card.find("h2").get_text(strip=True) for card in page(response).select(".card")]

    assert titles() == ["Domain modelling", "Kanban"]
    assert titles("?starred=1") == ["Domain modelling"]


def test_starring_a_session_that_cannot_take_stars_says_why(client, app):
    proposal = make_proposal(edition=make_edition(slug="spring", **OPEN_NOW), status=S.DRAFT)
    log_in(client, make_user(email="mei@example.com").email)

    response = client.post(
        f"/sessions/{proposal.id}/interest", data={"interested": "1"}, follow_redirects=True
    )

    assert "Only accepted sessions" in " ".join(flashes(response))


def test_interest_counts_in_one_query(app, accepted, count_queries):
    others = [make_proposal(edition=accepted.edition, status=S.ACCEPTED) for _ in range(3)]
    for proposal in [accepted, *others]:
        make_interest(proposal, make_user())
    make_interest(accepted, make_user())
    ids = [accepted.id, *[p.id for p in others]]

    with count_queries() as queries:
        counts = services.interest_counts(db.session, ids)

    assert counts == {ids[0]: 2, ids[1]: 1, ids[2]: 1, ids[3]: 1}
    assert len(queries) == 1
