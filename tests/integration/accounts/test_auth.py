"""Registering, logging in and out, remember-me, profile and password."""

import pytest
import sqlalchemy as sa

from learningweek.accounts.models import User
from learningweek.extensions import db
from tests.conftest import log_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.integration.html import field_error, flashes

REGISTRATION = {
    "email": "New.Person@Example.com",
    "display_name": "New Person",
    "department": "Radio",
    "password": "a long enough password",
    "confirm": "a long enough password",
}


def test_register_creates_account_and_logs_in(client):
    response = client.post("/register", data=REGISTRATION)

    assert response.status_code == 302
    user = db.session.scalar(sa.select(User))
    assert (user.email, user.display_name, user.department) == (
        "new.person@example.com",
        "New Person",
        "Radio",
    )
    assert user.password_hash.startswith("scrypt:")
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password": "short", "confirm": "short"}, "password", "at least 10 characters"),
        ({"confirm": "something else entirely"}, "confirm", "do not match"),
        ({"email": "not-an-email"}, "email", "Invalid email address"),
        ({"email": ""}, "email", "This field is required"),
        ({"display_name": ""}, "display_name", "This field is required"),
        ({"display_name": "x" * 121}, "display_name", "120 characters"),
    ],
    ids=["short-password", "mismatch", "bad-email", "no-email", "no-name", "long-name"],
)
def test_registration_errors_appear_next_to_field(client, changes, field, message):
    response = client.post("/register", data=REGISTRATION | changes)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_duplicate_email_is_refused_whatever_its_case(client):
    make_user(email="taken@example.com")

    response = client.post("/register", data=REGISTRATION | {"email": "TAKEN@Example.COM"})

    assert response.status_code == 422
    assert field_error(response, "email") == "An account with this email already exists."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_login_and_logout(client):
    make_user(email="ana@example.com")

    login = log_in(client, "ANA@example.com")
    logout = client.post("/logout")

    assert login.status_code == 302
    assert logout.headers["Location"] == "/login"
    assert client.get("/").headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("email", "password"),
    [("ana@example.com", "wrong password!"), ("nobody@example.com", DEFAULT_PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_wrong_credentials_get_one_generic_message(client, email, password):
    make_user(email="ana@example.com")

    response = log_in(client, email, password)

    assert response.status_code == 401
    assert flashes(response) == ["Invalid email or password."]


def test_inactive_user_cannot_log_in(client):
    make_user(email="gone@example.com", is_active=False)

    response = log_in(client, "gone@example.com")

    assert response.status_code == 401
    assert "deactivated" in flashes(response)[0]
    assert client.get("/").status_code == 302


def test_login_follows_local_next(client):
    make_user(email="ana@example.com")

    response = log_in(client, "ana@example.com", next="/account")

    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/phish", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
    ids=["absolute", "protocol-relative", "backslash", "javascript"],
)
def test_login_refuses_open_redirect(client, target):
    make_user(email="ana@example.com")

    response = log_in(client, "ana@example.com", next=target)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount"


def test_remember_me_sets_cookie_that_survives_the_session(client):
    make_user(email="ana@example.com")

    log_in(client, "ana@example.com", remember="y")
    remember_cookie = client.get_cookie("remember_token")
    client.delete_cookie("session")

    assert remember_cookie is not None
    assert remember_cookie.http_only is True
    assert client.get("/account").status_code == 200


def test_without_remember_me_closing_the_browser_logs_out(client):
    make_user(email="ana@example.com")

    log_in(client, "ana@example.com")
    client.delete_cookie("session")

    assert client.get_cookie("remember_token") is None
    assert client.get("/account").status_code == 302


def test_change_password(client):
    user = make_user(email="ana@example.com")
    log_in(client, "ana@example.com")

    response = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "an even longer secret",
            "confirm": "an even longer secret",
        },
    )
    client.post("/logout")

    assert response.status_code == 302
    assert log_in(client, "ana@example.com").status_code == 401
    assert log_in(client, "ana@example.com", "an even longer secret").status_code == 302
    db.session.refresh(user)
    assert user.login_generation == 1


def test_change_password_logs_out_other_devices(app):
    make_user(email="ana@example.com")
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, "ana@example.com")
    log_in(phone, "ana@example.com", remember="y")

    laptop.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "an even longer secret",
            "confirm": "an even longer secret",
        },
    )

    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    phone.delete_cookie("session")
    assert phone.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"current_password": "not my password", "new_password": "x" * 12, "confirm": "x" * 12},
            "current_password",
            "not correct",
        ),
        (
            {"current_password": DEFAULT_PASSWORD, "new_password": "short", "confirm": "short"},
            "new_password",
            "at least 10 characters",
        ),
        (
            {"current_password": DEFAULT_PASSWORD, "new_password": "x" * 12, "confirm": "y" * 12},
            "confirm",
            "do not match",
        ),
    ],
    ids=["wrong-current", "too-short", "mismatch"],
)
def test_change_password_errors_appear_next_to_field(client, data, field, message):
    make_user(email="ana@example.com")
    log_in(client, "ana@example.com")

    response = client.post("/account/password", data=data)

    assert response.status_code == 422
    assert message in field_error(response, field)


def test_edit_profile(client):
    user = make_user(email="ana@example.com")
    log_in(client, "ana@example.com")

    response = client.post(
        "/account",
        data={"email": "Ana.Ruiz@Example.com", "display_name": "Ana Ruiz", "department": "HR"},
    )

    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.email, user.display_name, user.department) == (
        "ana.ruiz@example.com",
        "Ana Ruiz",
        "HR",
    )


def test_profile_email_cannot_take_another_accounts(client):
    make_user(email="ana@example.com")
    make_user(email="mei@example.com")
    log_in(client, "ana@example.com")

    response = client.post(
        "/account", data={"email": "MEI@example.com", "display_name": "Ana", "department": ""}
    )

    assert response.status_code == 422
    assert "already exists" in field_error(response, "email")
