"""Every state change, who may make it, and what it records."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from learningweek.core.enums import NotificationKind, ProposalStatus
from learningweek.core.errors import DomainError, NotAllowed, ValidationFailed
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.proposals import services
from learningweek.proposals.services import IllegalTransition
from tests.factories import make_edition, make_organizer, make_proposal, make_user

S = ProposalStatus
IN_WINDOW = datetime(2027, 1, 10, 12, tzinfo=UTC)  # factory edition: proposals open, not started
AFTER_WINDOW = datetime(2027, 2, 20, 12, tzinfo=UTC)
AFTER_START = datetime(2027, 3, 8, 9, tzinfo=UTC)


def _submit(s, actor, now):
    services.submit_proposal(db.session, s, actor=actor, now=now)


def _decide(decision):
    def act(s, actor, now):
        services.decide_proposal(db.session, s, decision, actor=actor, comment="Noted.", now=now)

    return act


def _withdraw(s, actor, now):
    services.withdraw_proposal(db.session, s, actor=actor, now=now)


def _cancel(s, actor, now):
    services.cancel_session(db.session, s, actor=actor, now=now)


# action: (function, who may do it, states it may start from, resulting state)
ACTIONS = {
    "submit": (_submit, {"lead", "co_teacher"}, {S.DRAFT, S.CHANGES_REQUESTED}, S.SUBMITTED),
    "accept": (_decide(S.ACCEPTED), {"organizer"}, {S.SUBMITTED}, S.ACCEPTED),
    "reject": (_decide(S.REJECTED), {"organizer"}, {S.SUBMITTED}, S.REJECTED),
    "request_changes": (
        _decide(S.CHANGES_REQUESTED),
        {"organizer"},
        {S.SUBMITTED},
        S.CHANGES_REQUESTED,
    ),
    "withdraw": (
        _withdraw,
        {"lead", "co_teacher"},
        {S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.ACCEPTED},
        S.WITHDRAWN,
    ),
    "cancel": (_cancel, {"organizer"}, {S.ACCEPTED}, S.CANCELLED),
}
ACTORS = ["lead", "co_teacher", "other_employee", "organizer"]
CASES = [
    (action, status, actor) for action in ACTIONS for status in ProposalStatus for actor in ACTORS
]


@pytest.fixture
def cast(app):
    """A proposal's lead and co-teacher, an unrelated employee and an organizer."""
    lead, co_teacher = make_user(display_name="Lead"), make_user(display_name="Co")
    return {
        "lead": lead,
        "co_teacher": co_teacher,
        "other_employee": make_user(display_name="Other"),
        "organizer": make_organizer(display_name="Organizer"),
    }


def _proposal(cast, status):
    proposal = make_proposal(lead=cast["lead"], status=status)
    proposal.co_teachers.append(cast["co_teacher"])
    db.session.commit()
    return proposal


@pytest.mark.parametrize(
    ("action", "status", "actor"), CASES, ids=[f"{a}-{s.value}-{r}" for a, s, r in CASES]
)
def test_transition_matrix(cast, action, status, actor):
    act, allowed_actors, from_states, to_state = ACTIONS[action]
    proposal = _proposal(cast, status)

    if actor not in allowed_actors:
        with pytest.raises(NotAllowed):
            act(proposal, cast[actor], IN_WINDOW)
        assert proposal.status == status
    elif status not in from_states:
        with pytest.raises(IllegalTransition, match=f"is {status.label.lower()}"):
            act(proposal, cast[actor], IN_WINDOW)
        assert proposal.status == status
    else:
        act(proposal, cast[actor], IN_WINDOW)
        db.session.commit()
        assert proposal.status == to_state
        event = proposal.events[-1]
        assert (event.from_status, event.to_status, event.actor) == (status, to_state, cast[actor])
        assert event.created_at == IN_WINDOW


def test_history_records_comment_and_who_was_organizer(cast):
    proposal = _proposal(cast, S.SUBMITTED)

    services.decide_proposal(
        db.session,
        proposal,
        S.CHANGES_REQUESTED,
        actor=cast["organizer"],
        comment="  Please add an objective about testing.  ",
        now=IN_WINDOW,
    )
    services.submit_proposal(db.session, proposal, actor=cast["co_teacher"], now=IN_WINDOW)
    db.session.commit()

    history = [
        (e.to_status, e.actor.display_name, e.comment, e.by_organizer) for e in proposal.events
    ]
    assert history == [
        (S.CHANGES_REQUESTED, "Organizer", "Please add an objective about testing.", True),
        (S.SUBMITTED, "Co", "", False),
    ]


