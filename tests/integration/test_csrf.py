"""Every state-changing form is refused without a valid CSRF token."""

from tests.factories import DEFAULT_PASSWORD, make_organizer
from tests.integration.html import page
from tests.integration.routes import all_routes, existing_objects


def _token(client, url: str) -> str:
    return page(client.get(url)).find("input", {"name": "csrf_token"})["value"]


def test_every_post_is_refused_without_a_csrf_token(csrf_app):
    client = csrf_app.test_client()
    make_organizer(email="boss@example.com")
    token = _token(client, "/login")
    client.post(
        "/login",
        data={"email": "boss@example.com", "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert client.get("/account").status_code == 200
    posts = [route for route in all_routes(csrf_app, existing_objects()) if "POST" in route.methods]

    for route in posts:
        for data in ({}, {"csrf_token": "forged-token"}):
            response = client.post(route.url, data=data)
            assert response.status_code == 400, route.url
            assert "CSRF" in response.get_data(as_text=True), route.url

    assert len(posts) >= 15
    assert client.get("/account").status_code == 200


def test_login_without_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    make_organizer(email="boss@example.com")

    response = client.post(
        "/login", data={"email": "boss@example.com", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_post_with_valid_token_is_accepted(csrf_app):
    client = csrf_app.test_client()
    make_organizer(email="boss@example.com")

    response = client.post(
        "/login",
        data={
            "email": "boss@example.com",
            "password": DEFAULT_PASSWORD,
            "csrf_token": _token(client, "/login"),
        },
    )

    assert response.status_code == 302
