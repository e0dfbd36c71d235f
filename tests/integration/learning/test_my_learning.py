"""My learning: one page of attended sessions, whatever their number."""

from tests.conftest import log_in
from tests.factories import make_reflection, make_signup, make_user
from tests.integration.feedback.helpers import ended_run
from tests.integration.html import page


def test_my_learning_runs_the_same_queries_for_one_session_and_three(client, count_queries, past):
    me = make_user(email="me@example.com")
    log_in(client, me.email)

    def attend(count):
        for _ in range(count):
            run = ended_run(past)
            make_signup(run, me)
            make_reflection(run.learning_session, me)

    attend(1)
    with count_queries() as few:
        client.get("/learning")
    attend(2)
    with count_queries() as many:
        response = client.get("/learning")

    assert len(page(response).select(".card")) == 3
    assert len(many) == len(few)