def test_creating_a_proposal_records_the_draft(app):
    lead = make_user()
    edition = make_edition()

    proposal = services.create_proposal(
        db.session,
        edition,
        services.ProposalData(title="Git for designers"),
        lead=lead,
        now=IN_WINDOW,
    )

    assert proposal.status == S.DRAFT
    assert [(e.from_status, e.to_status, e.actor) for e in proposal.events] == [
        (None, S.DRAFT, lead)
    ]


def test_first_submission_outside_window_is_refused_and_stays_draft(cast):
    proposal = _proposal(cast, S.DRAFT)

    with pytest.raises(
        DomainError, match="can be submitted from .* Your proposal is kept as a draft"
    ):
        services.submit_proposal(db.session, proposal, actor=cast["lead"], now=AFTER_WINDOW)

    assert proposal.status == S.DRAFT


def test_resubmission_after_requested_changes_may_come_after_the_window(cast):
    proposal = _proposal(cast, S.CHANGES_REQUESTED)

    services.submit_proposal(db.session, proposal, actor=cast["lead"], now=AFTER_WINDOW)

    assert proposal.status == S.SUBMITTED
    assert proposal.submitted_at == AFTER_WINDOW


def test_incomplete_proposal_cannot_be_submitted(cast):
    proposal = make_proposal(lead=cast["lead"], abstract="", objectives=[])

    with pytest.raises(ValidationFailed) as refused:
        services.submit_proposal(db.session, proposal, actor=cast["lead"], now=IN_WINDOW)

    assert set(refused.value.problems) == {"abstract", "objectives"}
    assert proposal.status == S.DRAFT


def test_asking_for_changes_needs_a_comment(cast):
    proposal = _proposal(cast, S.SUBMITTED)

    with pytest.raises(DomainError, match="Say what should change"):
        services.decide_proposal(
            db.session,
            proposal,
            S.CHANGES_REQUESTED,
            actor=cast["organizer"],
            comment=" ",
            now=IN_WINDOW,
        )


def test_withdrawing_after_the_session_started_is_refused(cast):
    proposal = _proposal(cast, S.ACCEPTED)

    with pytest.raises(IllegalTransition, match="already started"):
        services.withdraw_proposal(db.session, proposal, actor=cast["lead"], now=AFTER_START)


@pytest.mark.parametrize(
    ("decision", "kind", "phrase"),
    [
        (S.ACCEPTED, NotificationKind.PROPOSAL_ACCEPTED, "accepted"),
        (S.REJECTED, NotificationKind.PROPOSAL_REJECTED, "not accepted"),
        (S.CHANGES_REQUESTED, NotificationKind.CHANGES_REQUESTED, "needs changes"),
    ],
    ids=["accept", "reject", "changes"],
)
def test_each_decision_queues_a_message_to_every_teacher(cast, decision, kind, phrase):
    proposal = _proposal(cast, S.SUBMITTED)

    services.decide_proposal(
        db.session,
        proposal,
        decision,
        actor=cast["organizer"],
        comment="Great topic.",
        now=IN_WINDOW,
    )
    db.session.commit()

    messages = db.session.scalars(sa.select(Notification).order_by(Notification.recipient_id)).all()
    assert [(m.recipient, m.kind) for m in messages] == [
        (cast["lead"], kind),
        (cast["co_teacher"], kind),
    ]
    assert phrase in messages[0].subject
    assert "Great topic." in messages[0].body


def test_cancelling_tells_the_teachers(cast):
    proposal = _proposal(cast, S.ACCEPTED)

    services.cancel_session(
        db.session, proposal, actor=cast["organizer"], comment="Room closed.", now=IN_WINDOW
    )
    db.session.commit()

    kinds = db.session.scalars(sa.select(Notification.kind)).all()
    assert kinds == [NotificationKind.SESSION_CANCELLED, NotificationKind.SESSION_CANCELLED]


def test_a_refused_decision_queues_nothing(cast):
    proposal = _proposal(cast, S.DRAFT)

    with pytest.raises(IllegalTransition):
        services.decide_proposal(
            db.session, proposal, S.ACCEPTED, actor=cast["organizer"], comment="", now=IN_WINDOW
        )
    db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_organizer_withdrawing_own_proposal_is_not_shown_as_review_comment(app, edition):
    organizer = make_organizer()
    proposal = make_proposal(edition=edition, lead=organizer, status=S.SUBMITTED)
    services.withdraw_proposal(
        db.session, proposal, actor=organizer, comment="Too busy", now=IN_WINDOW
    )
    db.session.commit()

    assert services.latest_organizer_comments(db.session, [proposal.id]) == {}
