"""What the database guarantees about runs: pinned means placed, ids are never reused."""

import pytest
import sqlalchemy as sa

from learningweek.core.enums import ProposalStatus as S
from learningweek.extensions import db
from tests.factories import make_proposal, make_run


def test_a_pinned_run_must_be_placed(edition):
    run = make_run(make_proposal(edition=edition, status=S.ACCEPTED))
    run.is_pinned = True

    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_run_ids_are_never_reused(edition):
    proposal = make_proposal(edition=edition, status=S.ACCEPTED)
    first, last = make_run(proposal), make_run(proposal)
    last_id = last.id
    db.session.delete(last)
    db.session.commit()

    fresh = make_run(proposal)

    assert fresh.id > last_id > first.id
