"""Proposal changes reach every teacher and the organizers, in plain grammar."""

from datetime import UTC, datetime

import sqlalchemy as sa

from learningweek.core.enums import NotificationKind, ProposalStatus
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.proposals import services
from tests.conftest import log_in
from tests.factories import make_notification, make_organizer, make_proposal, make_user

IN_WINDOW = datetime(2027, 1, 10, 12, tzinfo=UTC)


def messages_to(user) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.recipient_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_a_withdrawal_tells_the_co_teachers_and_the_organizers(edition):
    lead, co_teacher = make_user(display_name="Lea Lead"), make_user()
    organizer = make_organizer()
    proposal = make_proposal(
        edition=edition, lead=lead, co_teachers=[co_teacher], status=ProposalStatus.SUBMITTED
    )

    services.withdraw_proposal(
        db.session, proposal, actor=lead, comment="Moving teams", now=IN_WINDOW
    )
    db.session.commit()

    for person in (co_teacher, organizer):
        (message,) = messages_to(person)
        assert message.kind == NotificationKind.SESSION_WITHDRAWN
        assert "Lea Lead withdrew" in message.body
        assert "Comment from Lea Lead:\nMoving teams" in message.body
    assert messages_to(lead) == []


def test_adding_and_removing_a_co_teacher_tells_them_and_enters_the_history(edition):
    lead, colleague = make_user(), make_user(email="cole@example.com", display_name="Cole")
    proposal = make_proposal(edition=edition, lead=lead, status=ProposalStatus.SUBMITTED)

    services.add_co_teacher(db.session, proposal, "cole@example.com", actor=lead, now=IN_WINDOW)
    db.session.commit()
    services.remove_co_teacher(db.session, proposal, colleague, actor=lead, now=IN_WINDOW)
    db.session.commit()

    assert [m.kind for m in messages_to(colleague)] == [
        NotificationKind.CO_TEACHER_ADDED,
        NotificationKind.CO_TEACHER_REMOVED,
    ]
    assert [event.comment for event in proposal.events[-2:]] == [
        "Added Cole as a co-teacher",
        "Removed Cole as a co-teacher",
    ]


def test_a_decision_message_reads_as_a_sentence(edition):
    lead = make_user()
    proposal = make_proposal(edition=edition, lead=lead, status=ProposalStatus.SUBMITTED)

    services.decide_proposal(
        db.session,
        proposal,
        ProposalStatus.ACCEPTED,
        actor=make_organizer(),
        comment="",
        now=IN_WINDOW,
    )
    db.session.commit()

    (message,) = messages_to(lead)
    assert message.body.endswith(": it is accepted.")


def test_message_times_show_in_the_editions_zone(client, edition):
    reader = make_user(email="reader@example.com")
    proposal = make_proposal(edition=edition)
    make_notification(
        reader, session_id=proposal.id, created_at=datetime(2027, 3, 8, 9, tzinfo=UTC)
    )
    log_in(client, "reader@example.com")

    text = client.get("/notifications").get_data(as_text=True)

    assert "10:00 CET" in text
    assert "UTC" not in text
