"""Outgoing mail: a notification as a text and HTML message, and its SMTP delivery.

Rendering is pure (a Jinja environment of its own, no request); delivery claims
messages so that two workers never send the same one, retries failures with
back-off, and gives up after a number of attempts, keeping the error.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, quote
from pathlib import Path
from typing import cast

import jinja2
import markupsafe
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.calendar.ical import method_of
from learningweek.core.database import DbSession, begin_write_transaction
from learningweek.core.enums import DeliveryState
from learningweek.core.errors import DomainError
from learningweek.core.text import one_line
from learningweek.notifications.models import Notification
from learningweek.notifications.services import wants_mail

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html"]),
    keep_trailing_newline=True,
)
# A worker that dies mid-batch leaves its claim; after this others may take the messages.
CLAIM_LEASE = timedelta(minutes=5)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Letter:
    """What a message says beyond its notification: who it greets and where it points."""

    site_name: str
    link: str | None = None
    link_text: str = "Open it in Learning Week"
    preferences_url: str | None = None


def render(notification: Notification, letter: Letter) -> tuple[str, str]:
    """The message's text and HTML bodies."""
    context = {
        "name": notification.recipient.display_name,
        "body": notification.body,
        "paragraphs": [p for p in notification.body.split("\n\n") if p.strip()],
        # The kind's own HTML when the message was queued with it.
        "content": markupsafe.Markup(notification.html_content or ""),
        "link": letter.link,
        "link_text": letter.link_text,
        "site_name": letter.site_name,
        "preferences_url": letter.preferences_url,
    }
    text = _templates.get_template("message.txt").render(context)
    html = _templates.get_template("message.html").render(context)
    return text, html


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server, and as whom."""

    host: str
    port: int
    security: str  # "starttls", "tls" (implicit) or "none"
    user: str
    password: str
    sender: str
    sender_name: str
    timeout: float = 30.0
    max_attempts: int = 5


def mailbox(name: str, address: str) -> str:
    """A To header's `Name <address>`, on one line. formataddr refuses an address beyond
    ASCII (jörg.müller@…), which may still go out when the server offers SMTPUTF8: then
    the name is quoted here, and smtplib sends the header as UTF-8."""
    name = one_line(name)
    if address.isascii():
        return formataddr((name, address))
    return f'"{quote(name)}" <{address}>'


def email_message(
    notification: Notification,
    settings: SmtpSettings,
    letter: Letter,
    *,
    now: datetime,
    invitation: bytes | None = None,
) -> EmailMessage:
    """The MIME message: text, its HTML alternative and any calendar invitation.

    The invitation goes as RFC 6047 has it, a `text/calendar; method=…` alternative
    of the text (Outlook and Gmail offer "add to calendar" from that part alone), and
    again as an `application/ics` attachment for readers that show only attachments
    (the type Google uses, so that no client takes it for a second invitation).
    """
    text, html = render(notification, letter)
    message = EmailMessage()
    # Headers are one line: stored titles and names may hold line breaks.
    message["Subject"] = one_line(notification.subject)
    message["From"] = formataddr((settings.sender_name, settings.sender))
    message["To"] = mailbox(notification.recipient.display_name, notification.recipient.email)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(
        idstring=f"notification-{notification.id}", domain=settings.sender.rpartition("@")[2]
    )
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if invitation is not None:
        message.add_alternative(
            invitation,
            maintype="text",
            subtype="calendar",
            cte=_transfer_encoding(invitation),
            # The part's method must be the calendar's own (RFC 6047 section 2.4).
            params={"method": method_of(invitation), "charset": "UTF-8"},
        )
        message.add_attachment(
            invitation,
            maintype="application",
            subtype="ics",
            cte=_transfer_encoding(invitation),
            filename="invitation.ics",
        )
    return message


def _transfer_encoding(calendar: bytes) -> str:
    """7bit when the calendar is ASCII (its lines are folded to 75 octets), else base64:
    the exact bytes arrive, CRLFs and UTF-8 included, through any relay."""
    return "7bit" if calendar.isascii() else "base64"


def claim(db_session: DbSession, *, worker: str, now: datetime, limit: int) -> list[int]:
    """Take up to `limit` messages that are due and unclaimed, for this worker alone.

    One UPDATE does it: on PostgreSQL its inner SELECT skips rows another worker is
    claiming at that moment, and the repeated claim condition drops any a concurrent
    worker took first; on SQLite the write lock makes it atomic. The caller commits.
    """
    unclaimed = sa.or_(Notification.claimed_until.is_(None), Notification.claimed_until < now)
    due = (
        sa.select(Notification.id)
        .where(
            Notification.state == DeliveryState.PENDING,
            Notification.next_attempt_at <= now,
            unclaimed,
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    if db_session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    until = now + CLAIM_LEASE
    db_session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(due.scalar_subquery()), unclaimed)
        .values(claimed_by=worker, claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return list(
        db_session.scalars(
            sa.select(Notification.id)
            .where(Notification.claimed_by == worker, Notification.claimed_until == until)
            .order_by(Notification.id)
        )
    )


def record_sent(notification: Notification, *, now: datetime) -> None:
    """The server accepted the message."""
    notification.state = DeliveryState.SENT
    notification.sent_at = now
    notification.attempts += 1
    notification.last_error = None
    notification.claimed_by = notification.claimed_until = None


def record_failure(
    notification: Notification,
    error: str,
    *,
    now: datetime,
    max_attempts: int,
    permanent: bool = False,
) -> None:
    """Count a failed attempt: try again later (1, 2, 4, … minutes on), or give up, at
    once when the server's answer was permanent."""
    notification.attempts += 1
    notification.last_error = error[:2000]
    notification.claimed_by = notification.claimed_until = None
    if permanent or notification.attempts >= max_attempts:
        notification.state = DeliveryState.FAILED
    else:
        notification.next_attempt_at = now + timedelta(minutes=2 ** (notification.attempts - 1))


