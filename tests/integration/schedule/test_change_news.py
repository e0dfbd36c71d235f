"""Moves, cancelled runs, extra runs and proposal decisions are told through `tidings`
(issue 16): texts from the kinds' templates, the calendar method from before and after,
and the organizer's preview in the words of the very messages that are sent."""

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from learningweek.core.enums import NotificationKind, ProposalStatus
from learningweek.extensions import db
from learningweek.notifications import tidings
from learningweek.notifications.models import Notification
from learningweek.proposals import services as proposals
from learningweek.schedule import consequences, services
from learningweek.schedule.models import Run
from tests.factories import make_edition, make_proposal, make_room, make_run, make_signup, make_user
from tests.integration.schedule.week import NOW, SETTINGS, at

K = NotificationKind


@pytest.fixture
def published(app):
    return make_edition(
        slug="spring",
        first_day=date(2027, 3, 8),
        is_published=True,
        published_at=datetime(2027, 2, 1, tzinfo=UTC),
    )


def run_at(edition, starts_at, **session_fields) -> Run:
    learning_session = make_proposal(
        edition=edition, status=ProposalStatus.ACCEPTED, **session_fields
    )
    return make_run(learning_session, starts_at=starts_at, room=make_room())


def messages_to(user) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.recipient_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_a_confirmed_move_into_another_seat_tells_each_person_which_runs_overlap(
    published, organizer
):
    moving = run_at(published, at(10), title="Kanban")
    other = run_at(published, at(14), title="SQL windows")
    alice, bo = make_user(display_name="Alice"), make_user(display_name="Bo")
    make_signup(moving, alice)
    make_signup(moving, bo)
    make_signup(other, alice)

    services.place_run(
        db.session,
        moving,
        at(14),
        moving.room,
        actor=organizer,
        now=NOW,
        settings=SETTINGS,
        force_clashes=True,
    )
    db.session.commit()

    (to_alice,) = messages_to(alice)
    (to_bo,) = messages_to(bo)
    assert (to_alice.kind, to_alice.run_id, to_alice.calendar_method) == (
        K.RUN_MOVED,
        moving.id,
        "REQUEST",
    )
    assert "two of your seats now overlap" in to_alice.body
    assert "“SQL windows” on Mon 08 Mar 2027, 14:00 CET" in to_alice.body
    assert re.search(r"on your agenda: https?://\S+/agenda$", to_alice.body, re.MULTILINE)
    assert "overlap" not in to_bo.body


def test_a_confirmed_move_into_a_run_someone_teaches_says_they_teach_it(published, organizer):
    moving = run_at(published, at(10), title="Kanban")
    cy = make_user(display_name="Cy")
    run_at(published, at(14), title="Git", lead=cy)
    make_signup(moving, cy)

    services.place_run(
        db.session,
        moving,
        at(14),
        moving.room,
        actor=organizer,
        now=NOW,
        settings=SETTINGS,
        force_clashes=True,
    )

    (message,) = messages_to(cy)
    assert "overlaps “Git” on Mon 08 Mar 2027, 14:00 CET, which you teach" in message.body


def test_waiting_and_offered_people_hear_of_a_move_with_what_they_keep(published, organizer):
    run = run_at(published, at(10), title="Kanban", max_participants=1)
    make_signup(run, make_user())
    wen = make_user()
    make_signup(run, wen, status="waitlisted", confirmed_at=None)

    services.place_run(
        db.session, run, at(15), run.room, actor=organizer, now=NOW, settings=SETTINGS
    )

    (message,) = messages_to(wen)
    assert (message.run_id, message.calendar_method) == (None, None)
    assert "You keep your place on its waitlist." in message.body


def test_a_cancelled_run_tells_its_teachers_with_the_organizers_note(published, organizer):
    lead = make_user()
    run = run_at(published, at(10), title="Kanban", lead=lead)

    services.cancel_run(db.session, run, actor=organizer, comment="Room flooded.", now=NOW)

    (message,) = messages_to(lead)
    assert message.kind == K.RUN_CANCELLED
    assert message.subject == "Cancelled: Kanban (Mon 08 Mar 2027, 10:00 CET)"
    assert message.body.startswith("The run of “Kanban” on Mon 08 Mar 2027, 10:00 CET")
    assert message.body.endswith("Comment from the organizers:\nRoom flooded.")


def test_a_cancelled_run_tells_waiting_people_their_place_ended_without_a_calendar(
    published, organizer
):
    run = run_at(published, at(10), max_participants=1)
    seated, waiting = make_user(), make_user()
    make_signup(run, seated)
    make_signup(run, waiting, status="waitlisted", confirmed_at=None)

    services.cancel_run(db.session, run, actor=organizer, now=NOW)

    (to_seated,) = messages_to(seated)
    (to_waiting,) = messages_to(waiting)
    assert (to_seated.calendar_method, "seat in it has ended" in to_seated.body) == (
        "CANCEL",
        True,
    )
    assert (to_waiting.calendar_method, "place on its waitlist has ended" in to_waiting.body) == (
        None,
        True,
    )


@pytest.mark.parametrize(
    ("waiting", "phrase"),
    [(1, "1 person from the waitlist has"), (2, "2 people from the waitlist have")],
)
def test_an_extra_run_tells_its_teachers_how_many_took_a_seat(
    published, organizer, waiting, phrase
):
    lead = make_user()
    run = run_at(published, at(10), title="Kanban", lead=lead, max_participants=2)
    make_signup(run, make_user())
    make_signup(run, make_user())
    for _ in range(waiting):
        make_signup(run, make_user(), status="waitlisted", confirmed_at=None)

    services.add_run_for_waitlist(
        db.session, run, at(14), make_room(), actor=organizer, now=NOW, settings=SETTINGS
    )

    (message,) = [m for m in messages_to(lead) if m.subject == "“Kanban” has an extra run"]
    assert phrase in message.body


