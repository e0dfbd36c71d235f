"""Mail delivery against a real SMTP server on 127.0.0.1 (aiosmtpd, started by the tests)."""

from __future__ import annotations

import email
import re
import socket
import threading
from datetime import timedelta
from email import policy

import icalendar
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session

from learningweek.cli import send_pending_mail
from learningweek.core.database import utcnow
from learningweek.core.enums import DeliveryState, NotificationKind
from learningweek.extensions import db
from learningweek.notifications import tidings
from learningweek.notifications.mail import deliver
from learningweek.notifications.models import Notification
from learningweek.notifications.services import queue_notification
from learningweek.schedule import services as schedule
from learningweek.schedule.conflicts import Settings
from learningweek.signups import services as signups
from tests.conftest import log_in
from tests.factories import make_notification, make_organizer, make_user
from tests.integration.signups.helpers import NOW, at, placed_run, published_edition


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An SMTP handler that keeps what it receives, or answers with `refuse` instead."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: str | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        if self.refuse:
            return self.refuse
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def inbox(app):
    """A running SMTP server, and the app configured to use it."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
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


def states() -> list[tuple[DeliveryState, int]]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(Notification.state, Notification.attempts)).all())


def invitation_of(message) -> icalendar.Calendar:
    """The calendar of the message's `text/calendar` part (RFC 6047)."""
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_content())


def test_a_sign_up_mails_a_confirmation_with_an_invitation(app, inbox):
    run = placed_run(published_edition(), starts_at=at(10), title="Pandas för alla")
    mei = make_user(email="mei@example.com", display_name="Mei Chen")
    signups.sign_up(db.session, run, mei, now=NOW)
    db.session.commit()

    report = send_pending_mail(worker="test", limit=10)

    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    (message,) = inbox.messages
    assert message["To"] == "Mei Chen <mei@example.com>"
    assert message["Date"]
    assert message["Message-ID"]
    assert message["Subject"] == "You are signed up: Pandas för alla"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.startswith("Hello Mei Chen,")
    assert f"https://week.example.com/sessions/{run.session_id}" in text
    assert "<p>Hello Mei Chen,</p>" in html
    calendar = invitation_of(message)
    event = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"learningweek-run-{run.id}@learningweek.localhost"
    assert event["SEQUENCE"] == run.sequence
    assert str(event["ORGANIZER"]) == "mailto:week@example.com"
    assert states() == [(DeliveryState.SENT, 1)]


def test_links_in_mail_come_from_the_routes_under_the_base_url(app, inbox):
    app.config["LEARNINGWEEK_BASE_URL"] = "https://intra.example.com/learning"
    run = placed_run(published_edition(), starts_at=at(10))
    mei = make_user(email="mei@example.com")
    signups.sign_up(db.session, run, mei, now=NOW)
    db.session.commit()
    make_notification(mei, subject="Without a session")

    send_pending_mail(worker="test", limit=10)

    about_run, without_session = (m.get_body(("plain",)).get_content() for m in inbox.messages)
    session_page = f"https://intra.example.com/learning/sessions/{run.session_id}"
    assert session_page in about_run
    assert str(invitation_of(inbox.messages[0]).walk("VEVENT")[0]["URL"]) == session_page
    assert "https://intra.example.com/learning/notifications" in without_session
    assert "Which mails you get: https://intra.example.com/learning/account" in about_run


def test_a_cancelled_run_mails_a_cancellation_that_removes_the_event(app, inbox):
    run = placed_run(published_edition(), starts_at=at(10))
    signups.sign_up(db.session, run, make_user(), now=NOW)
    db.session.commit()
    send_pending_mail(worker="test", limit=10)
    schedule.cancel_run(db.session, run, actor=make_organizer(), now=NOW)
    db.session.commit()

    send_pending_mail(worker="test", limit=10)

    cancellation = inbox.messages[-1]
    calendar = invitation_of(cancellation)
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["SEQUENCE"] == 1
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_a_move_mails_the_attendees_the_new_invitation(app, inbox):
    run = placed_run(published_edition(), starts_at=at(10))
    signups.sign_up(db.session, run, make_user(email="mei@example.com"), now=NOW)
    db.session.commit()
    schedule.place_run(
        db.session, run, at(15), run.room, actor=make_organizer(), now=NOW, settings=Settings()
    )
    db.session.commit()

    send_pending_mail(worker="test", limit=10)

    moved = next(m for m in inbox.messages if "has moved" in m["Subject"] and "mei@" in m["To"])
    event = invitation_of(moved).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART").astimezone(at(15).tzinfo) == at(15)


