"""List pages run the same number of queries however many proposals there are."""

from datetime import UTC, datetime

import pytest

from learningweek.core.enums import ProposalStatus
from learningweek.extensions import db
from learningweek.proposals.models import ProposalEvent
from tests.conftest import log_in
from tests.factories import (
    make_edition,
    make_interest,
    make_organizer,
    make_proposal,
    make_topic,
    make_user,
)

OPEN_NOW = {
    "proposals_open_at": datetime(2020, 1, 1, tzinfo=UTC),
    "proposals_close_at": datetime(2099, 1, 1, tzinfo=UTC),
}


def _add(count: int, *, edition, lead, organizer, topic, status, fans):
    for _ in range(count):
        co_teacher = make_user()
        proposal = make_proposal(edition=edition, lead=lead, status=status)
        proposal.topics.append(topic)
        proposal.co_teachers.append(co_teacher)
        proposal.events.append(
            ProposalEvent(actor=organizer, to_status=status, comment="Nice", by_organizer=True)
        )
        db.session.commit()
        for fan in fans:
            make_interest(proposal, fan)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/proposals", ProposalStatus.CHANGES_REQUESTED),
        ("/editions/spring/coming-up", ProposalStatus.ACCEPTED),
        ("/editions/spring/coming-up?starred=1", ProposalStatus.ACCEPTED),
    ],
    ids=["my-proposals", "coming-up", "coming-up-starred"],
)
def test_list_page_query_count_does_not_grow(app, count_queries, url, status):
    edition = make_edition(slug="spring", **OPEN_NOW)
    me, organizer, topic = make_user(email="me@example.com"), make_organizer(), make_topic()
    viewer = me if url == "/proposals" else make_user(email="viewer@example.com")
    client = app.test_client()
    log_in(client, viewer.email)
    context = {"edition": edition, "lead": me, "organizer": organizer, "topic": topic,
               "status": status, "fans": [viewer, make_user()]}  # fmt: skip

    _add(2, **context)
    with count_queries() as few:
        small = client.get(url)
    _add(12, **context)
    with count_queries() as many:
        large = client.get(url)

    assert small.status_code == large.status_code == 200
    assert large.get_data(as_text=True).count('class="card"') == 14
    assert len(many) == len(few)


def test_my_proposals_query_count_does_not_grow_with_distinct_reviewers(
    client, edition, count_queries
):
    me = make_user(email="me@example.com")
    log_in(client, me.email)

    def add(count: int) -> None:
        for _ in range(count):
            reviewer = make_organizer()
            proposal = make_proposal(
                edition=edition, lead=me, status=ProposalStatus.CHANGES_REQUESTED
            )
            proposal.events.append(
                ProposalEvent(
                    actor=reviewer,
                    to_status=ProposalStatus.CHANGES_REQUESTED,
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
