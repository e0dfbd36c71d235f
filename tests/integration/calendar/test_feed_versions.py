"""Feed versions: raised once per commit that changes what an edition's feeds show."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from learningweek.calendar.models import FeedVersion
from learningweek.extensions import db
from learningweek.proposals.models import LearningSession
from tests.factories import (
    make_edition,
    make_interest,
    make_room,
    make_signup,
    make_topic,
    make_user,
)
from tests.integration.signups.helpers import placed_run, published_edition
from tests.integration.signups.interleaving import on_postgres, run_interleaved  # noqa: F401


def version(edition) -> int:
    with Session(db.engine) as other:  # what other connections see: committed rows only
        return (
            other.scalar(sa.select(FeedVersion.version).where(FeedVersion.edition_id == edition.id))
            or 0
        )


def move(run):
    run.starts_at += timedelta(hours=1)


def cancel(run):
    run.cancelled_at = run.starts_at - timedelta(days=3)


def retitle(run):
    run.learning_session.title = "Pandas, properly"


def add_co_teacher(run):
    ada = make_user(display_name="Ada")
    run.learning_session.co_teachers.append(ada)


def tag(run):
    topic = make_topic()
    run.learning_session.topics.append(topic)


def rename_room(run):
    run.room.name = "The Attic"


def rename_topic(run):
    run.learning_session.topics[0].name = "Data and AI"


def rename_teacher(run):
    run.learning_session.lead.display_name = "Mei L."


def change_time_zone(run):
    run.learning_session.edition.time_zone = "Europe/Lisbon"


def delete_run(run):
    db.session.delete(run)


@pytest.mark.parametrize(
    "change",
    [
        move,
        cancel,
        retitle,
        add_co_teacher,
        tag,
        rename_room,
        rename_topic,
        rename_teacher,
        change_time_zone,
        delete_run,
    ],
)
def test_a_change_the_feeds_show_raises_the_version_once_per_commit(app, change):
    edition = published_edition()
    run = placed_run(edition, topics=[make_topic()])
    before = version(edition)

    change(run)
    db.session.flush()
    change_time = version(edition)
    db.session.commit()

    assert change_time == before  # nothing until the commit, and then
    assert version(edition) == before + 1


@pytest.mark.parametrize("shared", [rename_room, rename_topic, rename_teacher])
def test_what_editions_share_raises_every_edition(app, shared):
    edition = published_edition()
    other = make_edition(slug="autumn")
    run = placed_run(edition, topics=[make_topic()])
    before = version(other)

    shared(run)
    db.session.commit()

    assert version(other) == before + 1


def test_a_change_in_one_edition_leaves_the_others_alone(app):
    edition = published_edition()
    other = make_edition(slug="autumn")
    run = placed_run(edition)
    before = version(other)

    move(run)
    db.session.commit()

    assert version(other) == before
    assert version(edition) > 0


def test_what_the_feeds_do_not_show_leaves_the_version(app):
    edition = published_edition()
    run = placed_run(edition)
    person = make_user()
    before = version(edition)

    make_signup(run, person)
    make_interest(run.learning_session, person)
    person.wants_reminder_mail = False
    make_room(name="A new room")
    make_topic(name="A new topic")
    db.session.commit()

    assert version(edition) == before


def test_a_rolled_back_change_is_forgotten(app):
    edition = published_edition()
    run = placed_run(edition)
    before = version(edition)

    move(run)
    db.session.flush()
    db.session.rollback()
    make_user()
    db.session.commit()

    assert version(edition) == before


def test_a_savepoint_waits_for_the_whole_transaction(app):
    edition = published_edition()
    run = placed_run(edition)
    before = version(edition)

    with db.session.begin_nested():
        move(run)
    inside = db.session.scalar(
        sa.select(sa.func.count()).select_from(FeedVersion).where(FeedVersion.version > before)
    )
    db.session.commit()

    assert inside == 0  # not even this transaction sees a raise before its commit
    assert version(edition) == before + 1


def test_two_first_changes_at_once_both_count(app, on_postgres):  # noqa: F811
    edition = published_edition()
    first, second = placed_run(edition), placed_run(edition)
    first_id, second_id = first.session_id, second.session_id
    db.session.execute(sa.delete(FeedVersion))  # as before the edition's first change
    db.session.commit()

    def retitle_session(session_id):
        def task(session):
            session.get(LearningSession, session_id).title = f"Edited {session_id}"

        return task

    # Both pause just before their raise, holding their own row locks, then go on
    # together: one inserts the edition's first version row, the other must update it.
    outcomes = run_interleaved(
        [retitle_session(first_id), retitle_session(second_id)],
        lambda index, statement: statement.startswith("INSERT INTO feed_versions"),
    )

    assert outcomes == [None, None]
    assert version(edition) == 2


def test_my_feed_follows_only_the_editions_i_am_in(app, client):
    from tests.integration.calendar.helpers import personal_url

    spring = published_edition()
    autumn = published_edition(slug="autumn", first_day=date(2027, 9, 6))
    mine = placed_run(spring)
    ada, mei = make_user(email="ada@example.com"), make_user(email="mei@example.com")
    # Ada teaches in autumn and has a feed too: her editions are not Mei's.
    theirs = placed_run(autumn, lead=ada, starts_at=datetime(2027, 9, 6, 8, tzinfo=UTC))
    make_signup(mine, mei)
    personal_url(client, ada.email)
    url = personal_url(app.test_client(), mei.email)
    poller = app.test_client()
    before = poller.get(url).headers["ETag"]

    retitle(theirs)
    db.session.commit()
    unchanged = poller.get(url).headers["ETag"]
    retitle(mine)
    db.session.commit()

    assert unchanged == before
    assert poller.get(url).headers["ETag"] != before
