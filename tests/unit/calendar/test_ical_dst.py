"""Runs on the days the clocks change, in feeds and mailed invitations: every reader
finds each run at its stored UTC instants, for its real length, in four zones."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject

from learningweek.calendar.ical import FeedEvent, build_calendar, build_invitation
from tests.unit.calendar.dst_cases import DST_RUNS, DstRun, offset_changes_on
from tests.unit.calendar.readers import READERS

HOST = "learningweek.example.com"
CHANGED = datetime(2027, 2, 1, 12, tzinfo=UTC)
SENT = datetime(2027, 2, 20, 8, tzinfo=UTC)


def event_of(run: DstRun) -> FeedEvent:
    return FeedEvent(
        run_id=7,
        title="Kanban",
        description="",
        starts_at=run.starts_at,
        ends_at=run.ends_at,
        location="Orion",
        url=f"https://{HOST}/sessions/7",
        categories=(),
        sequence=0,
        last_changed=CHANGED,
    )


def feed(run: DstRun) -> bytes:
    return build_calendar(
        name="Learning Week",
        zone=run.zone,
        host=HOST,
        events=[event_of(run)],
        span=(run.day, run.day),
    )


def invitation(run: DstRun) -> bytes:
    return build_invitation(
        event_of(run),
        method="REQUEST",
        zone=run.zone,
        host=HOST,
        organizer=("Learning Week", "week@example.com"),
        attendee=("Mei Chen", "mei@example.com"),
        now=SENT,
    )


BUILDERS = {"feed": feed, "invitation": invitation}
RUN_IDS = [run.id for run in DST_RUNS]


@pytest.mark.parametrize("run", DST_RUNS, ids=RUN_IDS)
def test_the_cases_fall_on_the_days_the_clocks_change(run):
    # A wrong date here would leave the tests below testing an ordinary day.
    assert offset_changes_on(run.zone, run.day) is (run.zone_name != "Asia/Kolkata")
    wall_clock = run.starts_at.astimezone(run.zone)
    assert (wall_clock.replace(tzinfo=None), wall_clock.fold) == (  # a time that exists
        run.local_start.replace(tzinfo=None),
        run.local_start.fold,
    )


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("built", BUILDERS)
@pytest.mark.parametrize("run", DST_RUNS, ids=RUN_IDS)
def test_every_reader_finds_a_run_on_a_change_day_at_its_stored_utc_instants(run, built, reader):
    body = BUILDERS[built](run)

    assert READERS[reader](body) == [(run.starts_at, run.ends_at)]


REPEATED = [run for run in DST_RUNS if "repeated" in run.what]


@pytest.mark.parametrize("built", BUILDERS)
@pytest.mark.parametrize("run", REPEATED, ids=[run.id for run in REPEATED])
def test_a_run_in_the_repeated_hour_keeps_its_real_length_and_one_start(run, built):
    body = BUILDERS[built](run)

    readings = {name: read(body)[0] for name, read in READERS.items()}
    starts = {start for start, _ in readings.values()}
    lengths = {end - start for start, end in readings.values()}
    assert starts == {run.starts_at}
    assert lengths == {timedelta(minutes=run.minutes)}


@pytest.mark.parametrize("built", BUILDERS)
def test_a_run_in_the_repeated_hour_is_written_in_utc_and_others_in_the_editions_zone(built):
    repeated = next(run for run in REPEATED if run.zone_name == "Europe/Stockholm")
    morning = next(run for run in DST_RUNS if run.what == "fall-back-morning")

    ambiguous = icalendar.Calendar.from_ical(BUILDERS[built](repeated)).walk("VEVENT")[0]
    plain = icalendar.Calendar.from_ical(BUILDERS[built](morning)).walk("VEVENT")[0]

    assert "TZID" not in ambiguous["DTSTART"].params
    assert ambiguous["DTSTART"].to_ical() == b"20271031T003000Z"
    assert plain["DTSTART"].params["TZID"] == morning.zone_name


@pytest.mark.parametrize("run", DST_RUNS, ids=RUN_IDS)
def test_an_invitations_vtimezone_gives_zoneinfos_offset_all_around_the_run(run):
    # Readers convert the wall-clock times with the mailed definition: it must hold
    # the offset change of the run's own day, whichever side of midnight UTC it is.
    definition = vobject.readOne(io.StringIO(invitation(run).decode())).vtimezone.gettzinfo()

    moment, end = run.starts_at - timedelta(days=2), run.ends_at + timedelta(days=2)
    wrong = []
    while moment < end:
        if moment.astimezone(definition).utcoffset() != moment.astimezone(run.zone).utcoffset():
            wrong.append(moment)
        moment += timedelta(minutes=15)

    assert wrong == []
