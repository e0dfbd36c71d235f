"""The one place that decides, for any change, who is told what and what their calendar gets.

A change is described as tidings: one per person it touches, naming the run, whether
that run was in the person's calendar before the change and whether it is now, and
what the text needs. `announce` turns them into queued notifications: the text comes
from `templates/mail/kinds/<template>.txt` (subject and body blocks), the calendar
method from the before and after alone:

- in the calendar after the change: REQUEST (the run's current SEQUENCE rides along,
  so a moved or renamed run replaces the event the person holds);
- in it before but not after: CANCEL;
- in it neither before nor after: no invitation.

Because the method follows from "is this run in this person's calendar now", the
invitations mailed to someone always rebuild the calendar their feed and agenda show.
Services describe what happened; they never compose texts or pick methods themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import NotificationKind
from learningweek.core.localtime import format_local
from learningweek.editions.models import Room
from learningweek.notifications.models import Notification
from learningweek.notifications.services import queue_notification
from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail" / "kinds"
REQUEST, CANCEL = "REQUEST", "CANCEL"
_NOTHING: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Tiding:
    """One thing a change did to one person.

    `was_in_calendar` and `is_in_calendar` say whether `run` was, and is, an event in
    their calendar (a seat they hold in a run that takes place); `template` names the
    text (the kind's own by default); `facts` are what the text needs beyond the run.
    """

    kind: NotificationKind
    person: User
    run: Run | None = None
    learning_session: LearningSession | None = None
    was_in_calendar: bool = False
    is_in_calendar: bool = False
    template: str = ""
    facts: Mapping[str, Any] = field(default_factory=lambda: _NOTHING)

    @property
    def calendar_method(self) -> str | None:
        """REQUEST while the run is in their calendar, CANCEL when it just left it."""
        if self.run is None:
            return None
        if self.is_in_calendar:
            return REQUEST
        if self.was_in_calendar:
            return CANCEL
        return None

    @property
    def session(self) -> LearningSession | None:
        """The session the tiding is about."""
        if self.learning_session is not None:
            return self.learning_session
        return self.run.learning_session if self.run is not None else None


def tiding(
    kind: NotificationKind,
    person: User,
    run: Run | None = None,
    *,
    was_in_calendar: bool = False,
    is_in_calendar: bool = False,
    template: str = "",
    learning_session: LearningSession | None = None,
    **facts: Any,
) -> Tiding:
    """A tiding with its facts as keywords."""
    return Tiding(
        kind=kind,
        person=person,
        run=run,
        learning_session=learning_session,
        was_in_calendar=was_in_calendar,
        is_in_calendar=is_in_calendar,
        template=template,
        facts=MappingProxyType(dict(facts)),
    )


# --- texts ------------------------------------------------------------------------------


def plural(count: int, one: str, many: str) -> str:
    """ "1 person", "3 people": the count with the word that fits it."""
    return f"{count} {one if count == 1 else many}"


def run_label(run: Run) -> str:
    """The run as messages name it: its session's title and its local start."""
    learning_session = run.learning_session
    if run.starts_at is None:
        return f"“{learning_session.title}”"
    when = format_local(run.starts_at, learning_session.edition.zone)
    return f"“{learning_session.title}” on {when}"


def place(run: Run) -> str:
    """Where the run takes place, as messages name it."""
    return room_place(run.room)


def room_place(room: Room | None) -> str:
    """A room as messages name it: its name and location, or that it is online."""
    if room is None:
        return "no room"
    if room.is_online:
        return f"{room.name} (online)"
    return ", ".join(part for part in (room.name, room.location) if part)


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=False,  # plain text; the mail's HTML escapes it when it wraps the body
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
_environment.globals.update(plural=plural, run_label=run_label, place=place)


def _local(tiding_: Tiding):
    def local(instant: datetime | None) -> str:
        learning_session = tiding_.session
        zone = learning_session.edition.zone if learning_session is not None else "UTC"
        return format_local(instant, zone)

    return local


def listing(items: Iterable[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_environment.globals.update(listing=listing)
_environment.filters["run_label"] = run_label
# The same texts as HTML (`<kind>.html`, paragraph by paragraph), escaping what people wrote.
_html = _environment.overlay(autoescape=True)


def _context(tiding_: Tiding) -> dict[str, Any]:
    learning_session = tiding_.session
    context = {
        "person": tiding_.person,
        "run": tiding_.run,
        "session": learning_session,
        "title": learning_session.title if learning_session is not None else "",
        "local": _local(tiding_),
        "comment": "",
        "comment_author": "",
        "was_in_calendar": tiding_.was_in_calendar,
        "is_in_calendar": tiding_.is_in_calendar,
        "calendar_method": tiding_.calendar_method,
        **tiding_.facts,
    }
    context["comment"] = (context["comment"] or "").strip()
    return context


def _template(tiding_: Tiding) -> jinja2.Template:
    return _environment.get_template(f"{tiding_.template or tiding_.kind.value}.txt")


def _block(template: jinja2.Template, name: str, context: dict[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(context)))


def render(tiding_: Tiding) -> tuple[str, str]:
    """The tiding's subject and text body."""
    template, context = _template(tiding_), _context(tiding_)
    subject = _block(template, "subject", context)
    # Paragraphs are separated by one blank line, however the template's branches fell.
    body = re.sub(r"\n{3,}", "\n\n", _block(template, "body", context)).strip()
    return " ".join(subject.split()), body


def render_html(tiding_: Tiding) -> str:
    """The tiding's body as HTML paragraphs, for the mail's frame to wrap."""
    template = _html.get_template(f"{tiding_.template or tiding_.kind.value}.html")
    html = _block(template, "body", _context(tiding_))
    return "\n".join(line.strip() for line in html.splitlines() if line.strip())


CALENDAR_WORDS = {
    (REQUEST, True): "their calendar event is updated (an invitation is attached)",
    (REQUEST, False): "the event is added to their calendar (an invitation is attached)",
    (CANCEL, True): "the event is removed from their calendar",
    (None, False): "nothing changes in their calendar",
}


def told(tiding_: Tiding) -> str:
    """What the person will be told, as an organizer's preview says it: the summary
    the message's own template gives, and what the calendar method does.

    Previews build the very tidings the change will announce and describe them here,
    so they cannot promise anything other than what is sent."""
    template, context = _template(tiding_), _context(tiding_)
    if "summary" in template.blocks:
        summary = " ".join(_block(template, "summary", context).split())
    else:
        summary = f"a message “{render(tiding_)[0]}”"
    method = tiding_.calendar_method
    calendar = CALENDAR_WORDS[(method, tiding_.was_in_calendar if method else False)]
    return f"{summary[:1].upper()}{summary[1:]}; {calendar}."


# --- telling ----------------------------------------------------------------------------


def announce(db_session: DbSession, tidings: Iterable[Tiding]) -> list[Notification]:
    """Queue one message per tiding, with the invitation its calendar needs."""
    queued = []
    for item in tidings:
        subject, body = render(item)
        html = render_html(item)
        method = item.calendar_method
        learning_session = item.session
        queued.append(
            queue_notification(
                db_session,
                recipient=item.person,
                kind=item.kind,
                subject=subject,
                body=body,
                session_id=learning_session.id if learning_session is not None else None,
                run_id=item.run.id if method and item.run is not None else None,
                calendar_method=method,
                html=html,
            )
        )
    return queued