class NotFailed(DomainError):
    """Only a message that failed can be retried: the others are on their way or sent."""

    flash_category = "info"


def retry(notification: Notification, *, now: datetime) -> None:
    """An organizer sends a failed message again, from a fresh count of attempts."""
    if notification.state != DeliveryState.FAILED:
        raise NotFailed("Only failed messages can be retried.")
    notification.state = DeliveryState.PENDING
    notification.attempts = 0
    notification.next_attempt_at = now


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An open, logged-in SMTP connection as the settings describe it."""
    if settings.security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout,
            context=ssl.create_default_context(),
        )  # fmt: skip
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if settings.user:
        smtp.login(settings.user, settings.password)
    return smtp


NO_SMTPUTF8 = (
    "The address has characters beyond ASCII, and the mail server does not accept such "
    "addresses (it does not offer SMTPUTF8)."
)


def describe(error: Exception) -> str:
    """An error as an organizer reads it in the outbox: the server's own words if any."""
    if isinstance(error, smtplib.SMTPNotSupportedError) and "SMTPUTF8" in str(error):
        return NO_SMTPUTF8
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        return f"SMTP {code} {reply.decode(errors='replace')}"
    if isinstance(error, smtplib.SMTPResponseException):
        said = error.smtp_error
        text = said.decode(errors="replace") if isinstance(said, bytes) else said
        return f"SMTP {error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"


