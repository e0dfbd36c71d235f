"""Hostile input to every field of every form, and odd Host headers: never a 500.

The forms are found the way a browser finds them: every page of the app (every GET
route, its placeholders filled with real rows) is opened as an organizer who also
teaches, attends and waits, and every <form> on it is collected with the values it
shows. Each field of each form is then sent each hostile value in turn, the other
fields keeping their shown values, so a value has to get past the form's own checks
to reach the services. Fixed tables, not random ones: the run is the same every time.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask, got_request_exception
from flask.testing import FlaskClient

from learningweek.core.database import utcnow
from learningweek.core.enums import ProposalStatus, RoomKind, SignupStatus
from tests.conftest import log_in
from tests.factories import (
    make_edition,
    make_notification,
    make_organizer,
    make_proposal,
    make_reflection,
    make_room,
    make_run,
    make_signup,
    make_topic,
    make_user,
)
from tests.integration.html import heading
from tests.integration.routes import all_routes

# Every field gets the text values; fields of a kind also get that kind's values.
TEXT_VALUES = [
    "",
    "line\r\nbreak",
    "tab\tbell\x07escape\x1b[31mdel\x7fnext\x85sep\u2028end",
    "x" * 5000,
    "not-a-choice",
    "Zoë Ångström-李 🎉",
]
NUMBER_VALUES = ["-1", "-99999999999999999999", "99999999999999999999", "1e309", "NaN", "³"]
DATE_VALUES = [
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "0001-01-01",
    "9999-12-31",
    "2027-02-30",
    "24:61",
]
URL_VALUES = ["http://[::1", "javascript:alert(1)", "https://exämple.com/\r\nx"]
HOSTILE_VALUES_BY_KIND = {
    "text": URL_VALUES,
    "search": URL_VALUES,
    "url": URL_VALUES,
    "email": ["jörg.müller@exämple.com", "a@b.c\r\nBcc: x@y.z"],
    "color": ["#4f6d7a\n", "#4F6D7A ", "red"],
    "textarea": [],
    "number": NUMBER_VALUES,
    "date": DATE_VALUES,
    "datetime-local": DATE_VALUES,
    "time": DATE_VALUES,
}
# Choices, check boxes, hidden and button values are ids, enum values or numbers.
OTHER_KIND_VALUES = NUMBER_VALUES
# FieldList indices a browser never sends: a superscript digit, a 5000-digit number,
# one far past the list's end.
EXTRA_LIST_FIELDS = {
    "resources-²-title": "x",
    "resources-²-url": "https://example.com",
    f"resources-{'9' * 5000}-title": "x",
    "resources-99999-url": "http://[::1",
    "objectives-²": "x",
    f"objectives-{'1' * 5000}": "x",
    "objectives-99999": "x",
}
ODD_HOSTS = [
    "a" * 300 + ".example.com",
    "a" * 64 + ".example.com",
    "x." * 200 + "example.com",
    "[::1",
    "example.com:99999999",
    "exa mple.com",
    "exämple.com",
    "..",
    "example.com\x7f",
]
# Ending the session would leave the rest of the walk logged out.
SKIPPED_ACTIONS = {"/logout"}


@dataclass
class FoundForm:
    """A form as a page shows it: where it goes, how, the values it would send and the
    kind of each field (its input type, or select, textarea, button)."""

    action: str
    method: str
    values: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.action, self.method, tuple(sorted(self.values)))

    def fuzzed_fields(self) -> list[str]:
        """The fields to send hostile values to: entries of a list past the first are
        the same field again (`resources-1-title` is `resources-0-title`)."""
        return [
            name
            for name in self.values
            if name != "csrf_token" and not re.search(r"-[1-9][0-9]*(-|$)", name)
        ]

    def variants(self) -> Iterator[dict[str, list[str] | str]]:
        """The shown values with extra list entries, then with each field hostile in turn."""
        yield self.values | EXTRA_LIST_FIELDS
        for name in self.fuzzed_fields():
            kind = self.kinds[name]
            for value in TEXT_VALUES + HOSTILE_VALUES_BY_KIND.get(kind, OTHER_KIND_VALUES):
                yield self.values | {name: value}


def _kind(control) -> str:
    if control.name in {"select", "textarea", "button"}:
        return control.name
    return control.get("type", "text")


def _shown_values(form) -> tuple[dict[str, list[str]], dict[str, str]]:
    values: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for control in form.find_all(["input", "select", "textarea", "button"]):
        name = control.get("name")
        if not name:
            continue
        shown = values.setdefault(name, [])
        kinds.setdefault(name, _kind(control))
        if control.name == "select":
            options = control.find_all("option")
            chosen = [o for o in options if o.has_attr("selected")] or options[:1]
            shown.extend(o.get("value", o.get_text()) for o in chosen)
        elif control.name == "textarea":
            shown.append(control.get_text())
        elif control.get("type") in {"checkbox", "radio"}:
            if control.has_attr("checked"):
                shown.append(control.get("value", "y"))
        elif control.name != "button" and control.get("type") != "submit":
            shown.append(control.get("value", ""))
    return values, kinds


def forms_on(html: str, page_url: str) -> Iterator[FoundForm]:
    """Every form of a page, with the values it would send as shown."""
    for form in BeautifulSoup(html, "html.parser").find_all("form"):
        action = urlsplit(form.get("action") or page_url)
        url = action.path + (f"?{action.query}" if action.query else "")
        values, kinds = _shown_values(form)
        yield FoundForm(url, form.get("method", "get").upper(), values, kinds)


# Sign-up is open, proposals for the main edition too, and a run of the week before
# asks for feedback: every form has a page that shows it.
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def fixed_clock(monkeypatch):
    """Every module of the app tells the time NOW (each imported `utcnow` by name)."""
    for name, module in list(sys.modules.items()):
        if name.startswith("learningweek") and getattr(module, "utcnow", None) is utcnow:
            monkeypatch.setattr(module, "utcnow", lambda: NOW)


def _run(learning_session, day: int, room, month: int = 3):
    return make_run(
        learning_session, starts_at=datetime(2027, month, day, 9, tzinfo=UTC), room=room
    )


def walk_objects() -> dict[str, object]:
    """Rows for every URL placeholder, and pages that show every other form.

    The organizer leads a draft (the proposal form), decides a submitted proposal,
    holds a seat in a session with two runs (switching), waits for a full run, has a
    seat offered, can sign up for another, stars a session of next year's edition
    and gives feedback on a run of the week before.
    """
    organizer = make_organizer(email="boss@example.com")
    colleague = make_user(email="colleague@example.com")
    published = {"is_published": True, "published_at": datetime(2027, 1, 1, tzinfo=UTC)}
    edition = make_edition(slug="walk-edition", first_day=date(2027, 3, 8),
                           proposals_close_at=NOW + timedelta(days=7), **published)  # fmt: skip
    topic = make_topic()
    room = make_room(capacity=30)
    make_room(kind=RoomKind.ONLINE, meeting_url="https://meet.example.com/x", location="")

    def accepted(**fields):
        values = {"edition": edition, "lead": colleague, "status": ProposalStatus.ACCEPTED}
        return make_proposal(**(values | fields))

    draft = make_proposal(edition=edition, lead=organizer)
    submitted = make_proposal(edition=edition, lead=colleague, status=ProposalStatus.SUBMITTED)
    two_runs = accepted()
    run = _run(two_runs, 8, room)
    _run(two_runs, 10, room)
    seat = make_signup(run, organizer)
    full_run = _run(accepted(max_participants=1), 9, room)
    # A published run moves through a confirmation page; an unplaced one is placed
    # straight from its page, which is where the place form is.
    unplaced_run = make_run(accepted())
    make_signup(full_run, colleague)
    make_signup(full_run, organizer, status=SignupStatus.WAITLISTED, confirmed_at=None)
    offered_run = _run(accepted(), 11, room)
    offer = make_signup(offered_run, organizer, status=SignupStatus.OFFERED, confirmed_at=None,
                        offer_expires_at=NOW + timedelta(days=1))  # fmt: skip
    open_session = accepted()
    _run(open_session, 12, room)
    past = make_edition(slug="past-edition", first_day=date(2027, 2, 22), **published)
    past_session = make_proposal(edition=past, lead=colleague, status=ProposalStatus.ACCEPTED)
    past_run = _run(past_session, 22, room, month=2)
    make_signup(past_run, organizer)
    upcoming = make_edition(slug="next-edition", first_day=date(2028, 3, 6))
    make_proposal(edition=upcoming, lead=colleague, status=ProposalStatus.ACCEPTED)
    return {
        "session_id": draft.id,
        "run_id": run.id,
        "signup_id": seat.id,
        "reflection_id": make_reflection(two_runs, organizer).id,
        "edition_id": edition.id,
        "slug": edition.slug,
        "room_id": room.id,
        "topic_id": topic.id,
        "topic_slug": topic.slug,
        "token": "no-such-token",
        "notification_id": make_notification(organizer).id,
        "user_id": colleague.id,
        # Pages the placeholders above do not reach.
        "extra_pages": [
            f"/sessions/{two_runs.id}",
            f"/sessions/{open_session.id}",
            f"/sessions/{full_run.session_id}",
            f"/proposals/{submitted.id}",
            f"/proposals/{two_runs.id}",
            f"/signups/{offer.id}/offer",
            f"/runs/{past_run.id}/feedback",
            f"/runs/{past_run.id}/roster",
            f"/sessions/{past_session.id}/reflection",
            f"/organize/editions/{past.id}/board",
            f"/organize/runs/{full_run.id}",
            f"/organize/runs/{unplaced_run.id}",
            f"/editions/{upcoming.slug}/coming-up",
            "/organize/editions/new",
            "/organize/rooms/new",
            "/organize/topics/new",
            f"/editions/{edition.slug}/propose",
        ],
    }


def page_urls(app: Flask, values: dict[str, object]) -> list[str]:
    """Every page: each GET route with the placeholders filled, and the extra pages."""
    routes = all_routes(app, values)
    urls = [route.url for route in routes if "GET" in route.methods]
    return [*urls, *values["extra_pages"]]  # type: ignore[misc]


def collect_forms(client: FlaskClient, urls: list[str]) -> list[FoundForm]:
    """Every distinct form on the pages at `urls`."""
    found: dict[tuple, FoundForm] = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for form in forms_on(response.get_data(as_text=True), url):
            if form.action not in SKIPPED_ACTIONS:
                found.setdefault(form.key, form)
    return list(found.values())


def _send(client: FlaskClient, form: FoundForm, data: dict[str, list[str] | str]):
    if form.method == "POST":
        return client.post(form.action, data=data)
    return client.get(form.action, query_string=data)


@pytest.fixture
def errors(app) -> list[str]:
    """What each answer of 500 was raised by; the app answers 500 instead of raising."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    raised: list[str] = []

    def record(sender, exception, **extra) -> None:
        raised.append(f"{type(exception).__name__}: {str(exception)[:200]}")

    got_request_exception.connect(record, app)
    yield raised
    got_request_exception.disconnect(record, app)


