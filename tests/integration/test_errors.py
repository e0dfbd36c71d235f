"""Error pages share the layout; bad input never turns into a 500."""

import pytest
import sqlalchemy as sa

from learningweek.accounts.models import User
from learningweek.extensions import db
from tests.conftest import log_in
from tests.factories import make_organizer, make_user
from tests.integration.html import heading, page
from tests.integration.routes import all_routes, existing_objects

GARBAGE_VALUES = ["", "x" * 10_000, "\x00", "-1", "99999999999999999999", "<script>", "ü", "1e309"]


def test_404_page_uses_the_layout(client):
    response = client.get("/nowhere")

    assert response.status_code == 404
    assert heading(response) == "Not found"
    assert page(response).select_one("link[rel=stylesheet]")["href"].startswith("/static/")


def test_500_page_rolls_back_and_shows_the_layout(fresh_app):
    app = fresh_app

    @app.get("/boom")
    def boom():
        db.session.add(User(email="half@example.com", display_name="Half", password_hash="x"))
        db.session.flush()
        raise RuntimeError("unexpected")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")

    assert response.status_code == 500
    assert heading(response) == "Something went wrong"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_405_for_wrong_method(client):
    response = client.get("/logout")

    assert response.status_code == 405
    assert heading(response) == "Method not allowed"


@pytest.mark.parametrize("value", GARBAGE_VALUES, ids=lambda v: repr(v[:12]))
def test_no_form_answers_500_to_garbage(app, value):
    values = existing_objects()
    make_organizer(email="boss@example.com")
    client = app.test_client()
    log_in(client, "boss@example.com")
    field_names = {
        "email", "password", "confirm", "display_name", "department", "current_password",
        "new_password", "name", "slug", "description", "time_zone", "first_day", "last_day",
        "day_starts_at", "day_ends_at", "slot_minutes", "proposals_open", "proposals_close",
        "signup_opens", "signup_closes", "feedback_days", "kind", "capacity", "location",
        "equipment", "meeting_url", "is_active", "colour", "remember", "next", "q", "role", "page",
    }  # fmt: skip
    routes = [r for r in all_routes(app, values) if r.endpoint != "accounts.logout"]

    for route in routes:
        for method in route.methods:
            if method == "GET":
                response = client.get(route.url, query_string={"q": value, "page": value})
            else:
                response = client.post(route.url, data=dict.fromkeys(field_names, value))
            assert response.status_code < 500, (route.url, method, response.status_code)


def test_unicode_and_long_input_are_kept_as_given(client):
    make_user(email="mei@example.com")
    log_in(client, "mei@example.com")

    client.post(
        "/account",
        data={"email": "mei@example.com", "display_name": "Zoë Ångström-李", "department": ""},
    )

    assert "Zoë Ångström-李" in page(client.get("/account")).find(id="display_name")["value"]


def test_nul_characters_are_refused_with_a_clear_message(client):
    make_user(email="mei@example.com")

    response = client.post("/login", data={"email": "mei@example.com\x00", "password": "x"})

    assert response.status_code == 400
    assert "NUL character" in page(response).get_text()


def test_pages_carry_security_headers(client):
    response = client.get("/login")

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
