"""The migration that cleans stored text: one-line text gets one line, paragraphs keep
their line breaks, and unique names stay unique."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from learningweek.accounts.models import User
from learningweek.editions.models import Edition, Room, Topic
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.proposals.models import LearningSession
from tests.conftest import make_test_config
from tests.factories import (
    make_edition,
    make_proposal,
    make_room,
    make_topic,
    make_user,
)
from tests.integration.test_migrations import empty_database

BEFORE_CLEANING = "5e0b7d2c41a9"
WRITTEN_AT = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _insert_notification_as_then(recipient: User, *, subject: str, body: str) -> None:
    table = sa.Table("notifications", sa.MetaData(), autoload_with=db.session.connection())
    db.session.execute(
        table.insert().values(
            recipient_id=recipient.id,
            kind="run_moved",
            subject=subject,
            body=body,
            html_body="",
            state="pending",
            attempts=0,
            next_attempt_at=WRITTEN_AT,
            created_at=WRITTEN_AT,
        )
    )
    db.session.commit()


def test_upgrading_cleans_line_breaks_and_control_characters_out_of_stored_text(
    server_url, tmp_path
):
    from learningweek import create_app

    with empty_database(server_url, tmp_path) as url:
        app = create_app(make_test_config(url))
        with app.app_context():
            upgrade(revision=BEFORE_CLEANING)
            mei = make_user(display_name="Mei\r\nChen", department="Data\x07")
            edition = make_edition(name="Spring\r\n2027", description="One.\r\n\r\nTwo\x1b.")
            make_room(name="Orion East")
            make_room(name="Orion\nEast", location="Building B\x0b ")
            make_topic(name="Data", slug="data")
            make_topic(name="Data\n", slug="data-2")
            make_proposal(
                edition=edition,
                lead=mei,
                title="Pandas\r\nfor all",
                language="English\n",
                abstract="First.\r\nSecond.\u2028Third.",
            )
            # Written with the table as it was then: the model has columns added since.
            _insert_notification_as_then(
                mei, subject="Moved: Pandas\r\nfor all", body="Hi\r\n\r\nIt\x0cmoved."
            )
            db.session.remove()

            upgrade()

            user = db.session.scalar(sa.select(User))
            cleaned_edition = db.session.scalar(sa.select(Edition))
            session = db.session.scalar(sa.select(LearningSession))
            notification = db.session.scalar(sa.select(Notification))
            rooms = db.session.execute(
                sa.select(Room.id, Room.name, Room.location).order_by(Room.id)
            ).all()
            topics = db.session.execute(sa.select(Topic.id, Topic.name).order_by(Topic.id)).all()
            db.session.remove()
            db.engine.dispose()

    assert (user.display_name, user.department) == ("Mei Chen", "Data")
    assert (cleaned_edition.name, cleaned_edition.description) == ("Spring 2027", "One.\n\nTwo.")
    assert (session.title, session.language, session.abstract) == (
        "Pandas for all",
        "English",
        "First.\nSecond.\nThird.",
    )
    assert (notification.subject, notification.body) == ("Moved: Pandas for all", "Hi\n\nItmoved.")
    (first_room, _, _), (second_room, _, _) = rooms
    assert [tuple(room) for room in rooms] == [
        (first_room, "Orion East", "Building A"),
        (second_room, f"Orion East ({second_room})", "Building B"),
    ]
    (first_topic, _), (second_topic, _) = topics
    assert [tuple(topic) for topic in topics] == [
        (first_topic, "Data"),
        (second_topic, f"Data ({second_topic})"),
    ]
