"""`flask --app learningweek demo`: fill an empty database with a demo edition."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask import current_app

from learningweek.accounts.models import User
from learningweek.core.database import begin_write_transaction, utcnow
from learningweek.demo.large import HEAVY_USER_EMAIL, ORGANIZER_EMAIL, load_large_demo
from learningweek.demo.small import DEMO_PASSWORD, load_demo
from learningweek.extensions import db


@click.command("demo")
@click.option(
    "--size",
    type=click.Choice(["small", "large"]),
    default="small",
    show_default=True,
    help="small: a few dozen people through the services; large: the company-size edition.",
)
# For tests and quick tries: a share of the large edition's people, sessions and sign-ups.
@click.option("--scale", type=float, default=1.0, hidden=True)
def demo_command(size: str, scale: float) -> None:
    """Fill an empty database with a demo edition, rooms, topics and people."""
    begin_write_transaction(db.session)
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("The database already has data; the demo leaves it as it is.")
        return
    if size == "large":
        _large_demo(scale)
        return
    people = load_demo(
        db.session, now=utcnow(), time_zone=current_app.config["LEARNINGWEEK_DEFAULT_TIME_ZONE"]
    )
    db.session.commit()
    click.echo(f"Demo data is ready. Log in with any of these (password for all: {DEMO_PASSWORD}):")
    for user in people:
        role = "organizer" if user.is_organizer else "employee"
        click.echo(f"  {user.email:<32} {role:<10} {user.display_name}")
    click.echo(
        "…and 40 more colleagues (e.g. alex.andersson@example.com) who teach and star sessions."
    )


def _large_demo(scale: float) -> None:
    started = time.perf_counter()
    counts = load_large_demo(
        db.session,
        now=utcnow(),
        time_zone=current_app.config["LEARNINGWEEK_DEFAULT_TIME_ZONE"],
        scale=scale,
    )
    db.session.commit()
    # Fresh planner statistics: until autovacuum gets to them, PostgreSQL plans for the
    # empty tables it last saw (a 0.5 ms query took 60 ms in the benchmark).
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    click.echo(f"Large demo written in {time.perf_counter() - started:.1f} s:")
    for label, value in (
        ("people", counts.people),
        ("rooms", counts.rooms),
        ("accepted sessions", counts.sessions),
        ("runs placed", counts.runs),
        ("runs left unplaced", counts.unplaced),
        ("interest marks", counts.interests),
        ("sign-ups confirmed", counts.confirmed),
        ("sign-ups waitlisted", counts.waitlisted),
        ("check-ins (attended)", counts.attended),
        ("feedback answers", counts.feedback),
    ):
        click.echo(f"  {label:<22} {value:>8,}")
    click.echo(
        f"Password for all: {DEMO_PASSWORD}. Organizer: {ORGANIZER_EMAIL}; "
        f"a person with many sign-ups: {HEAVY_USER_EMAIL}; others are person3@example.com …"
    )
