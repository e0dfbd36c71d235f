"""A teacher's mailed calendar follows their personal feed (issue 16): the runs they
teach arrive on publishing, move, leave when cancelled, withdrawn or when a co-teacher
is removed, and arrive when one is added."""

from datetime import UTC, date, datetime

import icalendar
import pytest
import sqlalchemy as sa

from learningweek.calendar.services import invitation
from learningweek.core.enums import NotificationKind, ProposalStatus
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.proposals import services as proposals
from learningweek.schedule import services as schedule
from tests.factories import (
    make_edition,
    make_organizer,
    make_proposal,
    make_room,
    make_run,
    make_signup,
    make_user,
)
from tests.integration.schedule.week import NOW, SETTINGS, at

K = NotificationKind


@pytest.fixture
def organizer(app):
    return make_organizer()


def edition(published: bool = True):
    return make_edition(
        slug="spring",
        first_day=date(2027, 3, 8),
        is_published=published,
        published_at=datetime(2027, 2, 1, tzinfo=UTC) if published else None,
    )


def taught_runs(edition_, lead, *starts, co_teachers=()):
    learning_session = make_proposal(
        edition=edition_,
        lead=lead,
        status=ProposalStatus.ACCEPTED,
        title="Kanban",
        runs_offered=len(starts),
    )
    learning_session.co_teachers.extend(co_teachers)
    return [make_run(learning_session, starts_at=start, room=make_room()) for start in starts]


def told(user) -> list[tuple[NotificationKind, int | None, str | None]]:
    return [
        (m.kind, m.run_id, m.calendar_method)
        for m in db.session.scalars(
            sa.select(Notification)
            .where(Notification.recipient_id == user.id)
            .order_by(Notification.id)
        )
    ]


def mailed(notification_run_id, method, person):
    attached = invitation(
        db.session,
        notification_run_id,
        method=method,
        session_url=lambda session_id: f"https://lw.test/sessions/{session_id}",
        host="lw.test",
        organizer="week@example.com",
        organizer_name="Learning Week",
        attendee=person,
        now=NOW,
    )
    return None if attached is None else icalendar.Calendar.from_ical(attached)


def test_publishing_mails_each_teacher_an_invitation_per_run_they_teach(organizer):
    lead, co = make_user(), make_user()
    first, second = taught_runs(edition(published=False), lead, at(10), at(14), co_teachers=[co])

    schedule.publish_edition(
        db.session, first.learning_session.edition, actor=organizer, settings=SETTINGS, now=NOW
    )

    expected = [(K.RUN_SCHEDULED, first.id, "REQUEST"), (K.RUN_SCHEDULED, second.id, "REQUEST")]
    assert told(lead) == expected
    assert told(co) == expected
    calendar = mailed(first.id, "REQUEST", co)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar.walk("VEVENT")[0].decoded("DTSTART").astimezone(UTC) == at(10)


def test_a_teacher_gets_the_moved_run_as_a_request_built_for_them(organizer):
    lead = make_user()
    (run,) = taught_runs(edition(), lead, at(10))

    schedule.place_run(
        db.session, run, at(15), run.room, actor=organizer, now=NOW, settings=SETTINGS
    )

    assert told(lead) == [(K.RUN_MOVED, run.id, "REQUEST")]
    event = mailed(run.id, "REQUEST", lead).walk("VEVENT")[0]
    assert (event.decoded("DTSTART").astimezone(UTC), event["SEQUENCE"]) == (at(15), 1)


def test_no_request_is_built_for_someone_who_neither_sits_in_nor_teaches_the_run(organizer):
    (run,) = taught_runs(edition(), make_user(), at(10))

    assert mailed(run.id, "REQUEST", make_user()) is None