def test_a_refusing_server_leaves_messages_pending_and_they_go_later(app, inbox):
    make_notification(make_user())
    inbox.refuse = "451 4.3.0 Try again later"

    first = send_pending_mail(worker="test", limit=10)
    message = db.session.scalar(sa.select(Notification))
    db.session.refresh(message)
    error, wait = message.last_error, message.next_attempt_at - utcnow()
    second = send_pending_mail(worker="test", limit=10)  # before the back-off ends: nothing
    inbox.refuse = None
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    third = send_pending_mail(worker="test", limit=10)

    assert (first.retried, second.sent + second.retried, third.sent) == (1, 0, 1)
    assert "451" in error
    assert timedelta(0) < wait <= timedelta(minutes=1)
    assert states() == [(DeliveryState.SENT, 2)]
    assert len(inbox.messages) == 1


def test_a_server_that_is_down_loses_nothing_and_costs_no_attempt(app, inbox):
    make_notification(make_user())
    app.config["LEARNINGWEEK_SMTP_PORT"] = free_port()  # nothing listens there

    report = send_pending_mail(worker="test", limit=10)

    message = db.session.scalar(sa.select(Notification))
    assert report.postponed == 1
    assert (message.state, message.attempts, message.claimed_by) == (
        DeliveryState.PENDING,
        0,
        None,
    )
    assert message.next_attempt_at > utcnow()


def test_a_permanent_refusal_fails_at_once(app, inbox):
    make_notification(make_user())
    inbox.refuse = "550 5.1.1 No such user"

    report = send_pending_mail(worker="test", limit=10)

    assert report.failed == 1
    assert states() == [(DeliveryState.FAILED, 1)]


def test_after_the_last_attempt_a_message_is_marked_failed_and_can_be_retried(app, client, inbox):
    notification = make_notification(make_user())
    app.config["LEARNINGWEEK_MAIL_MAX_ATTEMPTS"] = 2
    inbox.refuse = "452 4.2.2 Mailbox full"
    for _ in range(2):
        send_pending_mail(worker="test", limit=10)
        db.session.execute(sa.update(Notification).values(next_attempt_at=utcnow()))
        db.session.commit()
    assert states() == [(DeliveryState.FAILED, 2)]

    make_organizer(email="boss@example.com")
    log_in(client, "boss@example.com")
    outbox = client.get("/organize/outbox").get_data(as_text=True)
    client.post(f"/organize/outbox/{notification.id}/retry")
    inbox.refuse = None
    send_pending_mail(worker="test", limit=10)

    assert "452 4.2.2 Mailbox full" in outbox
    assert states() == [(DeliveryState.SENT, 1)]


def test_a_rolled_back_change_leaves_no_message(app):
    queue_notification(
        db.session, recipient=make_user(), kind=NotificationKind.RUN_MOVED, subject="x", body="y"
    )
    db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_without_an_smtp_server_the_worker_says_so(runner):
    result = runner.invoke(args=["send-mail"])

    assert "No SMTP server is configured" in result.output


def test_two_workers_at_once_never_send_a_message_twice(app, inbox):
    people = [make_user() for _ in range(30)]
    for person in people:
        make_notification(person)
    settings_app = app

    def work(name: str) -> None:
        with settings_app.app_context():
            from learningweek.cli import smtp_settings
            from learningweek.notifications.mail import Letter

            with Session(db.engine) as session:
                for _ in range(10):
                    deliver(
                        session,
                        smtp_settings(settings_app.config),
                        worker=name,
                        now=utcnow(),
                        limit=4,
                        letter_for=lambda n: Letter(site_name="Week"),
                        invitation_for=lambda n: None,
                    )

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    recipients = [m["To"] for m in inbox.messages]
    assert len(recipients) == 30
    assert len(set(recipients)) == 30
    assert states() == [(DeliveryState.SENT, 1)] * 30


# --- reminders and preferences ------------------------------------------------------------


