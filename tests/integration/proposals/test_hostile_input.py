"""The proposal form ignores list entries no page sends and refuses links that cannot
be read, instead of answering 500 (any employee can post it)."""

import pytest
import sqlalchemy as sa

from learningweek.extensions import db
from learningweek.proposals.models import LearningSession
from tests.factories import make_user
from tests.integration.html import field_error
from tests.integration.proposals.test_pages import logged_in, proposal_form


@pytest.mark.parametrize(
    "odd_key",
    [
        "resources-²-title",
        f"resources-{'9' * 5000}-title",
        "objectives-³",
        f"objectives-{'1' * 5000}",
    ],
    ids=[
        "superscript-resource",
        "5000-digit-resource",
        "superscript-objective",
        "5000-digit-objective",
    ],  # fmt: skip
)
def test_list_entries_numbered_oddly_are_ignored(client, edition, odd_key):
    mei = logged_in(client, make_user(email="mei@example.com"))

    response = mei.post(
        "/editions/spring/propose", data=proposal_form(save_draft="y") | {odd_key: "Sneaky"}
    )

    proposal = db.session.scalar(sa.select(LearningSession))
    assert response.status_code == 302
    assert [r.title for r in proposal.resources] == ["Hypothesis docs"]
    assert [o.text for o in proposal.objectives] == ["write a Hypothesis strategy"]


def test_an_unclosed_ipv6_resource_link_is_refused_next_to_the_field(client, edition):
    mei = logged_in(client, make_user(email="mei@example.com"))

    response = mei.post(
        "/editions/spring/propose",
        data=proposal_form(save_draft="y", **{"resources-0-url": "http://[::1"}),
    )

    assert response.status_code == 422
    assert "https://" in field_error(response, "resources")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningSession)) == 0


def test_line_breaks_in_a_title_become_spaces_and_stay_in_the_abstract(client, edition):
    mei = logged_in(client, make_user(email="mei@example.com"))

    mei.post(
        "/editions/spring/propose",
        data=proposal_form(
            save_draft="y",
            title="Pandas\r\nfor all\x1b",
            abstract="First.\r\n\r\nSecond\x07.",
            language="English\n",
            **{"objectives-0": "read\ra frame", "resources-0-title": "Docs\u2028page"},
        ),
    )

    proposal = db.session.scalar(sa.select(LearningSession))
    assert (proposal.title, proposal.abstract, proposal.language) == (
        "Pandas for all",
        "First.\n\nSecond.",
        "English",
    )
    assert [o.text for o in proposal.objectives] == ["read a frame"]
    assert [r.title for r in proposal.resources] == ["Docs page"]