def test_hostile_values_in_any_field_of_any_form_never_answer_500(app, client, fixed_clock, errors):
    values = walk_objects()
    log_in(client, "boss@example.com")
    forms = collect_forms(client, page_urls(app, values))
    actions = {re.sub(r"/[0-9]+(/|$)", r"/<id>\1", form.action) for form in forms}
    failures = []
    sent = 0

    for form in forms:
        for data in form.variants():
            response = _send(client, form, data)
            sent += 1
            if response.status_code >= 500:
                changed = {k: v for k, v in data.items() if form.values.get(k) != v}
                failures.append((form.method, form.action, repr(changed)[:120], errors[-1:]))

    assert failures == []
    assert sent >= 1000
    # The walk reached every kind of form (a failing page would hide its forms).
    assert actions >= {
        "/account", "/account/password", "/organize/people/<id>/deactivate",
        "/organize/editions/new", "/organize/editions/<id>/edit", "/organize/rooms/new",
        "/organize/rooms/<id>/edit", "/organize/topics/new", "/organize/topics/<id>/edit",
        "/editions/walk-edition/propose", "/proposals/<id>/edit", "/proposals/<id>/submit",
        "/proposals/<id>/decide", "/proposals/<id>/co-teachers", "/proposals/<id>/withdraw",
        "/proposals/<id>/cancel", "/organize/runs/<id>/place", "/organize/runs/<id>/seats",
        "/organize/runs/<id>/extra-run", "/organize/runs/<id>/cancel", "/runs/<id>/signup",
        "/signups/<id>/cancel", "/signups/<id>/switch", "/signups/<id>/accept",
        "/signups/<id>/decline", "/runs/<id>/feedback", "/sessions/<id>/reflection",
        "/sessions/<id>/interest", "/editions/walk-edition/programme", "/calendar/renew",
    }  # fmt: skip


def test_odd_host_headers_never_answer_500(app, client, fixed_clock, errors):
    values = walk_objects()
    urls = page_urls(app, values)
    failures = []

    for logged_in in (False, True):
        if logged_in:
            log_in(client, "boss@example.com")
        for url in urls:
            for host in ODD_HOSTS:
                response = client.get(url, headers={"Host": host})
                if response.status_code >= 500:
                    failures.append((logged_in, url, host[:40], errors[-1:]))

    assert failures == []


def test_an_odd_host_header_is_refused_with_the_error_page(client):
    response = client.get("/login", headers={"Host": "a" * 300 + ".example.com"})

    assert response.status_code == 400
    assert heading(response) == "Bad request"
