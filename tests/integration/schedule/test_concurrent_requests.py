"""Services act on a run as another request left it, not on a stale copy."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from learningweek.core.enums import ProposalStatus as S
from learningweek.core.errors import DomainError
from learningweek.extensions import db
from learningweek.schedule import services
from learningweek.schedule.models import Run
from tests.factories import make_organizer, make_proposal, make_room, make_run
from tests.integration.schedule.week import NOW, SETTINGS, at


def test_services_act_on_the_run_as_it_is_after_waiting(edition):
    # Another request moved the run after this one loaded it: the move must build on
    # that, not on the stale copy (sequence, change record, old time).
    organizer = make_organizer()
    room = make_room()
    run = make_run(make_proposal(edition=edition, status=S.ACCEPTED), starts_at=at(10), room=room)
    edition.is_published = True
    db.session.commit()
    assert run.starts_at == at(10)  # loaded into this session
    with Session(db.engine) as other_request:
        other_run = other_request.get(Run, run.id)
        services.place_run(
            other_request,
            other_run,
            at(11),
            other_request.get(type(room), room.id),
            actor=other_request.get(type(organizer), organizer.id),
            now=NOW,
            settings=SETTINGS,
        )
        other_request.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.rollback()  # SQLite: a writer would have waited before reading at all

    services.place_run(
        db.session,
        run,
        at(14),
        room,
        actor=organizer,
        now=NOW + timedelta(minutes=1),
        settings=SETTINGS,
    )
    db.session.commit()

    assert run.sequence == 2
    assert [(c.old_starts_at, c.new_starts_at) for c in run.changes] == [
        (at(10), at(11)),
        (at(11), at(14)),
    ]


def test_cancelling_a_run_that_another_request_cancelled_says_so(edition):
    organizer = make_organizer()
    run = make_run(
        make_proposal(edition=edition, status=S.ACCEPTED), starts_at=at(10), room=make_room()
    )
    assert run.cancelled_at is None
    with Session(db.engine) as other_request:
        services.cancel_run(
            other_request,
            other_request.get(Run, run.id),
            actor=other_request.get(type(organizer), organizer.id),
            now=NOW,
        )
        other_request.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.rollback()

    with pytest.raises(DomainError, match="already cancelled"):
        services.cancel_run(db.session, run, actor=organizer, now=NOW)