def test_a_cancelled_run_leaves_its_teachers_calendar(organizer):
    lead = make_user()
    (run,) = taught_runs(edition(), lead, at(10))

    schedule.cancel_run(db.session, run, actor=organizer, now=NOW)

    assert told(lead) == [(K.RUN_CANCELLED, run.id, "CANCEL")]
    assert mailed(run.id, "CANCEL", lead)["METHOD"] == "CANCEL"


def test_a_co_teacher_added_after_publishing_gets_each_run_of_the_session(organizer):
    lead, co = make_user(), make_user(email="co@example.com")
    first, second = taught_runs(edition(), lead, at(10), at(14))

    proposals.add_co_teacher(
        db.session, first.learning_session, "co@example.com", actor=organizer, now=NOW
    )

    assert told(co) == [
        (K.CO_TEACHER_ADDED, first.id, "REQUEST"),
        (K.CO_TEACHER_ADDED, second.id, "REQUEST"),
    ]
    assert told(lead) == [(K.CO_TEACHER_ADDED, None, None)]


def test_a_removed_co_teacher_gets_each_run_cancelled(organizer):
    lead, co = make_user(), make_user()
    first, second = taught_runs(edition(), lead, at(10), at(14), co_teachers=[co])

    proposals.remove_co_teacher(db.session, first.learning_session, co, actor=organizer, now=NOW)

    assert told(co) == [
        (K.CO_TEACHER_REMOVED, first.id, "CANCEL"),
        (K.CO_TEACHER_REMOVED, second.id, "CANCEL"),
    ]


def test_an_organizer_adding_themselves_as_co_teacher_gets_the_runs_without_a_message(
    organizer,
):
    (run,) = taught_runs(edition(), make_user(), at(10))

    proposals.add_co_teacher(
        db.session, run.learning_session, organizer.email, actor=organizer, now=NOW
    )

    assert told(organizer) == [(K.CO_TEACHER_ADDED, run.id, "REQUEST")]


def test_a_removed_co_teacher_who_holds_a_seat_keeps_the_run_in_the_calendar(organizer):
    lead, co = make_user(), make_user()
    (run,) = taught_runs(edition(), lead, at(10), co_teachers=[co])
    make_signup(run, co)

    proposals.remove_co_teacher(db.session, run.learning_session, co, actor=organizer, now=NOW)

    # Queued as a CANCEL for the teaching, but the seat keeps the run theirs: the mail
    # carries what stands when it goes out.
    assert told(co) == [(K.CO_TEACHER_REMOVED, run.id, "CANCEL")]
    calendar = mailed(run.id, "CANCEL", co)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CONFIRMED"


def test_a_co_teacher_added_before_publishing_gets_no_invitation_yet(organizer):
    lead, co = make_user(), make_user(email="co@example.com")
    (run,) = taught_runs(edition(published=False), lead, at(10))

    proposals.add_co_teacher(
        db.session, run.learning_session, "co@example.com", actor=organizer, now=NOW
    )

    assert told(co) == [(K.CO_TEACHER_ADDED, None, None)]


def test_a_withdrawal_takes_the_runs_out_of_every_teachers_calendar(organizer):
    lead, co = make_user(), make_user()
    first, second = taught_runs(edition(), lead, at(10, day=9), at(14, day=9), co_teachers=[co])

    proposals.withdraw_proposal(db.session, first.learning_session, actor=lead, now=NOW)

    assert told(lead) == [
        (K.RUN_CANCELLED, first.id, "CANCEL"),
        (K.RUN_CANCELLED, second.id, "CANCEL"),
    ]
    assert told(co) == [
        (K.SESSION_WITHDRAWN, first.id, "CANCEL"),
        (K.RUN_CANCELLED, second.id, "CANCEL"),
    ]


def test_a_cancelled_session_takes_its_runs_out_of_its_teachers_calendar(organizer):
    lead = make_user()
    (run,) = taught_runs(edition(), lead, at(10))

    proposals.cancel_session(db.session, run.learning_session, actor=organizer, now=NOW)

    assert told(lead) == [(K.SESSION_CANCELLED, run.id, "CANCEL")]
