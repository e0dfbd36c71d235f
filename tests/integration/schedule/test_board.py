"""The board: runs from acceptance, placing with reasons, publishing, and changes after it."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from learningweek.core.enums import NotificationKind, ProposalStatus, RoomKind
from learningweek.core.errors import DomainError, ValidationFailed
from learningweek.extensions import db
from learningweek.notifications.models import Notification
from learningweek.proposals import services as proposals
from learningweek.schedule import services
from learningweek.schedule.models import Run, RunChange
from tests.conftest import log_in
from tests.factories import (
    make_edition,
    make_organizer,
    make_proposal,
    make_room,
    make_run,
    make_signup,
    make_user,
)
from tests.integration.html import field_error, flashes, page
from tests.integration.schedule.week import NOW, SETTINGS, at

S = ProposalStatus
OPEN_NOW = {
    "proposals_open_at": datetime(2020, 1, 1, tzinfo=UTC),
    "proposals_close_at": datetime(2099, 1, 1, tzinfo=UTC),
}


@pytest.fixture
def edition(app):
    return make_edition(slug="spring", first_day=date(2027, 3, 8), **OPEN_NOW)


def accepted(edition, **overrides):
    return make_proposal(edition=edition, status=S.ACCEPTED, **overrides)


# --- runs follow the session's state -----------------------------------------------------------


def test_accepting_creates_as_many_runs_as_offered(edition, organizer):
    proposal = make_proposal(edition=edition, status=S.SUBMITTED, runs_offered=3)

    proposals.decide_proposal(
        db.session, proposal, S.ACCEPTED, actor=organizer, comment="", now=NOW
    )
    db.session.commit()

    assert [(run.is_placed, run.is_cancelled) for run in proposal.runs] == [(False, False)] * 3


def test_withdrawing_an_accepted_session_cancels_its_runs(edition):
    proposal = accepted(edition)
    run = make_run(proposal, starts_at=at(10), room=make_room())

    proposals.withdraw_proposal(db.session, proposal, actor=proposal.lead, now=NOW)
    db.session.commit()

    assert run.is_cancelled
    assert run.sequence == 1


def test_a_withdrawal_reaches_attendees_as_the_teachers_words_not_the_organizers(edition):
    proposal = accepted(edition, title="Git rebase")
    run = make_run(proposal, starts_at=at(10), room=make_room())
    attendee = make_user(email="ola@example.com")
    make_signup(run, attendee)

    proposals.withdraw_proposal(
        db.session, proposal, actor=proposal.lead, comment="I am ill, sorry.", now=NOW
    )
    db.session.commit()

    message = db.session.scalars(
        sa.select(Notification).where(Notification.recipient_id == attendee.id)
    ).one()
    assert "Comment from the organizers" not in message.body
    assert f"Comment from {proposal.lead.display_name}:\nI am ill, sorry." in message.body


def test_cancelling_a_run_reaches_attendees_as_the_organizers_comment(edition, organizer):
    proposal = accepted(edition)
    run = make_run(proposal, starts_at=at(10), room=make_room())
    attendee = make_user(email="ola@example.com")
    make_signup(run, attendee)

    services.cancel_run(db.session, run, actor=organizer, comment="Room flooded.", now=NOW)
    db.session.commit()

    message = db.session.scalars(
        sa.select(Notification).where(Notification.recipient_id == attendee.id)
    ).one()
    assert message.body.endswith("Comment from the organizers:\nRoom flooded.")


def test_organizer_changes_the_number_of_runs(app, edition, organizer):
    proposal = accepted(edition, runs_offered=1)
    make_run(proposal)
    data = proposals.proposal_data_from(proposal)

    proposals.update_proposal(
        db.session,
        proposal,
        data.__class__(**{**data.__dict__, "runs_offered": 3}),
        actor=organizer,
        now=NOW,
    )
    more = len(proposal.runs)
    proposals.update_proposal(
        db.session,
        proposal,
        data.__class__(**{**data.__dict__, "runs_offered": 2}),
        actor=organizer,
        now=NOW,
    )

    assert (more, len(proposal.runs)) == (3, 2)


def test_fewer_runs_are_refused_while_they_are_placed(edition, organizer):
    proposal = accepted(edition, runs_offered=2)
    room = make_room()
    make_run(proposal, starts_at=at(10), room=room)
    make_run(proposal, starts_at=at(10, day=9), room=room)
    data = proposals.proposal_data_from(proposal)

    with pytest.raises(ValidationFailed, match="unplace or cancel"):
        proposals.update_proposal(
            db.session,
            proposal,
            data.__class__(**{**data.__dict__, "runs_offered": 1}),
            actor=organizer,
            now=NOW,
        )


# --- placing on the board -------------------------------------------------------------------


def test_placing_a_run_in_a_free_slot(client, edition, organizer):
    run = make_run(accepted(edition))
    room = make_room(name="Orion")
    log_in(client, organizer.email)

    response = client.post(
        f"/organize/runs/{run.id}/place", data={"starts_at": at(10).isoformat(), "room_id": room.id}
    )

    db.session.refresh(run)
    assert response.status_code == 302
    assert (run.starts_at, run.room_id, run.sequence) == (at(10), room.id, 0)
    assert [(c.old_starts_at, c.new_starts_at) for c in run.changes] == [(None, at(10))]


def test_an_illegal_move_shows_the_reasons_and_is_not_made(client, edition, organizer):
    room = make_room(name="Orion")
    make_run(accepted(edition, title="Kanban"), starts_at=at(10), room=room)
    run = make_run(accepted(edition))
    log_in(client, organizer.email)

    response = client.post(
        f"/organize/runs/{run.id}/place", data={"starts_at": at(10).isoformat(), "room_id": room.id}
    )

    db.session.refresh(run)
    problems = [li.get_text(" ", strip=True) for li in page(response).select(".problem-hard")]
    assert response.status_code == 422
    assert problems == ["Conflict: Orion is taken by “Kanban” (Mon 10:00–11:00)."]
    assert page(response).find(id="force") is not None
    assert run.starts_at is None


def test_place_anyway_overrides_and_the_board_shows_the_conflict(client, edition, organizer):
    room = make_room(name="Orion")
    make_run(accepted(edition, title="Kanban"), starts_at=at(10), room=room)
    run = make_run(accepted(edition, title="Scrum"))
    log_in(client, organizer.email)

    client.post(
        f"/organize/runs/{run.id}/place",
        data={"starts_at": at(10).isoformat(), "room_id": room.id, "force": "y"},
    )
    board = page(client.get(f"/organize/editions/{edition.id}/board?day=2027-03-08"))

    db.session.refresh(run)
    assert run.starts_at == at(10)
    assert "2 conflicts" in board.select_one(".summary").get_text(" ", strip=True)
    assert len(board.select(".run-card.has-conflict:not(.continues)")) == 2


def test_an_off_grid_start_from_a_forged_form_is_refused(client, edition, organizer):
    run = make_run(accepted(edition))
    room = make_room()
    log_in(client, organizer.email)

    response = client.post(
        f"/organize/runs/{run.id}/place",
        data={"starts_at": at(10, 10).isoformat(), "room_id": room.id},
    )

    assert response.status_code == 422
    assert "Not a valid choice" in field_error(response, "starts_at")


def test_a_room_is_shared_by_editions_on_the_same_days(edition):
    other_edition = make_edition(slug="other", first_day=date(2027, 3, 8))
    room = make_room(name="Orion")
    make_run(
        make_proposal(edition=other_edition, status=S.ACCEPTED, title="Elsewhere"),
        starts_at=at(10),
        room=room,
    )
    run = make_run(make_proposal(edition=edition, status=S.ACCEPTED))
    organizer = make_organizer()

    with pytest.raises(services.PlacementRefused, match="Orion is taken by “Elsewhere”"):
        services.place_run(
            db.session, run, at(10), room, actor=organizer, now=NOW, settings=SETTINGS
        )


def test_pin_needs_a_placed_run(edition, organizer):
    run = make_run(accepted(edition))

    with pytest.raises(DomainError, match="Place the run before pinning"):
        services.set_pinned(db.session, run, True, actor=organizer)


def test_pin_and_unpin(client, edition, organizer):
    run = make_run(accepted(edition), starts_at=at(10), room=make_room())
    log_in(client, organizer.email)

    client.post(f"/organize/runs/{run.id}/pin")
    db.session.refresh(run)
    pinned = run.is_pinned
    client.post(f"/organize/runs/{run.id}/unpin")
    db.session.refresh(run)

    assert (pinned, run.is_pinned) == (True, False)


def test_cancelling_a_run_frees_its_room(edition, organizer):
    room = make_room(name="Orion")
    cancelled = make_run(accepted(edition, title="Kanban"), starts_at=at(10), room=room)
    run = make_run(accepted(edition))

    services.cancel_run(db.session, cancelled, actor=organizer, comment="Ill", now=NOW)
    problems = services.place_run(
        db.session, run, at(10), room, actor=organizer, now=NOW, settings=SETTINGS
    )

    assert problems == []
    assert cancelled.is_cancelled
    assert cancelled.sequence == 1
    kinds = db.session.scalars(sa.select(Notification.kind)).all()
    assert kinds == [NotificationKind.RUN_CANCELLED]


def test_automatic_scheduling_places_everything_that_fits(edition, organizer):
    online = make_room(name="Online", kind=RoomKind.ONLINE, meeting_url="https://m.example/1")
    make_room(name="Orion", capacity=40)
    for n in range(6):
        proposal = accepted(edition, format="online" if n % 2 else "in_person", runs_offered=2)
        make_run(proposal)
        make_run(proposal)

    report = services.schedule_edition(
        db.session, edition, actor=organizer, now=NOW, settings=SETTINGS, time_limit=5
    )
    board = services.load_board(db.session, edition, SETTINGS)

    assert report.unplaced == {}
    assert (len(board.unplaced), board.hard_conflicts) == (0, 0)
    assert {run.room_id for run in board.placed if run.learning_session.format == "online"} == {
        online.id
    }


# --- publishing -----------------------------------------------------------------------------


def test_publishing_is_refused_while_a_hard_conflict_remains(client, edition, organizer):
    room = make_room(name="Orion")
    make_run(accepted(edition, title="Kanban"), starts_at=at(10), room=room)
    make_run(accepted(edition, title="Scrum"), starts_at=at(10, 30), room=room)
    log_in(client, organizer.email)

    response = client.post(f"/organize/editions/{edition.id}/publish", follow_redirects=True)

    db.session.refresh(edition)
    assert edition.is_published is False
    assert "2 hard conflicts remain" in " ".join(flashes(response))
    assert "Orion is taken by" in " ".join(flashes(response))


def test_publishing_is_refused_while_a_run_is_unplaced(edition, organizer):
    make_run(accepted(edition))

    with pytest.raises(DomainError, match="1 run is not placed yet"):
        services.publish_edition(db.session, edition, actor=organizer, settings=SETTINGS, now=NOW)


def test_publishing_a_clean_board(client, edition, organizer):
    make_run(accepted(edition), starts_at=at(10), room=make_room())
    log_in(client, organizer.email)

    response = client.post(f"/organize/editions/{edition.id}/publish", follow_redirects=True)

    db.session.refresh(edition)
    assert edition.is_published is True
    assert "is published" in " ".join(flashes(response))


def test_warnings_do_not_block_publishing(edition, organizer):
    popular = accepted(edition, max_participants=100)
    make_run(popular, starts_at=at(10), room=make_room(capacity=5))
    for _ in range(10):
        popular_fan = make_user()
        db.session.add(
            __import__("learningweek.proposals.models", fromlist=["Interest"]).Interest(
                session_id=popular.id, user_id=popular_fan.id
            )
        )
    db.session.commit()

    board = services.load_board(db.session, edition, SETTINGS)
    services.publish_edition(db.session, edition, actor=organizer, settings=SETTINGS, now=NOW)

    assert (board.hard_conflicts, board.warnings) == (0, 1)
    assert edition.is_published


def test_employees_see_no_schedule_before_publishing(app, edition, organizer):
    proposal = accepted(edition, title="Kanban")
    make_run(proposal, starts_at=at(10), room=make_room(name="Orion"))
    employee, boss = app.test_client(), app.test_client()
    log_in(employee, make_user(email="mei@example.com").email)
    log_in(boss, organizer.email)
    url = f"/proposals/{proposal.id}"

    before = page(employee.get(url)).get_text(" ")
    organizer_before = page(boss.get(url)).get_text(" ")
    services.publish_edition(db.session, edition, actor=organizer, settings=SETTINGS, now=NOW)
    db.session.commit()
    after = page(employee.get(url)).get_text(" ")

    assert "Orion" not in before
    assert "When and where" not in before
    assert "Orion" in organizer_before
    assert "Mon 08 Mar 2027, 10:00 CET, Orion" in after


def test_employees_get_403_on_the_board(client, edition):
    log_in(client, make_user(email="mei@example.com").email)

    assert client.get(f"/organize/editions/{edition.id}/board").status_code == 403


# --- after publishing -----------------------------------------------------------------------


def test_moving_a_published_run_raises_its_sequence_and_tells_the_teachers(
    client, edition, organizer
):
    proposal = accepted(edition, title="Kanban")
    run = make_run(proposal, starts_at=at(10), room=make_room(name="Orion"))
    fika = make_room(name="Fika")
    edition.is_published = True
    db.session.commit()
    log_in(client, organizer.email)

    client.post(
        f"/organize/runs/{run.id}/place",
        data={"starts_at": at(14).isoformat(), "room_id": fika.id, "confirmed": "y"},
    )

    db.session.refresh(run)
    change = db.session.scalars(sa.select(RunChange)).one()
    message = db.session.scalars(sa.select(Notification)).one()
    assert (run.starts_at, run.room_id, run.sequence) == (at(14), fika.id, 1)
    assert (change.old_starts_at, change.old_room_id, change.new_starts_at) == (
        at(10),
        run.changes[0].old_room_id,
        at(14),
    )
    assert message.kind == NotificationKind.RUN_MOVED
    assert (
        "from Mon 08 Mar 2027, 10:00 CET in Orion, Building A to Mon 08 Mar 2027, 14:00 CET in Fika"
        in (message.body)
    )


def test_moving_before_publishing_keeps_the_sequence(edition, organizer):
    run = make_run(accepted(edition), starts_at=at(10), room=make_room())

    services.place_run(
        db.session, run, at(14), run.room, actor=organizer, now=NOW, settings=SETTINGS
    )

    assert run.sequence == 0


def test_a_published_run_cannot_be_unplaced(edition, organizer):
    run = make_run(accepted(edition), starts_at=at(10), room=make_room())
    edition.is_published = True

    with pytest.raises(DomainError, match="move or cancel it"):
        services.unplace_run(db.session, run, actor=organizer, now=NOW)


def test_a_new_length_after_publishing_raises_the_sequence(edition, organizer):
    proposal = accepted(edition, duration_minutes=60)
    run = make_run(proposal, starts_at=at(10), room=make_room())
    edition.is_published = True
    data = proposals.proposal_data_from(proposal)

    proposals.update_proposal(
        db.session,
        proposal,
        data.__class__(**{**data.__dict__, "duration_minutes": 90}),
        actor=organizer,
        now=NOW,
    )

    assert run.sequence == 1


def test_withdrawal_is_possible_until_the_first_run_starts(edition):
    proposal = accepted(edition)
    make_run(proposal, starts_at=at(14, day=9), room=make_room())
    day_one_evening = at(16, day=8)

    proposals.withdraw_proposal(db.session, proposal, actor=proposal.lead, now=day_one_evening)

    assert proposal.status == S.WITHDRAWN


# --- the board page -------------------------------------------------------------------------


def test_board_shows_runs_in_their_room_and_rows(client, edition, organizer):
    orion = make_room(name="Orion")
    make_run(accepted(edition, title="Kanban", duration_minutes=90), starts_at=at(10), room=orion)
    make_run(accepted(edition, title="Unplaced talk"))
    log_in(client, organizer.email)

    board = page(client.get(f"/organize/editions/{edition.id}/board?day=2027-03-08"))

    rows = {row.th.get_text(strip=True): row for row in board.select("table.board tbody tr")}
    assert "Kanban" in rows["10:00"].select_one(".run-card:not(.continues)").get_text()
    assert rows["10:30"].select_one(".run-card.continues") is not None
    assert rows["11:00"].select_one(".run-card.continues") is not None
    assert rows["11:30"].select_one(".run-card") is None
    assert "Unplaced talk" in board.get_text()


def test_unknown_day_falls_back_to_the_first(client, edition, organizer):
    log_in(client, organizer.email)

    for day in ("garbage", "1999-01-01"):
        response = client.get(f"/organize/editions/{edition.id}/board?day={day}")
        assert (
            page(response).select_one(".status-tabs a[aria-current]").get_text() == "Mon 8 Mar 2027"
        )


def _fill(edition, rooms, count: int) -> None:
    lead = make_user()
    for n in range(count):
        co_teacher, other_lead = make_user(), make_user()
        proposal = accepted(edition, lead=lead if n % 3 else other_lead)
        proposal.co_teachers.append(co_teacher)
        db.session.add(
            Run(
                learning_session=proposal,
                starts_at=at(9 + n % 8, day=8 + n % 5),
                room=rooms[n % len(rooms)],
            )
        )
    db.session.commit()


def test_board_runs_the_same_queries_for_few_and_many_runs(
    client, edition, organizer, count_queries
):
    rooms = [make_room() for _ in range(4)]
    log_in(client, organizer.email)
    url = f"/organize/editions/{edition.id}/board?day=2027-03-08"

    _fill(edition, rooms, 3)
    with count_queries() as few:
        client.get(url)
    _fill(edition, rooms, 40)
    with count_queries() as many:
        response = client.get(url)

    assert response.status_code == 200
    assert len(many) == len(few)
