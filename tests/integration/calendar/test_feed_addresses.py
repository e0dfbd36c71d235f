"""Feed addresses: a new secret key revokes personal ones, odd paths are refused, and
only published sessions offer one."""

from tests.conftest import log_in
from tests.factories import make_organizer, make_user
from tests.integration.calendar.helpers import personal_url
from tests.integration.signups.helpers import placed_run, published_edition


def test_a_new_secret_key_revokes_every_personal_address(app, client):
    make_user(email="mei@example.com")
    url = personal_url(client, "mei@example.com")

    app.config["SECRET_KEY"] = "a-brand-new-key"  # which also signs everyone out
    log_in(client, "mei@example.com")

    assert client.get(url).status_code == 404
    assert "You have no feed address yet" in client.get("/calendar").get_data(as_text=True)


def test_a_nul_character_in_a_path_is_a_400(client):
    assert client.get("/calendar/%00.ics").status_code == 400


def test_an_unpublished_session_page_offers_no_calendar_link(client):
    edition = published_edition(is_published=False, published_at=None)
    run = placed_run(edition)
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")
    body = client.get(f"/sessions/{run.session_id}").get_data(as_text=True)

    assert f"/sessions/{run.session_id}.ics" not in body
