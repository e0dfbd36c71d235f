"""Every route of the app with its placeholders filled, so tests can walk them all."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from learningweek.core.enums import ProposalStatus
from tests.factories import (
    make_edition,
    make_notification,
    make_proposal,
    make_reflection,
    make_room,
    make_run,
    make_signup,
    make_topic,
    make_user,
)

# Logging out when not logged in is harmless, so it needs no login either. Calendar
# clients cannot log in: feeds of published programmes are public, personal ones secret.
PUBLIC_ENDPOINTS = {
    "static",
    "accounts.login",
    "accounts.register",
    "accounts.logout",
    "calendar.session_feed",
    "calendar.edition_feed",
    "calendar.topic_feed",
    "calendar.personal_feed",
}


@dataclass(frozen=True)
class Route:
    endpoint: str
    url: str
    methods: frozenset[str]

    @property
    def is_organizer_only(self) -> bool:
        return self.url.startswith("/organize/")


def existing_objects() -> dict[str, object]:
    """One row of each kind, to fill URL placeholders."""
    edition = make_edition(slug="walk-edition")
    user = make_user()
    run = make_run(make_proposal(edition=edition, status=ProposalStatus.ACCEPTED))
    topic = make_topic()
    return {
        "session_id": make_proposal(edition=edition).id,
        "run_id": run.id,
        "signup_id": make_signup(run, user).id,
        "reflection_id": make_reflection(run.learning_session, user).id,
        "edition_id": edition.id,
        "slug": edition.slug,
        "room_id": make_room().id,
        "topic_id": topic.id,
        "topic_slug": topic.slug,
        "token": "no-such-token",
        "notification_id": make_notification(user).id,
        "user_id": user.id,
    }


def all_routes(app: Flask, values: dict[str, object]) -> list[Route]:
    """Every rule except static files, built with `values` for its arguments."""
    routes = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        arguments = {name: values[name] for name in rule.arguments}
        url = adapter.build(rule.endpoint, arguments)
        routes.append(Route(rule.endpoint, url, frozenset(rule.methods - {"HEAD", "OPTIONS"})))
    return routes
