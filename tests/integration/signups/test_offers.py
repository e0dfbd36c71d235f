"""Offers: in offer mode a freed seat is held; accepting, declining and expiry."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from learningweek.core.database import utcnow
from learningweek.core.enums import NotificationKind, PromotionMode, SignupStatus
from learningweek.extensions import db
from learningweek.signups import services
from learningweek.signups.models import Signup
from tests.conftest import log_in
from tests.factories import make_room, make_signup, make_user
from tests.integration.html import page
from tests.integration.signups.helpers import (
    NOW,
    at,
    confirmed,
    kinds_for,
    pass_on_all_due_offers,
    people,
    placed_run,
    published_edition,
    sign_up_all,
    statuses,
    waitlist,
)

S = SignupStatus


@pytest.fixture
def offering(app):
    return published_edition(promotion_mode=PromotionMode.OFFER, offer_hours=12)


def test_in_offer_mode_a_freed_seat_is_held_for_the_next_person(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    seat, _, _ = sign_up_all(run, [alice, bo, cy])
    later = NOW + timedelta(hours=1)

    services.cancel_signup(db.session, seat, actor=alice, now=later)
    db.session.commit()

    offer = db.session.scalar(sa.select(Signup).where(Signup.user_id == bo.id))
    assert offer.status == S.OFFERED
    assert offer.offer_expires_at == later + timedelta(hours=12)
    assert services.seat_counts(db.session, [run], later)[run.id].free == 0
    assert kinds_for(bo) == [NotificationKind.WAITLISTED, NotificationKind.SEAT_OFFERED]
    # The held seat is not up for grabs: a newcomer waits behind the others.
    assert services.sign_up(db.session, run, make_user(), now=later).status == S.WAITLISTED


def test_a_seat_is_held_no_longer_than_until_the_run_starts(offering):
    run = placed_run(offering, starts_at=at(10), room=make_room(capacity=1))
    alice, bo = people(2)
    seat, _ = sign_up_all(run, [alice, bo])
    two_hours_before = at(8)

    services.cancel_signup(db.session, seat, actor=alice, now=two_hours_before)
    db.session.commit()

    offer = db.session.scalar(sa.select(Signup).where(Signup.user_id == bo.id))
    assert offer.status == S.OFFERED
    assert offer.offer_expires_at == at(10)


def _offer_to_bo(run, people_):
    alice, bo, cy = people_
    seat, _, _ = sign_up_all(run, [alice, bo, cy])
    services.cancel_signup(db.session, seat, actor=alice, now=NOW)
    db.session.commit()
    return db.session.scalar(sa.select(Signup).where(Signup.user_id == bo.id))


def test_accepting_an_offer_confirms_the_seat(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    offer = _offer_to_bo(run, [alice, bo, cy])

    services.accept_offer(db.session, offer, actor=bo, now=NOW + timedelta(hours=2))
    db.session.commit()

    assert confirmed(run) == {bo.id}
    assert waitlist(run) == [cy.id]


def test_declining_an_offer_passes_it_to_the_next_person(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    offer = _offer_to_bo(run, [alice, bo, cy])

    services.decline_offer(db.session, offer, actor=bo, now=NOW + timedelta(hours=2))
    db.session.commit()

    assert statuses(run)[bo.id] == S.DECLINED
    assert statuses(run)[cy.id] == S.OFFERED


def test_an_expired_offer_passes_on_through_the_cron_command(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    _offer_to_bo(run, [alice, bo, cy])

    expired = pass_on_all_due_offers(NOW + timedelta(hours=12))
    db.session.commit()

    assert expired == 1
    assert statuses(run)[bo.id] == S.EXPIRED
    assert statuses(run)[cy.id] == S.OFFERED
    assert NotificationKind.OFFER_EXPIRED in kinds_for(bo)


def test_an_expired_offer_is_passed_on_lazily_when_the_run_is_next_written(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    _offer_to_bo(run, [alice, bo, cy])
    later = NOW + timedelta(hours=13)

    assert services.seat_counts(db.session, [run], later)[run.id].taken == 0  # holds nothing
    newcomer = services.sign_up(db.session, run, make_user(), now=later)
    db.session.commit()

    assert statuses(run)[bo.id] == S.EXPIRED
    assert statuses(run)[cy.id] == S.OFFERED  # cy waited longer than the newcomer
    assert newcomer.status == S.WAITLISTED


def test_accepting_an_expired_offer_is_refused(offering):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    offer = _offer_to_bo(run, [alice, bo, cy])

    with pytest.raises(services.SignupRefused, match="expired"):
        services.accept_offer(db.session, offer, actor=bo, now=NOW + timedelta(hours=12))


def test_expire_offers_command_passes_on_what_ran_out(offering, runner):
    run = placed_run(offering, room=make_room(capacity=1))
    alice, bo, cy = people(3)
    offer = _offer_to_bo(run, [alice, bo, cy])
    offer.offer_expires_at = utcnow() - timedelta(minutes=1)  # the command reads the clock
    db.session.commit()

    result = runner.invoke(args=["expire-offers"])

    assert result.output.strip() == "1 expired offer passed on."
    assert statuses(run)[cy.id] == S.OFFERED


def test_a_page_showing_a_run_passes_its_expired_offers_on(app, client):
    edition = published_edition(promotion_mode=PromotionMode.OFFER)
    run = placed_run(edition, starts_at=at(10), room=make_room(capacity=1))
    late, waiting = make_user(), make_user(email="waiting@example.com")
    make_signup(
        run, late, status=S.OFFERED, confirmed_at=None, offer_expires_at=utcnow() - timedelta(1)
    )
    make_signup(run, waiting, status=S.WAITLISTED, confirmed_at=None)
    log_in(client, "waiting@example.com")

    text = page(client.get(f"/sessions/{run.session_id}")).select_one(".runs").get_text(" ")

    assert "A seat is held for you" in " ".join(text.split())
    assert statuses(run) == {late.id: S.EXPIRED, waiting.id: S.OFFERED}
