"""The organizers' people page: search, roles, deactivation, the last organizer."""

import pytest

from learningweek.accounts import services
from learningweek.accounts.services import LastOrganizer
from learningweek.core.errors import NotAllowed
from learningweek.extensions import db
from tests.conftest import log_in
from tests.factories import make_organizer, make_user
from tests.integration.html import flashes, page
from tests.integration.signups.helpers import NOW


@pytest.fixture
def organizer_client(client):
    organizer = make_organizer(email="boss@example.com", display_name="Boss")
    log_in(client, "boss@example.com")
    client.organizer = organizer
    return client


def _names(response) -> list[str]:
    return [row.find("td").get_text(strip=True) for row in page(response).select("tbody tr")]


def test_search_by_name_email_or_department(organizer_client):
    make_user(display_name="Mei Chen", department="Data Platform", email="mei@example.com")
    make_user(display_name="Jonas Berg", department="Radio", email="jonas@example.com")

    by_name = organizer_client.get("/organize/people?q=mei")
    by_department = organizer_client.get("/organize/people?q=radio")
    by_email = organizer_client.get("/organize/people?q=JONAS@")

    assert _names(by_name) == ["Mei Chen"]
    assert _names(by_department) == ["Jonas Berg"]
    assert _names(by_email) == ["Jonas Berg"]


def test_search_treats_wildcards_literally(organizer_client):
    make_user(display_name="Mei Chen")

    response = organizer_client.get("/organize/people?q=%25")

    assert _names(response) == []
    assert "Nobody matches" in page(response).select_one(".empty").get_text()


def test_people_are_paginated(app, organizer_client):
    app.config["LEARNINGWEEK_PEOPLE_PER_PAGE"] = 2
    for name in ("Ada", "Bo", "Cy"):
        make_user(display_name=name)

    first = organizer_client.get("/organize/people")
    second = organizer_client.get("/organize/people?page=2")
    beyond = organizer_client.get("/organize/people?page=99")
    garbage = organizer_client.get("/organize/people?page=abc")

    assert _names(first) == ["Ada", "Bo"]
    assert _names(second) == ["Boss", "Cy"]
    assert _names(beyond) == []
    assert _names(garbage) == ["Ada", "Bo"]


def test_people_page_query_count_does_not_grow(app, organizer_client, count_queries):
    make_user()
    with count_queries() as few:
        organizer_client.get("/organize/people")
    for _ in range(20):
        make_user()
    with count_queries() as many:
        organizer_client.get("/organize/people")

    assert len(many) == len(few)


def test_grant_and_revoke_organizer(organizer_client):
    mei = make_user(display_name="Mei")

    organizer_client.post(f"/organize/people/{mei.id}/organizer")
    db.session.refresh(mei)
    granted = mei.is_organizer
    organizer_client.post(f"/organize/people/{mei.id}/employee")
    db.session.refresh(mei)

    assert granted is True
    assert mei.is_organizer is False


def test_last_active_organizer_cannot_be_revoked(organizer_client):
    response = organizer_client.post(
        f"/organize/people/{organizer_client.organizer.id}/employee", follow_redirects=True
    )

    db.session.refresh(organizer_client.organizer)
    assert organizer_client.organizer.is_organizer is True
    assert "last active organizer" in flashes(response)[0]


def test_deactivated_organizers_do_not_count(organizer_client):
    make_organizer(is_active=False)

    organizer_client.post(f"/organize/people/{organizer_client.organizer.id}/employee")

    db.session.refresh(organizer_client.organizer)
    assert organizer_client.organizer.is_organizer is True


def test_last_active_organizer_cannot_be_deactivated(app):
    boss = make_organizer()
    other = make_organizer()
    services.set_active(db.session, other, False, actor=boss, now=NOW)

    with pytest.raises(LastOrganizer):
        services.set_active(db.session, boss, False, actor=other, now=NOW)


def test_organizer_can_step_down_when_another_remains(organizer_client):
    make_organizer()

    organizer_client.post(f"/organize/people/{organizer_client.organizer.id}/employee")

    db.session.refresh(organizer_client.organizer)
    assert organizer_client.organizer.is_organizer is False
    assert organizer_client.get("/organize/people").status_code == 403


def test_nobody_deactivates_themselves(app):
    boss = make_organizer()
    make_organizer()

    with pytest.raises(NotAllowed, match="your own account"):
        services.set_active(db.session, boss, False, actor=boss, now=NOW)


def test_deactivation_ends_existing_logins_and_reactivation_restores_access(app):
    make_organizer(email="boss@example.com")
    mei = make_user(email="mei@example.com")
    boss_client, mei_client = app.test_client(), app.test_client()
    log_in(boss_client, "boss@example.com")
    log_in(mei_client, "mei@example.com", remember="y")

    boss_client.post(f"/organize/people/{mei.id}/deactivate")
    locked_out = mei_client.get("/account")
    boss_client.post(f"/organize/people/{mei.id}/reactivate")

    assert locked_out.status_code == 302
    assert log_in(mei_client, "mei@example.com").status_code == 302
    assert mei_client.get("/account").status_code == 200


def test_people_actions_on_unknown_person_give_404(organizer_client):
    assert organizer_client.post("/organize/people/999999/organizer").status_code == 404


def test_actions_keep_search_and_page(organizer_client):
    mei = make_user(display_name="Mei")

    response = organizer_client.post(
        f"/organize/people/{mei.id}/organizer", data={"q": "mei", "page": "1"}
    )

    assert response.headers["Location"] == "/organize/people?q=mei&page=1"