@pytest.mark.parametrize(
    ("decision", "outcome"),
    [
        (ProposalStatus.ACCEPTED, "is accepted"),
        (ProposalStatus.REJECTED, "is not accepted"),
        (ProposalStatus.CHANGES_REQUESTED, "needs changes"),
    ],
)
def test_a_decision_is_told_from_its_template(organizer, decision, outcome):
    lead = make_user()
    edition = make_edition(slug="spring", first_day=date(2027, 3, 8))
    proposal = make_proposal(
        edition=edition, lead=lead, status=ProposalStatus.SUBMITTED, title="Kanban"
    )

    proposals.decide_proposal(
        db.session, proposal, decision, actor=organizer, comment="Shorter, please.", now=NOW
    )

    (message,) = messages_to(lead)
    assert message.subject == f"Your proposal “Kanban” {outcome}"
    assert f"reviewed your proposal for {edition.name}: it {outcome}." in message.body
    assert message.body.endswith("Comment from the organizers:\nShorter, please.")


def test_a_cancelled_session_tells_its_teachers_how_many_were_signed_up(published, organizer):
    lead = make_user()
    run = run_at(published, at(10), title="Kanban", lead=lead)
    make_signup(run, make_user())

    proposals.cancel_session(db.session, run.learning_session, actor=organizer, now=NOW)

    (message,) = messages_to(lead)
    assert message.subject == "“Kanban” is cancelled"
    assert "1 person signed up is told" in message.body


# --- the preview says what is sent ------------------------------------------------------------


def people_in_every_role(run):
    """A run with a teacher, a seat holder, an offered seat and a waiting person."""
    offered, waiting = make_user(display_name="Ola"), make_user(display_name="Wen")
    make_signup(run, make_user(display_name="Sam"))
    make_signup(run, offered, status="offered", confirmed_at=None, offer_expires_at=at(9))
    make_signup(run, waiting, status="waitlisted", confirmed_at=None)


def promised_and_sent(preview) -> list[tuple[tuple, tuple]]:
    """For each person in each group, what the preview promises (kind, subject,
    calendar method) and what the message queued to them carries."""
    pairs = []
    for group in preview.groups:
        promised = (
            group.sample.kind,
            tidings.render(group.sample)[0],
            group.sample.calendar_method,
        )
        assert group.told == tidings.told(group.sample)
        for person in group.people:
            (sent,) = messages_to(person)
            pairs.append((promised, (sent.kind, sent.subject, sent.calendar_method)))
    return pairs


CALENDAR_PHRASE = {
    "REQUEST": "their calendar event is updated",
    "CANCEL": "the event is removed from their calendar",
    None: "nothing changes in their calendar",
}


def test_the_move_preview_promises_each_group_the_message_and_calendar_sent(published, organizer):
    run = run_at(published, at(10), title="Kanban", max_participants=2)
    people_in_every_role(run)

    preview = consequences.move_consequences(db.session, run, at(15))
    services.place_run(
        db.session, run, at(15), run.room, actor=organizer, now=NOW, settings=SETTINGS
    )

    pairs = promised_and_sent(preview)
    assert len(pairs) == 4
    assert all(promised == sent for promised, sent in pairs)
    for group in preview.groups:
        assert CALENDAR_PHRASE[group.sample.calendar_method] in group.told


def test_the_cancel_preview_promises_each_group_the_message_and_calendar_sent(published, organizer):
    run = run_at(published, at(10), title="Kanban", max_participants=2)
    people_in_every_role(run)

    preview = consequences.cancel_consequences(db.session, run)
    services.cancel_run(db.session, run, actor=organizer, comment="Sorry.", now=NOW)

    pairs = promised_and_sent(preview)
    assert len(pairs) == 4
    assert all(promised == sent for promised, sent in pairs)
    seat_holders = next(group for group in preview.groups if group.role == "Seat holders")
    assert seat_holders.told.endswith("the event is removed from their calendar.")


def test_the_move_preview_says_what_those_booked_twice_are_told(published, organizer):
    moving = run_at(published, at(10), title="Kanban")
    other = run_at(published, at(14), title="SQL windows")
    alice = make_user(display_name="Alice")
    make_signup(moving, alice)
    make_signup(other, alice)

    preview = consequences.move_consequences(db.session, moving, at(14))

    assert "saying which of their other runs it now overlaps" in preview.clashes_told


def test_a_new_length_moves_each_seat_holders_event_end_and_tells_the_teachers(
    published, organizer
):
    lead, seated = make_user(), make_user()
    run = run_at(published, at(10), title="Kanban", lead=lead, duration_minutes=60)
    make_signup(run, seated)
    data = proposals.proposal_data_from(run.learning_session)

    proposals.update_proposal(
        db.session,
        run.learning_session,
        data.__class__(**(vars(data) | {"duration_minutes": 90})),
        actor=organizer,
        now=NOW,
    )

    (to_seated,) = messages_to(seated)
    (to_lead,) = messages_to(lead)
    assert (to_seated.subject, to_seated.run_id, to_seated.calendar_method) == (
        "“Kanban” now lasts 90 minutes",
        run.id,
        "REQUEST",
    )
    assert "now ends at Mon 08 Mar 2027, 11:30 CET" in to_seated.body
    assert to_lead.body.startswith(f"{organizer.display_name} changed the length of your session")
