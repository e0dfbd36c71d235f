"""Private reflections: only for sessions I attended, read by nobody else, on My learning."""

from tests.conftest import log_in
from tests.factories import make_organizer, make_reflection, make_signup, make_user
from tests.integration.feedback.helpers import ended_run
from tests.integration.html import field_error, page


def test_nobody_else_reads_my_reflection_not_even_an_organizer(app, past):
    run = ended_run(past)
    me = make_user(email="me@example.com")
    make_signup(run, me)
    note = make_reflection(run.learning_session, me, try_at_work="Profile our API")
    make_organizer(email="boss@example.com")
    make_user(email="other@example.com")

    for email, status in [
        ("me@example.com", 200),
        ("boss@example.com", 404),
        ("other@example.com", 404),
    ]:
        client = app.test_client()
        log_in(client, email)
        response = client.get(f"/reflections/{note.id}")
        assert response.status_code == status, email
        assert ("Profile our API" in response.get_data(as_text=True)) is (status == 200)


def test_reflections_are_for_sessions_i_attended(client, past):
    run = ended_run(past)
    make_user(email="me@example.com")
    log_in(client, "me@example.com")

    assert client.get(f"/sessions/{run.session_id}/reflection").status_code == 404


def test_writing_a_reflection_and_reading_it_on_my_learning(client, past):
    run = ended_run(past, title="Profiling")
    me = make_user(email="me@example.com")
    make_signup(run, me)
    log_in(client, me.email)

    client.post(
        f"/sessions/{run.session_id}/reflection",
        data={"try_at_work": "Profile the checkout API", "practise": "Flame graphs"},
    )
    learning = page(client.get("/learning")).get_text()
    markdown = client.get("/learning.md")

    assert "Profiling" in learning
    assert markdown.mimetype == "text/markdown"
    text = markdown.get_data(as_text=True)
    assert "## Profiling" in text
    assert "### What will I try at work?\n\nProfile the checkout API" in text


def test_a_too_long_reflection_is_a_field_error(client, past):
    run = ended_run(past)
    me = make_user(email="me@example.com")
    make_signup(run, me)
    log_in(client, me.email)

    response = client.post(f"/sessions/{run.session_id}/reflection", data={"practise": "x" * 5001})

    assert response.status_code == 422
    assert "5000" in field_error(response, "practise")
