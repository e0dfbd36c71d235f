"""`flask --app learningweek …` commands."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

import click
import sqlalchemy as sa
from flask import Flask, current_app, url_for

from learningweek.accounts import services as accounts
from learningweek.accounts.models import User
from learningweek.accounts.services import PASSWORD_MIN_LENGTH
from learningweek.core.database import begin_write_transaction, utcnow
from learningweek.core.errors import DomainError
from learningweek.demo.commands import demo_command
from learningweek.extensions import db
from learningweek.notifications.mail import DeliveryReport, Letter, SmtpSettings, deliver
from learningweek.web.links import at_base_url, session_url


@click.command("create-organizer")
@click.argument("email")
@click.option("--name", help="Display name for a new account (default: the email's local part).")
def create_organizer_command(email: str, name: str | None) -> None:
    """Make EMAIL an organizer, creating the account (asking for a password) if needed."""
    begin_write_transaction(db.session)
    existing = accounts.find_user_by_email(db.session, email)
    password = None
    if existing is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < PASSWORD_MIN_LENGTH:
            raise click.ClickException(f"Use at least {PASSWORD_MIN_LENGTH} characters.")
    try:
        user = accounts.make_organizer(
            db.session, email, password=password, name=name or email.split("@")[0]
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    verb = "is now an organizer" if existing else "was created as an organizer"
    click.echo(f"{user.email} {verb}.")


@click.command("schedule")
@click.argument("edition_slug")
@click.option("--seconds", type=float, default=None, help="Search time (default: config).")
def schedule_command(edition_slug: str, seconds: float | None) -> None:
    """Place the runs of EDITION_SLUG automatically, keeping pinned ones."""
    from learningweek.editions.models import Edition
    from learningweek.schedule.conflicts import settings_from
    from learningweek.schedule.services import schedule_edition
    from learningweek.schedule.views import describe

    # Like a write request: what the scheduler reads cannot change before it writes.
    begin_write_transaction(db.session)
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == edition_slug))
    if edition is None:
        raise click.ClickException(f"No edition has the address {edition_slug!r}.")
    organizer = db.session.scalar(
        sa.select(User).where(User.is_organizer, User.is_active).order_by(User.id)
    )
    if organizer is None:
        raise click.ClickException("Create an organizer first (flask create-organizer EMAIL).")
    report = schedule_edition(
        db.session,
        edition,
        actor=organizer,
        now=utcnow(),
        settings=settings_from(current_app.config),
        time_limit=seconds or current_app.config["LEARNINGWEEK_SCHEDULER_SECONDS"],
    )
    db.session.commit()
    click.echo(describe(report))
    for run, reason in report.unplaced.items():
        click.echo(f"  not placed: {run.learning_session.title}: {reason}")


@click.command("expire-offers")
def expire_offers_command() -> None:
    """Pass on every held seat whose offer ran out (run it from cron, e.g. every 5 minutes)."""
    from learningweek.schedule.models import Run
    from learningweek.signups.services import pass_on_due_offers, runs_with_due_offers

    now = utcnow()
    expired = 0
    run_ids = runs_with_due_offers(db.session, now)
    db.session.rollback()
    # A transaction per run: one run's trouble does not hold back the others' seats.
    for run_id in run_ids:
        begin_write_transaction(db.session)
        expired += pass_on_due_offers(db.session, db.session.get_one(Run, run_id), now=now)
        db.session.commit()
    click.echo(f"{_counted(expired, 'expired offer')} passed on.")


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _run_pass(service: Callable[..., int]) -> int:
    """Run one cron pass of a service in a write transaction and commit: what it counted."""
    begin_write_transaction(db.session)
    count = service(db.session, now=utcnow())
    db.session.commit()
    return count


@click.command("request-feedback")
def request_feedback_command() -> None:
    """Ask the attendees of every run that ended for feedback, once (run it from cron)."""
    from learningweek.feedback.services.answers import request_feedback

    click.echo(f"{_counted(_run_pass(request_feedback), 'feedback request')} queued.")


def smtp_settings(config) -> SmtpSettings | None:
    """The SMTP settings from configuration, or None when no server is configured."""
    if not config["LEARNINGWEEK_SMTP_HOST"]:
        return None
    return SmtpSettings(
        host=config["LEARNINGWEEK_SMTP_HOST"],
        port=config["LEARNINGWEEK_SMTP_PORT"],
        security=config["LEARNINGWEEK_SMTP_SECURITY"],
        user=config["LEARNINGWEEK_SMTP_USER"],
        password=config["LEARNINGWEEK_SMTP_PASSWORD"],
        sender=config["LEARNINGWEEK_MAIL_SENDER"],
        sender_name=config["LEARNINGWEEK_SITE_NAME"],
        max_attempts=config["LEARNINGWEEK_MAIL_MAX_ATTEMPTS"],
    )


def send_pending_mail(*, worker: str, limit: int) -> DeliveryReport:
    """One delivery pass with the app's settings, links and invitations."""
    from learningweek.calendar.services import invitation

    config = current_app.config
    settings = smtp_settings(config)
    if settings is None:
        raise RuntimeError("No SMTP server is configured (LEARNINGWEEK_SMTP_HOST).")

    def letter_for(notification) -> Letter:
        link = session_url(notification.session_id) if notification.session_id else None
        return Letter(
            site_name=config["LEARNINGWEEK_SITE_NAME"],
            link=link or url_for("notifications.mine", _external=True),
            preferences_url=url_for("accounts.profile", _external=True),
        )

    def invitation_for(notification) -> bytes | None:
        if notification.run_id is None or not notification.calendar_method:
            return None
        return invitation(
            db.session,
            notification.run_id,
            method=notification.calendar_method,
            session_url=session_url,
            host=config["LEARNINGWEEK_HOST_NAME"],
            organizer=settings.sender,
            organizer_name=settings.sender_name,
            attendee=notification.recipient,
            now=utcnow(),
        )

    begin_write_transaction(db.session)
    with at_base_url():
        return deliver(
            db.session,
            settings,
            worker=worker,
            now=utcnow(),
            limit=limit,
            letter_for=letter_for,
            invitation_for=invitation_for,
            clock=utcnow,
        )


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep going, polling for new messages.")
@click.option("--interval", type=float, default=30.0, help="Seconds between polls with --loop.")
@click.option("--batch", type=int, default=50, help="Messages per pass.")
def send_mail_command(loop: bool, interval: float, batch: int) -> None:
    """Send pending mail over SMTP; failures are retried with back-off, then marked failed."""
    if smtp_settings(current_app.config) is None:
        click.echo(
            "No SMTP server is configured (LEARNINGWEEK_SMTP_HOST): mail stays in the outbox."
        )
        return
    worker = f"{socket.gethostname()}-{os.getpid()}"[:40]
    while True:
        try:
            report = send_pending_mail(worker=worker, limit=batch)
        except Exception:  # noqa: BLE001  (a long-running worker logs and goes on)
            if not loop:
                raise
            current_app.logger.exception("send-mail pass failed; trying again")
            report = None
        finally:
            db.session.remove()
        if report is not None and (report.sent or report.retried or report.failed or not loop):
            click.echo(
                f"sent {report.sent}, to retry {report.retried}, failed {report.failed}, "
                f"postponed {report.postponed}"
            )
        if not loop:
            return
        handled = report.sent + report.retried + report.failed if report else 0
        if handled < batch:  # a full batch means more may be waiting: go again at once
            time.sleep(interval)


@click.command("remind")
def remind_command() -> None:
    """Queue the day-before reminders (run it daily from cron; running it twice is safe)."""
    from learningweek.signups.services import send_reminders

    click.echo(f"{_counted(_run_pass(send_reminders), 'reminder')} queued.")


def register_commands(app: Flask) -> None:
    """Attach the app's commands to `flask`."""
    app.cli.add_command(create_organizer_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(schedule_command)
    app.cli.add_command(expire_offers_command)
    app.cli.add_command(request_feedback_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(remind_command)
