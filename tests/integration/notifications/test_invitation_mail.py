"""Mailed invitations as RFC 6047 has them, through a real SMTP server: a
`text/calendar; method=…; charset=UTF-8` alternative of the text, the same calendar
attached, non-ASCII intact, and an event that names who organizes and who attends."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import icalendar
import vobject

from learningweek.calendar.services import invitation
from learningweek.cli import send_pending_mail
from learningweek.extensions import db
from learningweek.schedule import services as schedule
from learningweek.signups import services as signups
from learningweek.web.links import session_url
from tests.factories import make_organizer, make_room, make_user
from tests.integration.signups.helpers import NOW, at, placed_run, published_edition

SÄLEN = "Sälen – Örebro"


def signed_up_run(email: str = "mei@example.com", **room):
    run = placed_run(
        published_edition(),
        starts_at=at(10),
        room=make_room(**({"capacity": 30} | room)),
        title="Pandas för alla",
    )
    person = make_user(email=email, display_name="Mei Chen")
    signups.sign_up(db.session, run, person, now=NOW)
    db.session.commit()
    return run, person


def calendar_parts(message):
    """The message's RFC 6047 part and its attached copy."""
    (mixed_body, attachment) = message.iter_parts()
    part = next(p for p in mixed_body.iter_parts() if p.get_content_type() == "text/calendar")
    return part, attachment


def test_the_invitation_is_a_text_calendar_alternative_with_its_method_and_charset(app, inbox):
    signed_up_run()

    send_pending_mail(worker="test", limit=10)

    (message,) = inbox.messages
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    part = list(alternative.iter_parts())[2]
    assert part.get_param("method") == "REQUEST"
    assert part.get_param("charset") == "UTF-8"
    assert part.get_content_disposition() is None  # shown as the invitation, not a file
    assert icalendar.Calendar.from_ical(part.get_content())["METHOD"] == "REQUEST"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invitation.ics"
    assert attachment.get_content() == part.get_content().encode()


def test_a_room_named_with_non_ascii_letters_arrives_intact_in_the_invitation(app, inbox):
    signed_up_run(name=SÄLEN, location="")

    send_pending_mail(worker="test", limit=10)

    part, attachment = calendar_parts(inbox.messages[0])
    for body in (part.get_content().encode(), attachment.get_content()):
        event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
        assert str(event["LOCATION"]) == SÄLEN
        assert str(event["SUMMARY"]) == "Pandas för alla"
        assert vobject.readOne(io.StringIO(body.decode())).vevent.location.value == SÄLEN


def test_a_cancelled_run_mails_a_cancel_part_with_a_cancel_inside(app, inbox):
    run, _ = signed_up_run()
    send_pending_mail(worker="test", limit=10)
    schedule.cancel_run(db.session, run, actor=make_organizer(), now=NOW)
    db.session.commit()

    send_pending_mail(worker="test", limit=10)

    part, _ = calendar_parts(inbox.messages[-1])
    assert part.get_param("method") == "CANCEL"
    calendar = icalendar.Calendar.from_ical(part.get_content())
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_the_mailed_event_names_the_person_as_attending_and_the_site_as_organizer(app, inbox):
    app.config["LEARNINGWEEK_SITE_NAME"] = "Lärveckan"
    signed_up_run()

    send_pending_mail(worker="test", limit=10)

    part, _ = calendar_parts(inbox.messages[0])
    event = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    assert str(event["ATTENDEE"]) == "mailto:mei@example.com"
    assert dict(event["ATTENDEE"].params) == {
        "CN": "Mei Chen",
        "PARTSTAT": "ACCEPTED",
        "RSVP": "FALSE",
    }
    assert str(event["ORGANIZER"]) == "mailto:week@example.com"
    assert event["ORGANIZER"].params["CN"] == "Lärveckan"


def test_an_invitations_last_modified_is_the_runs_last_change_not_the_sending(app):
    run, person = signed_up_run()
    changed, earlier = datetime(2027, 2, 20, 10, tzinfo=UTC), datetime(2027, 1, 5, tzinfo=UTC)
    run.changed_at = changed
    run.learning_session.updated_at = run.room.updated_at = earlier
    for teacher in run.learning_session.teachers:
        teacher.updated_at = earlier
    db.session.commit()
    sent = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)

    with app.test_request_context():
        body = invitation(
            db.session,
            run.id,
            method="REQUEST",
            session_url=session_url,
            host="learningweek.localhost",
            organizer="week@example.com",
            organizer_name="Learning Week",
            attendee=person,
            now=sent,
        )

    assert body is not None
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert event.decoded("LAST-MODIFIED") == changed
    assert event.decoded("DTSTAMP") == sent
