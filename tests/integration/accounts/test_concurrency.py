"""Two organizers removing each other at the same moment still leave one organizer."""

import threading

import pytest
import sqlalchemy as sa

from learningweek.accounts.models import User
from learningweek.extensions import db
from tests.conftest import log_in
from tests.factories import make_organizer


@pytest.mark.parametrize("action", ["employee", "deactivate"])
def test_simultaneous_demotions_leave_an_active_organizer(app, action):
    ana = make_organizer(email="ana@example.com")
    bo = make_organizer(email="bo@example.com")
    clients = {email: app.test_client() for email in ("ana@example.com", "bo@example.com")}
    for email, client in clients.items():
        log_in(client, email)
    targets = {"ana@example.com": bo.id, "bo@example.com": ana.id}
    start = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def demote_the_other(email: str) -> None:
        start.wait()
        response = clients[email].post(f"/organize/people/{targets[email]}/{action}")
        statuses[email] = response.status_code

    threads = [threading.Thread(target=demote_the_other, args=(email,)) for email in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    db.session.rollback()  # end the test's read snapshot to see what the requests committed
    remaining = db.session.scalars(
        sa.select(User.email).where(User.is_organizer, User.is_active)
    ).all()
    assert len(remaining) == 1
    assert sorted(statuses.values())[0] == 302
    assert all(status in (302, 403) for status in statuses.values())
