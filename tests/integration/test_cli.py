"""The `flask` commands: create-organizer and demo."""

import sqlalchemy as sa

from learningweek.accounts.models import User
from learningweek.editions.models import Edition, Room, Topic
from learningweek.extensions import db
from tests.factories import make_user


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_organizer_creates_account_with_prompted_password(runner):
    result = runner.invoke(
        args=["create-organizer", "Boss@Example.com", "--name", "The Boss"],
        input="a good long password\na good long password\n",
    )

    user = db.session.scalar(sa.select(User))
    assert result.exit_code == 0, result.output
    assert "boss@example.com was created as an organizer." in result.output
    assert (user.email, user.display_name, user.is_organizer) == (
        "boss@example.com",
        "The Boss",
        True,
    )


def test_create_organizer_promotes_existing_user_without_prompt(runner):
    user = make_user(email="mei@example.com")

    result = runner.invoke(args=["create-organizer", "MEI@example.com"])

    db.session.refresh(user)
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    assert user.is_organizer is True


def test_create_organizer_refuses_short_password(runner):
    result = runner.invoke(args=["create-organizer", "boss@example.com"], input="short\nshort\n")

    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert _count(User) == 0


def test_demo_fills_an_empty_database_and_prints_logins(runner):
    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "ana.ruiz@example.com" in result.output
    assert "learning-week-demo" in result.output
    assert _count(User) >= 5
    assert _count(Room) >= 4
    assert _count(Topic) >= 4
    organizers = db.session.scalars(sa.select(User).where(User.is_organizer)).all()
    assert len(organizers) >= 1
    kinds = set(db.session.scalars(sa.select(Room.kind)))
    assert kinds == {"physical", "online"}


def test_demo_edition_is_running_now_and_next_one_takes_proposals(runner):
    from learningweek.core.database import utcnow

    runner.invoke(args=["demo"])
    now = utcnow()
    current, upcoming = db.session.scalars(sa.select(Edition).order_by(Edition.first_day)).all()

    assert current.is_published is True
    assert current.is_signup_window_open(now)
    assert current.first_day < now.date() <= current.last_day
    assert upcoming.is_proposal_window_open(now)


def test_demo_leaves_a_database_with_data_alone(runner):
    make_user(email="real@example.com")

    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0
    assert "leaves it as it is" in result.output
    assert _count(User) == 1


def test_demo_has_proposals_in_every_state_with_history_and_interest(runner):
    from learningweek.core.enums import ProposalStatus
    from learningweek.proposals.models import Interest, LearningSession, ProposalEvent

    runner.invoke(args=["demo"])

    statuses = set(db.session.scalars(sa.select(LearningSession.status)))
    proposals = db.session.scalars(sa.select(LearningSession)).all()
    assert statuses == set(ProposalStatus)
    assert 35 <= len(proposals) <= 45
    assert any(p.co_teachers for p in proposals)
    assert any(p.resources for p in proposals)
    assert all(p.objectives for p in proposals)
    assert _count(ProposalEvent) > len(proposals)
    starred = db.session.scalars(sa.select(Interest.session_id).distinct()).all()
    accepted = {p.id for p in proposals if p.status == ProposalStatus.ACCEPTED}
    assert set(starred) <= accepted
    assert len(set(starred)) >= len(accepted) - 2
