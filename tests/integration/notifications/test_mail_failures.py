"""Mail goes out whatever stored text holds; international addresses go when the server
takes them; a message that cannot be built fails alone, saying why."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from learningweek.cli import send_pending_mail
from learningweek.core.enums import DeliveryState
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.signups import services as signups
from tests.factories import make_notification, make_room, make_user
from tests.integration.notifications.test_mail import Inbox, free_port, inbox, invitation_of
from tests.integration.signups.helpers import NOW, at, placed_run, published_edition

__all__ = ["inbox"]  # the fixture, used by name

GERMAN = "jörg.müller@example.com"


@pytest.fixture
def ascii_inbox(app):
    """An SMTP server that does not offer SMTPUTF8 (aiosmtpd's does by default), and the
    app configured to use it."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=False)
    controller.start()
    app.config.update(
        LEARNINGWEEK_SMTP_HOST="127.0.0.1",
        LEARNINGWEEK_SMTP_PORT=port,
        LEARNINGWEEK_SMTP_SECURITY="none",
        LEARNINGWEEK_MAIL_SENDER="week@example.com",
        LEARNINGWEEK_BASE_URL="https://week.example.com",
    )
    yield handler
    controller.stop()


def outcomes() -> dict[str, tuple[DeliveryState, str | None]]:
    """Each message's state and error, by its recipient's address."""
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Notification)).all()
    return {n.recipient.email: (n.state, n.last_error) for n in rows}


def test_a_mail_about_a_title_stored_with_line_breaks_is_delivered(app, inbox):
    room = make_room(name="Orion\r\nEast")
    run = placed_run(published_edition(), starts_at=at(10), room=room, title="Pandas\r\nfor all")
    mei = make_user(email="mei@example.com", display_name="Mei\r\nChen\x07")
    signups.sign_up(db.session, run, mei, now=NOW)
    db.session.commit()

    report = send_pending_mail(worker="test", limit=10)

    (message,) = inbox.messages
    event = invitation_of(message).walk("VEVENT")[0]
    assert (report.sent, report.failed) == (1, 0)
    assert message["Subject"] == "You are signed up: Pandas for all"
    assert message["To"] == "Mei Chen <mei@example.com>"
    assert (event["SUMMARY"], event["LOCATION"]) == ("Pandas for all", "Orion East, Building A")


def test_a_non_ascii_address_is_delivered_when_the_server_offers_smtputf8(app, inbox):
    make_notification(make_user(email=GERMAN, display_name="Jörg Müller"))

    report = send_pending_mail(worker="test", limit=10)

    (message,) = inbox.messages
    assert (report.sent, report.failed) == (1, 0)
    assert message["To"] == f"Jörg Müller <{GERMAN}>"
    assert outcomes() == {GERMAN: (DeliveryState.SENT, None)}


def test_a_non_ascii_address_fails_with_a_reason_when_the_server_lacks_smtputf8(app, ascii_inbox):
    make_notification(make_user(email=GERMAN))
    make_notification(make_user(email="mei@example.com"))

    report = send_pending_mail(worker="test", limit=10)

    assert (report.sent, report.failed) == (1, 1)
    assert [m["To"].addresses[0].addr_spec for m in ascii_inbox.messages] == ["mei@example.com"]
    assert outcomes() == {
        GERMAN: (
            DeliveryState.FAILED,
            "The address has characters beyond ASCII, and the mail server does not accept "
            "such addresses (it does not offer SMTPUTF8).",
        ),
        "mei@example.com": (DeliveryState.SENT, None),
    }


def test_a_message_that_raises_while_built_fails_alone_and_the_others_go(app, inbox, monkeypatch):
    from learningweek.notifications import mail

    broken = make_notification(make_user(email="broken@example.com"))
    for n in range(3):
        make_notification(make_user(email=f"person-{n}@example.com"))
    render = mail.render

    def render_or_fail(notification, letter):
        if notification.id == broken.id:
            raise KeyError("no such template variable")
        return render(notification, letter)

    monkeypatch.setattr(mail, "render", render_or_fail)

    report = send_pending_mail(worker="test", limit=10)

    assert (report.sent, report.failed) == (3, 1)
    assert len(inbox.messages) == 3
    assert outcomes()["broken@example.com"] == (
        DeliveryState.FAILED,
        "The message could not be built: KeyError: 'no such template variable'",
    )