def is_permanent(error: Exception) -> bool:
    """A 5xx reply (no such mailbox, refused): asking again will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


@dataclass
class DeliveryReport:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    postponed: int = 0  # handed back untried: the server was down or went away


def load_claimed(db_session: DbSession, ids: list[int]) -> list[Notification]:
    """The claimed messages with their recipients."""
    return list(
        db_session.scalars(
            sa.select(Notification)
            .options(joinedload(Notification.recipient))
            .where(Notification.id.in_(ids))
            .order_by(Notification.id)
        )
    )


def _hold(
    db_session: DbSession,
    notification: Notification,
    *,
    worker: str,
    clock: Callable[[], datetime],
) -> bool:
    """Renew this worker's claim on a message just before sending it; False when the
    claim ran out and another worker took it (then it is theirs to send)."""
    # An UPDATE's result is a cursor's, which counts the rows it matched.
    renewed = cast(
        sa.CursorResult,
        db_session.execute(
            sa.update(Notification)
            .where(
                Notification.id == notification.id,
                Notification.claimed_by == worker,
                Notification.state == DeliveryState.PENDING,
            )
            .values(claimed_until=clock() + CLAIM_LEASE)
            .execution_options(synchronize_session=False)
        ),
    )
    db_session.commit()
    return renewed.rowcount == 1


def _release(db_session: DbSession, messages: list[Notification], *, retry_at: datetime) -> None:
    """Hand messages back untried, without counting an attempt: the server, not the
    message, was the trouble (down, refusing logins, or gone mid-batch)."""
    db_session.execute(
        sa.update(Notification)
        .where(Notification.id.in_([n.id for n in messages]))
        .values(claimed_by=None, claimed_until=None, next_attempt_at=retry_at)
        .execution_options(synchronize_session=False)
    )
    db_session.commit()


# Errors a message's own content causes (an address or header that cannot be sent):
# trying again cannot help, so the message fails at once.
MESSAGE_ERRORS = (UnicodeError, ValueError, smtplib.SMTPNotSupportedError)
RETRY_AFTER_OUTAGE = timedelta(minutes=1)


def deliver(
    db_session: DbSession,
    settings: SmtpSettings,
    *,
    worker: str,
    now: datetime,
    limit: int,
    letter_for: Callable[[Notification], Letter],
    invitation_for: Callable[[Notification], bytes | None],
    clock: Callable[[], datetime] | None = None,
) -> DeliveryReport:
    """One pass: claim due messages, send them over one SMTP connection, record each.

    Each outcome is committed as it happens, so a worker that dies mid-batch resends at
    most the message it was sending, and each send first renews the claim, so a slow
    pass never sends what another worker took over. A server that is down or drops
    the connection costs the messages no attempt. `letter_for` and `invitation_for`
    supply what a message needs from the app; `clock` tells the time as the pass goes.
    """
    clock = clock or (lambda: now)
    ids = claim(db_session, worker=worker, now=now, limit=limit)
    db_session.commit()
    report = DeliveryReport()
    if not ids:
        return report
    messages = load_claimed(db_session, ids)

    def as_writer() -> None:
        # What was read to build the message ends here; the outcome is written as a
        # writer (on SQLite a read transaction could not turn into a write).
        db_session.commit()
        begin_write_transaction(db_session)

    def failed(
        notification: Notification, error: Exception, *, permanent: bool, building: bool = False
    ) -> None:
        as_writer()
        reason = describe(error)
        record_failure(
            notification,
            f"The message could not be built: {reason}" if building else reason,
            now=clock(),
            max_attempts=settings.max_attempts,
            permanent=permanent,
        )
        if notification.state == DeliveryState.FAILED:
            report.failed += 1
        else:
            report.retried += 1
        db_session.commit()

    try:
        smtp = connect(settings)
    except OSError:  # smtplib's errors are OSErrors too: refused, timed out, bad login
        _release(db_session, messages, retry_at=now + RETRY_AFTER_OUTAGE)
        report.postponed = len(messages)
        return report
    with smtp:
        for index, notification in enumerate(messages):
            if not wants_mail(notification.recipient, notification.kind):
                as_writer()  # turned off after it was queued
                notification.state = DeliveryState.SKIPPED
                notification.claimed_by = notification.claimed_until = None
                db_session.commit()
                continue
            try:
                letter = letter_for(notification)
                text_and_html = render(notification, letter)
                message = email_message(
                    notification,
                    settings,
                    letter,
                    now=clock(),
                    invitation=invitation_for(notification),
                )
            except sa.exc.SQLAlchemyError:
                raise  # the database, not this message, is in trouble: stop the pass
            except Exception as error:
                # One message's data must never stall the queue behind it: it fails,
                # saying why, and the pass goes on.
                if not isinstance(error, MESSAGE_ERRORS):
                    logger.exception("Notification %s could not be built", notification.id)
                failed(notification, error, permanent=True, building=True)
                continue
            as_writer()
            if not _hold(db_session, notification, worker=worker, clock=clock):
                continue
            try:
                smtp.send_message(message)
            except MESSAGE_ERRORS as error:
                failed(notification, error, permanent=True)
                continue
            except smtplib.SMTPServerDisconnected:
                gone = True
            except smtplib.SMTPException as error:  # the server answered: about this message
                failed(notification, error, permanent=is_permanent(error))
                continue
            except OSError:  # the connection broke
                gone = True
            else:
                gone = False
            if gone:
                as_writer()
                _release(db_session, messages[index:], retry_at=clock() + RETRY_AFTER_OUTAGE)
                report.postponed += len(messages) - index
                return report
            as_writer()
            notification.html_body = text_and_html[1]
            record_sent(notification, now=clock())
            report.sent += 1
            db_session.commit()
    return report