def test_remind_queues_one_reminder_per_seat_for_runs_tomorrow(app, inbox):
    edition = published_edition()
    tomorrow = placed_run(edition, starts_at=at(10, day=9), title="Tomorrow")
    placed_run(edition, starts_at=at(10, day=11), title="Later")
    seated = make_user()
    signups.sign_up(db.session, tomorrow, seated, now=NOW)
    db.session.commit()
    evening_before = at(18, day=8)

    first = signups.send_reminders(db.session, now=evening_before)
    second = signups.send_reminders(db.session, now=evening_before + timedelta(hours=1))
    db.session.commit()

    reminders = db.session.scalars(
        sa.select(Notification.recipient_id).where(Notification.kind == NotificationKind.REMINDER)
    ).all()
    assert (first, second) == (1, 0)
    assert reminders == [seated.id]


def test_the_remind_command(runner):
    assert runner.invoke(args=["remind"]).output.strip() == "0 reminders queued."


def test_turned_off_mails_stay_in_the_app_only(app, inbox):
    quiet = make_user(wants_reminder_mail=False)
    loud = make_user()
    for person in (quiet, loud):
        queue_notification(
            db.session, recipient=person, kind=NotificationKind.REMINDER, subject="Soon", body="."
        )
    db.session.commit()

    send_pending_mail(worker="test", limit=10)

    assert [m["To"] for m in inbox.messages] == [f"{loud.display_name} <{loud.email}>"]
    kept = db.session.scalars(
        sa.select(Notification.state).where(Notification.recipient_id == quiet.id)
    ).all()
    assert kept == [DeliveryState.SKIPPED]


def test_a_mail_turned_off_after_queueing_is_not_sent(app, inbox):
    person = make_user()
    queue_notification(
        db.session, recipient=person, kind=NotificationKind.FEEDBACK_REQUEST, subject="?", body="."
    )
    db.session.commit()
    person.wants_feedback_mail = False
    db.session.commit()

    send_pending_mail(worker="test", limit=10)

    assert inbox.messages == []
    assert states() == [(DeliveryState.SKIPPED, 0)]


def test_confirmations_always_go_whatever_the_preferences(app, inbox):
    run = placed_run(published_edition(), starts_at=at(10))
    person = make_user(wants_reminder_mail=False, wants_feedback_mail=False)
    signups.sign_up(db.session, run, person, now=NOW)
    db.session.commit()

    send_pending_mail(worker="test", limit=10)

    assert len(inbox.messages) == 1
    assert (
        "Which mails you get: https://week.example.com/account"
        in inbox.messages[0].get_body(("plain",)).get_content()
    )


def test_the_profile_page_saves_mail_preferences(client):
    person = make_user(email="mei@example.com")
    log_in(client, person.email)
    data = {"email": person.email, "display_name": person.display_name, "department": "Data",
            "wants_feedback_mail": "y"}  # fmt: skip

    client.post("/account", data=data)

    db.session.refresh(person)
    assert (person.wants_reminder_mail, person.wants_feedback_mail) == (False, True)


# --- regressions from the review ----------------------------------------------------------


def test_a_claim_that_ran_out_mid_pass_is_not_sent_twice(app, inbox):
    from learningweek.cli import smtp_settings
    from learningweek.notifications.mail import Letter

    for _ in range(3):
        make_notification(make_user())
    start = utcnow()
    settings = smtp_settings(app.config)
    others_turn = []

    def slow_letter(notification):
        if not others_turn:  # worker A stalls; worker B comes along after A's claim ran out
            others_turn.append(True)
            with Session(db.engine) as other:
                deliver(other, settings, worker="B", now=start + timedelta(minutes=6),
                        limit=10, letter_for=lambda n: Letter(site_name="Week"),
                        invitation_for=lambda n: None)  # fmt: skip
        return Letter(site_name="Week")

    with Session(db.engine) as session:
        deliver(
            session,
            settings,
            worker="A",
            now=start,
            limit=10,
            letter_for=slow_letter,
            invitation_for=lambda n: None,
            clock=lambda: start + timedelta(minutes=7),
        )

    assert len(inbox.messages) == 3
    assert states() == [(DeliveryState.SENT, 1)] * 3


