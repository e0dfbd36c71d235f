"""Reading feeds in tests: their events, a person's feed address, an ETag."""

import io

import icalendar
import vobject

from tests.conftest import log_in
from tests.integration.html import page


def events_of(response) -> dict[str, icalendar.Event]:
    """The feed's events by SUMMARY, after checking a second parser reads it the same."""
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.get_data()
    parsed = icalendar.Calendar.from_ical(body)
    other = vobject.readOne(io.StringIO(body.decode()))
    events = parsed.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    assert sorted(uids) == sorted(v.uid.value for v in getattr(other, "vevent_list", []))
    return {str(e["SUMMARY"]): e for e in events}


def personal_url(client, email: str) -> str:
    """Log in, make the personal feed link on My calendar, and return its path."""
    log_in(client, email)
    client.post("/calendar/renew")
    url = page(client.get("/calendar")).select_one("#feed-url")["value"]
    return url.removeprefix("http://localhost")


def etag(client, url: str) -> str:
    """The ETag a feed answers with now."""
    return client.get(url).headers["ETag"]
