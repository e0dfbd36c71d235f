"""Who may see what: anonymous visitors log in first, employees get 403 on organizer pages."""

from tests.conftest import log_in
from tests.factories import make_organizer, make_user
from tests.integration.html import heading
from tests.integration.routes import PUBLIC_ENDPOINTS, all_routes, existing_objects


def test_every_page_but_login_and_register_sends_anonymous_visitors_to_login(app, client):
    routes = all_routes(app, existing_objects())
    checked = []

    for route in routes:
        if route.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in route.methods:
            response = client.open(route.url, method=method)
            checked.append((route.url, method, response.status_code))
            location = response.headers.get("Location", "")
            assert response.status_code == 302, (route.url, method)
            assert location.startswith("/login?next="), (route.url, method)

    assert len(checked) >= 20


def test_employees_get_403_on_every_organizer_page(app, client):
    routes = [route for route in all_routes(app, existing_objects()) if route.is_organizer_only]
    make_user(email="mei@example.com")
    log_in(client, "mei@example.com")

    for route in routes:
        for method in route.methods:
            response = client.open(route.url, method=method)
            assert response.status_code == 403, (route.url, method)
            assert heading(response) == "Not allowed"

    assert {route.endpoint for route in routes} >= {
        "accounts.people",
        "editions.manage",
        "editions.create",
        "editions.edit",
        "editions.rooms",
        "editions.create_room",
        "editions.edit_room",
        "editions.topics",
        "editions.create_topic",
        "editions.edit_topic",
    }


def test_organizers_can_open_every_organizer_page(app, client):
    routes = [route for route in all_routes(app, existing_objects()) if route.is_organizer_only]
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")

    for route in routes:
        if "GET" in route.methods:
            assert client.get(route.url).status_code == 200, route.url


def test_unknown_ids_give_404(client):
    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")

    for url in (
        "/editions/no-such-edition",
        "/organize/editions/999999/edit",
        "/organize/rooms/999999/edit",
        "/organize/topics/999999/edit",
        "/no/such/page",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert heading(response) == "Not found"


def test_employees_see_an_edition_only_once_proposals_open(client):
    from datetime import UTC, datetime

    from tests.factories import make_edition

    future = make_edition(
        slug="far-future",
        proposals_open_at=datetime(2099, 1, 1, tzinfo=UTC),
        proposals_close_at=datetime(2099, 2, 1, tzinfo=UTC),
    )
    make_user(email="mei@example.com")
    log_in(client, "mei@example.com")

    assert client.get(f"/editions/{future.slug}").status_code == 404
    assert "far-future" not in client.get("/").get_data(as_text=True)