def test_waiting_people_hear_of_a_move_without_an_invitation(app, inbox):
    run = placed_run(published_edition(), starts_at=at(10), max_participants=1)
    signups.sign_up(db.session, run, make_user(email="seated@example.com"), now=NOW)
    signups.sign_up(db.session, run, make_user(email="waiting@example.com"), now=NOW)
    db.session.commit()
    schedule.place_run(
        db.session, run, at(15), run.room, actor=make_organizer(), now=NOW, settings=Settings()
    )
    db.session.commit()

    send_pending_mail(worker="test", limit=20)

    moved = {m["To"]: m for m in inbox.messages if "has moved" in m["Subject"]}
    by_address = {to.split("<")[1].rstrip(">"): m for to, m in moved.items()}
    assert len(list(by_address["seated@example.com"].iter_attachments())) == 1
    assert list(by_address["waiting@example.com"].iter_attachments()) == []


def test_a_run_moved_after_its_reminder_is_reminded_again(app):
    edition = published_edition()
    run = placed_run(edition, starts_at=at(10, day=9))
    signups.sign_up(db.session, run, make_user(), now=NOW)
    db.session.commit()
    assert signups.send_reminders(db.session, now=at(18, day=8)) == 1
    db.session.commit()
    schedule.place_run(
        db.session, run, at(10, day=11), run.room, actor=make_organizer(),
        now=at(19, day=8), settings=Settings(),
    )  # fmt: skip
    db.session.commit()

    assert signups.send_reminders(db.session, now=at(18, day=10)) == 1


def test_a_reminder_on_the_night_the_clocks_go_back(app):
    from datetime import UTC, date, datetime

    edition = published_edition(
        first_day=date(2027, 10, 31),
        slug="autumn",
        signup_opens_at=datetime(2027, 10, 1, tzinfo=UTC),
        signup_closes_at=datetime(2027, 11, 2, tzinfo=UTC),
    )
    late = at(23, 30, day=31).replace(month=10)
    run = placed_run(edition, starts_at=late)
    signups.sign_up(db.session, run, make_user(), now=late - timedelta(days=3))
    db.session.commit()

    just_after_midnight = at(0, 5, day=30).replace(month=10)

    assert signups.send_reminders(db.session, now=just_after_midnight) == 1


def test_an_unknown_smtp_security_is_refused():
    from config import Config, ConfigError

    with pytest.raises(ConfigError, match="LEARNINGWEEK_SMTP_SECURITY"):
        Config(environ={"LEARNINGWEEK_SMTP_SECURITY": "ssl"})


# --- each kind's own HTML -----------------------------------------------------------------


def test_every_kinds_text_template_has_an_html_twin():
    kinds = tidings.TEMPLATES
    texts = {path.stem for path in kinds.glob("*.txt")}
    htmls = {path.stem for path in kinds.glob("*.html")}

    assert texts == htmls
    assert {kind.value for kind in NotificationKind} <= texts


def test_a_moves_own_html_arrives_in_the_mail_with_a_link_to_the_agenda(app, inbox):
    edition = published_edition()
    moving = placed_run(edition, starts_at=at(10), title="Kanban <live>")
    other = placed_run(edition, starts_at=at(15), title="Git")
    mei = make_user(email="mei@example.com")
    signups.sign_up(db.session, moving, mei, now=NOW)
    signups.sign_up(db.session, other, mei, now=NOW)
    db.session.commit()
    schedule.place_run(
        db.session,
        moving,
        at(15),
        moving.room,
        actor=make_organizer(),
        now=NOW,
        settings=Settings(),
        force_clashes=True,
    )
    db.session.commit()

    send_pending_mail(worker="test", limit=20)

    moved = next(m for m in inbox.messages if "has moved" in m["Subject"] and "mei@" in m["To"])
    html = moved.get_body(("html",)).get_content()
    assert "<p>“Kanban &lt;live&gt;”, which you signed up for, moved from" in html
    assert re.search(r'keep on <a href="https?://[^"]+/agenda">your agenda</a>\.</p>', html)
    assert html.count("<p>Hello") == 1  # the mail's frame wraps the kind's own paragraphs


def test_a_message_queued_without_html_is_framed_from_its_text(app, inbox):
    make_notification(make_user(), body="First.\n\nSecond <b>.")

    send_pending_mail(worker="test", limit=10)

    html = inbox.messages[0].get_body(("html",)).get_content()
    assert "<p>First.</p><p>Second &lt;b&gt;.</p>" in html
