"""Proposal pages: who sees and edits what, the form's field errors, XSS, the review queue."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from learningweek.core.enums import ProposalStatus
from learningweek.core.errors import ValidationFailed
from learningweek.extensions import db
from learningweek.proposals.half_days import half_days
from learningweek.proposals.models import LearningSession, ProposalEvent
from learningweek.proposals.services import proposal_data_from, update_proposal
from tests.conftest import log_in
from tests.factories import (
    make_edition,
    make_organizer,
    make_proposal,
    make_topic,
    make_user,
)
from tests.integration.html import field_error, flashes, page

S = ProposalStatus
NOW = datetime.now(UTC)
CLOSED_WINDOW = {
    "proposals_open_at": datetime(2020, 1, 1, tzinfo=UTC),
    "proposals_close_at": datetime(2020, 2, 1, tzinfo=UTC),
}


def proposal_form(**changes) -> dict:
    form = {
        "title": "Property-based testing in practice",
        "abstract": "We write **generators** and shrink failures.",
        "objectives-0": "write a Hypothesis strategy",
        "objectives-1": "",
        "objectives-2": "",
        "format": "in_person",
        "duration_minutes": "60",
        "max_participants": "20",
        "runs_offered": "1",
        "level": "intermediate",
        "language": "English",
        "prerequisites": "",
        "resources-0-title": "Hypothesis docs",
        "resources-0-url": "https://hypothesis.readthedocs.io",
        "resources-0-kind": "article",
        "resources-0-timing": "before",
        "available_half_days": ["2027-03-08 am", "2027-03-08 pm", "2027-03-09 am"],
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def logged_in(client, user):
    log_in(client, user.email)
    return client


# --- proposing and editing ----------------------------------------------------------------


def test_propose_saves_a_draft_with_everything(client, edition):
    topic = make_topic(name="Testing")
    mei = logged_in(client, make_user(email="mei@example.com"))

    response = mei.post(
        "/editions/spring/propose", data=proposal_form(topic_ids=[str(topic.id)], save_draft="y")
    )

    proposal = db.session.scalar(sa.select(LearningSession))
    assert response.status_code == 302
    assert (proposal.status, proposal.title, proposal.level) == (
        S.DRAFT,
        "Property-based testing in practice",
        "intermediate",
    )
    assert [o.text for o in proposal.objectives] == ["write a Hypothesis strategy"]
    assert [(r.title, r.url) for r in proposal.resources] == [
        ("Hypothesis docs", "https://hypothesis.readthedocs.io")
    ]
    assert proposal.topics == [topic]
    assert "2027-03-09 pm" in proposal.unavailable_half_days


def test_propose_and_submit_inside_the_window(client, edition):
    mei = logged_in(client, make_user(email="mei@example.com"))

    mei.post("/editions/spring/propose", data=proposal_form(submit_proposal="y"))

    assert db.session.scalar(sa.select(LearningSession.status)) == S.SUBMITTED


def test_submitting_outside_the_window_keeps_a_draft_and_says_why(client, app):
    make_edition(slug="closed", **CLOSED_WINDOW)
    mei = logged_in(client, make_user(email="mei@example.com"))

    response = mei.post(
        "/editions/closed/propose", data=proposal_form(submit_proposal="y"), follow_redirects=True
    )

    assert db.session.scalar(sa.select(LearningSession.status)) == S.DRAFT
    assert "kept as a draft" in " ".join(flashes(response))


def test_incomplete_submission_is_saved_and_shows_what_is_missing(client, edition):
    mei = logged_in(client, make_user(email="mei@example.com"))

    response = mei.post(
        "/editions/spring/propose",
        data=proposal_form(abstract="", **{"objectives-0": ""}, submit_proposal="y"),
    )

    assert response.status_code == 422
    assert "Describe the session" in field_error(response, "abstract")
    assert "at least one learning objective" in field_error(response, "objectives")
    assert db.session.scalar(sa.select(LearningSession.status)) == S.DRAFT


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required"),
        ({"title": "x" * 121}, "title", "120 characters"),
        ({"objectives-1": "x" * 201}, "objectives", "200 characters"),
        ({"duration_minutes": "45"}, "duration_minutes", "Not a valid choice"),
        ({"duration_minutes": "lots"}, "duration_minutes", "Invalid Choice"),
        ({"max_participants": "0"}, "max_participants", "between 1 and 500"),
        ({"max_participants": "many"}, "max_participants", "Enter a whole number"),
        ({"runs_offered": "7"}, "runs_offered", "Not a valid choice"),
        ({"format": "telepathy"}, "format", "Not a valid choice"),
        ({"resources-0-url": "javascript:alert(1)"}, "resources", "https://"),
        ({"resources-0-title": ""}, "resources", "a title"),
        ({"available_half_days": []}, "available_half_days", "at least one half-day"),
        (
            {"preferred_half_days": ["2027-03-09 pm"]},
            "preferred_half_days",
            "A preferred half-day must be one you can teach: untick Tue 9 Mar 2027, afternoon",
        ),
        ({"topic_ids": ["99999"]}, "topic_ids", "not a valid choice"),
        ({"equipment": ["jetpack"]}, "equipment", "not a valid choice"),
    ],
    ids=[
        "no-title",
        "long-title",
        "long-objective",
        "duration-off-grid",
        "duration-garbage",
        "no-participants",
        "participants-garbage",
        "too-many-runs",
        "unknown-format",
        "javascript-resource",
        "untitled-resource",
        "never-available",
        "preferred-but-unavailable",
        "unknown-topic",
        "unknown-equipment",
    ],
)
def test_each_validation_rule_gives_a_field_error(client, edition, changes, field, message):
    mei = logged_in(client, make_user(email="mei@example.com"))

    response = mei.post("/editions/spring/propose", data=proposal_form(save_draft="y", **changes))

    assert response.status_code == 422
    assert message.lower() in field_error(response, field).lower()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningSession)) == 0


def test_preferred_half_days_are_kept_and_shown_again(client, edition):
    mei = logged_in(client, make_user(email="mei@example.com"))

    mei.post(
        "/editions/spring/propose",
        data=proposal_form(save_draft="y", preferred_half_days=["2027-03-08 am"]),
    )

    learning_session = db.session.scalars(sa.select(LearningSession)).one()
    assert learning_session.preferred_half_days == ["2027-03-08 am"]
    form = page(mei.get(f"/proposals/{learning_session.id}/edit"))
    ticked = form.select("input[name=preferred_half_days][checked]")
    assert [box["value"] for box in ticked] == ["2027-03-08 am"]


def test_duration_choices_follow_the_edition_grid(client, edition):
    mei = logged_in(client, make_user(email="mei@example.com"))

    form = page(mei.get("/editions/spring/propose"))

    options = form.select("#duration_minutes option")
    assert [o["value"] for o in options] == [str(m) for m in range(30, 481, 30)]
    assert form.select_one("#duration_minutes option[selected]")["value"] == "60"


def test_co_teacher_can_edit_and_other_employee_gets_403(client, app, edition):
    lead, co_teacher = make_user(), make_user(email="co@example.com")
    other = make_user(email="other@example.com")
    proposal = make_proposal(edition=edition, lead=lead)
    proposal.co_teachers.append(co_teacher)
    db.session.commit()

    other_client = logged_in(app.test_client(), other)
    co_client = logged_in(client, co_teacher)

    assert other_client.get(f"/proposals/{proposal.id}/edit").status_code == 403
    assert (
        other_client.post(f"/proposals/{proposal.id}/edit", data=proposal_form()).status_code == 403
    )
    response = co_client.post(
        f"/proposals/{proposal.id}/edit", data=proposal_form(title="Renamed by the co-teacher")
    )
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.title == "Renamed by the co-teacher"


def test_edit_form_shows_stored_values(client, edition):
    lead = make_user(email="lead@example.com")
    proposal = make_proposal(
        edition=edition, lead=lead, unavailable_half_days=["2027-03-08 am"], duration_minutes=90
    )
    form = page(logged_in(client, lead).get(f"/proposals/{proposal.id}/edit"))

    checked = {box["value"] for box in form.select("input[name=available_half_days][checked]")}
    assert "2027-03-08 am" not in checked
    assert "2027-03-08 pm" in checked
    assert form.select_one("#duration_minutes option[selected]")["value"] == "90"
    assert form.find(id="objectives-0")["value"] == "explain the idea to a colleague"


def test_after_acceptance_teachers_edit_only_title_abstract_prerequisites_resources(
    client, app, edition
):
    lead = make_user(email="lead@example.com")
    proposal = make_proposal(edition=edition, lead=lead, status=S.ACCEPTED, duration_minutes=60)
    teacher = logged_in(client, lead)

    form_page = page(teacher.get(f"/proposals/{proposal.id}/edit"))
    response = teacher.post(
        f"/proposals/{proposal.id}/edit",
        data=proposal_form(title="Better title", duration_minutes="90", level="advanced"),
    )

    assert form_page.find(id="title") is not None
    assert form_page.find(id="duration_minutes") is None
    assert form_page.find(id="objectives-0") is None
    assert "only its title, abstract, prerequisites and resources" in form_page.get_text()
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert (proposal.title, proposal.duration_minutes, proposal.level) == (
        "Better title",
        60,
        "introductory",
    )


def test_service_refuses_a_teacher_changing_locked_fields_after_acceptance(app, edition):
    lead = make_user()
    proposal = make_proposal(edition=edition, lead=lead, status=S.ACCEPTED)
    changed = replace(proposal_data_from(proposal), duration_minutes=120, language="Swedish")

    with pytest.raises(ValidationFailed) as refused:
        update_proposal(db.session, proposal, changed, actor=lead, now=NOW)

    assert set(refused.value.problems) == {"duration_minutes", "language"}


def test_organizer_changes_locked_fields_after_acceptance(app, edition):
    proposal = make_proposal(edition=edition, status=S.ACCEPTED)
    organizer = logged_in(app.test_client(), make_organizer(email="boss@example.com"))

    response = organizer.post(
        f"/proposals/{proposal.id}/edit",
        data=proposal_form(
            duration_minutes="90", available_half_days=[h.key for h in half_days(edition)]
        ),
    )

    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.duration_minutes == 90


def test_stale_half_days_after_the_edition_moves_are_not_a_teacher_change(app, edition):
    lead = make_user()
    proposal = make_proposal(
        edition=edition, lead=lead, status=S.ACCEPTED, unavailable_half_days=["2020-01-01 am"]
    )
    data = replace(proposal_data_from(proposal), title="New title", unavailable_half_days=())

    update_proposal(db.session, proposal, data, actor=lead, now=NOW)

    assert proposal.title == "New title"


# --- who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "employee_sees_it"),
    [(S.DRAFT, False), (S.SUBMITTED, False), (S.REJECTED, False), (S.ACCEPTED, True)],
    ids=["draft", "submitted", "rejected", "accepted"],
)
def test_organizers_see_every_proposal_employees_only_accepted_ones(
    app, edition, status, employee_sees_it
):
    proposal = make_proposal(edition=edition, status=status)
    employee = logged_in(app.test_client(), make_user(email="mei@example.com"))
    organizer = logged_in(app.test_client(), make_organizer(email="boss@example.com"))

    assert organizer.get(f"/proposals/{proposal.id}").status_code == 200
    assert employee.get(f"/proposals/{proposal.id}").status_code == (
        200 if employee_sees_it else 403
    )


def test_my_proposals_lists_led_and_co_taught_with_latest_organizer_comment(client, edition):
    me = make_user(email="me@example.com")
    organizer = make_organizer()
    led = make_proposal(edition=edition, lead=me, title="Led by me", status=S.CHANGES_REQUESTED)
    co_taught = make_proposal(edition=edition, title="Helping out")
    co_taught.co_teachers.append(me)
    make_proposal(edition=edition, title="Not mine")
    for comment in ("First remark", "Please add exercises"):
        led.events.append(
            ProposalEvent(
                actor=organizer, to_status=S.CHANGES_REQUESTED, comment=comment, by_organizer=True
            )
        )
    db.session.commit()

    cards = page(logged_in(client, me).get("/proposals")).select(".card")

    titles = [card.find("h2").get_text(strip=True) for card in cards]
    assert sorted(titles) == ["Helping out", "Led by me"]
    led_card = next(card for card in cards if "Led by me" in card.get_text())
    assert "Please add exercises" in led_card.get_text()
    assert "First remark" not in led_card.get_text()
    assert "Changes requested" in led_card.get_text()


def test_my_proposals_empty_state(client):
    response = logged_in(client, make_user()).get("/proposals")

    assert "You have not proposed a session yet" in page(response).select_one(".empty").get_text()


# --- XSS ----------------------------------------------------------------------------------


def test_hostile_abstract_renders_inert_on_the_proposal_page(client, edition):
    lead = make_user(email="lead@example.com")
    proposal = make_proposal(
        edition=edition,
        lead=lead,
        abstract=(
            "<script>alert('x')</script>\n\n"
            '<img src=x onerror="alert(1)">\n\n'
            "[click](javascript:alert(1)) and [ok](https://example.com)"
        ),
    )

    html = page(logged_in(client, lead).get(f"/proposals/{proposal.id}")).select_one(".prose")

    assert html.find_all(["script", "img"]) == []
    assert [a["href"] for a in html.find_all("a")] == ["https://example.com"]
    assert all(not name.startswith("on") for tag in html.find_all(True) for name in tag.attrs)
    assert "alert('x')" in html.get_text()  # shown as text, not run


# --- co-teachers --------------------------------------------------------------------------


def test_lead_adds_and_removes_a_co_teacher_by_email(client, edition):
    lead = make_user(email="lead@example.com")
    colleague = make_user(email="colleague@example.com", display_name="Colleague")
    proposal = make_proposal(edition=edition, lead=lead)
    teacher = logged_in(client, lead)

    teacher.post(f"/proposals/{proposal.id}/co-teachers", data={"email": "COLLEAGUE@example.com"})
    db.session.refresh(proposal)
    added = list(proposal.co_teachers)
    teacher.post(f"/proposals/{proposal.id}/co-teachers/{colleague.id}/remove")
    db.session.refresh(proposal)

    assert added == [colleague]
    assert proposal.co_teachers == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.com", "No active account uses this email"),
        ("lead@example.com", "already leads this session"),
    ],
    ids=["unknown", "the-lead"],
)
def test_adding_a_co_teacher_explains_refusals(client, edition, email, message):
    lead = make_user(email="lead@example.com")
    proposal = make_proposal(edition=edition, lead=lead)

    response = logged_in(client, lead).post(
        f"/proposals/{proposal.id}/co-teachers", data={"email": email}, follow_redirects=True
    )

    assert message in " ".join(flashes(response))


def test_co_teacher_cannot_remove_another_co_teacher(client, edition):
    co_a, co_b = make_user(email="a@example.com"), make_user(email="b@example.com")
    proposal = make_proposal(edition=edition)
    proposal.co_teachers.extend([co_a, co_b])
    db.session.commit()

    response = logged_in(client, co_a).post(
        f"/proposals/{proposal.id}/co-teachers/{co_b.id}/remove", follow_redirects=True
    )

    db.session.refresh(proposal)
    assert len(proposal.co_teachers) == 2
    assert "Only the lead teacher or an organizer" in " ".join(flashes(response))


def test_co_teacher_sees_the_proposal_in_their_list(client, edition):
    colleague = make_user(email="colleague@example.com")
    proposal = make_proposal(edition=edition, title="Pairing on legacy code")
    proposal.co_teachers.append(colleague)
    db.session.commit()

    response = logged_in(client, colleague).get("/proposals")

    assert "Pairing on legacy code" in page(response).select_one(".cards").get_text()


# --- decisions through the page -------------------------------------------------------------


def test_organizer_decides_with_a_comment_and_teachers_get_a_message(app, edition):
    lead = make_user(email="lead@example.com")
    proposal = make_proposal(edition=edition, lead=lead, status=S.SUBMITTED)
    organizer = logged_in(app.test_client(), make_organizer(email="boss@example.com"))

    organizer.post(
        f"/proposals/{proposal.id}/decide",
        data={"decision": "changes_requested", "comment": "Add a hands-on part."},
    )
    teacher = logged_in(app.test_client(), lead)
    messages = page(teacher.get("/notifications")).select(".messages .card")
    detail = page(teacher.get(f"/proposals/{proposal.id}")).select_one(".history").get_text()

    db.session.refresh(proposal)
    assert proposal.status == S.CHANGES_REQUESTED
    assert len(messages) == 1
    assert "Add a hands-on part." in messages[0].get_text()
    assert "Add a hands-on part." in detail


def test_decision_without_choice_is_refused_with_a_message(app, edition):
    proposal = make_proposal(edition=edition, status=S.SUBMITTED)
    organizer = logged_in(app.test_client(), make_organizer(email="boss@example.com"))

    response = organizer.post(
        f"/proposals/{proposal.id}/decide", data={"comment": "hm"}, follow_redirects=True
    )

    assert "Choose a decision." in flashes(response)
    db.session.refresh(proposal)
    assert proposal.status == S.SUBMITTED


def test_outbox_lists_every_message_for_organizers(app, edition):
    proposal = make_proposal(edition=edition, status=S.SUBMITTED)
    organizer = logged_in(app.test_client(), make_organizer(email="boss@example.com"))
    organizer.post(f"/proposals/{proposal.id}/decide", data={"decision": "accepted"})

    outbox = page(organizer.get("/organize/outbox")).select(".messages .card")

    assert len(outbox) == 1
    assert proposal.lead.email in outbox[0].get_text()


# --- review queue -------------------------------------------------------------------------


def test_review_queue_filters_and_counts(client, edition):
    testing = make_topic(name="Testing")
    make_proposal(edition=edition, title="A", status=S.SUBMITTED, format="online")
    tagged = make_proposal(edition=edition, title="B", status=S.SUBMITTED)
    tagged.topics.append(testing)
    make_proposal(edition=edition, title="C", status=S.ACCEPTED)
    make_proposal(title="Other edition", status=S.SUBMITTED)
    db.session.commit()
    organizer = logged_in(client, make_organizer(email="boss@example.com"))

    def titles(query: str) -> list[str]:
        response = organizer.get(f"/organize/editions/{edition.id}/proposals{query}")
        return [row.find("a").get_text() for row in page(response).select("tbody tr")]

    everything = organizer.get(f"/organize/editions/{edition.id}/proposals")
    tabs = [a.get_text(strip=True) for a in page(everything).select(".status-tabs a")]
    assert "All (3)" in tabs
    assert "Submitted (2)" in tabs
    assert "Accepted (1)" in tabs
    assert sorted(titles("")) == ["A", "B", "C"]
    assert sorted(titles("?status=submitted")) == ["A", "B"]
    assert titles("?format=online") == ["A"]
    assert titles(f"?topic={testing.id}") == ["B"]
    assert sorted(titles("?status=nonsense&format=nonsense")) == ["A", "B", "C"]


def _add_submitted_proposals(edition, count: int, topics, co_teacher) -> None:
    for n in range(count):
        proposal = LearningSession(
            edition=edition,
            lead=make_user(),
            title=f"P{n}",
            format="online",
            duration_minutes=60,
            max_participants=20,
            level="introductory",
            status=S.SUBMITTED,
            submitted_at=NOW,
        )
        proposal.topics = topics
        proposal.co_teachers = [co_teacher]
        db.session.add(proposal)
    db.session.commit()


def test_review_queue_runs_the_same_queries_for_10_and_200_proposals(
    client, edition, count_queries
):
    topics, co_teacher = [make_topic(), make_topic()], make_user()
    organizer = logged_in(client, make_organizer(email="boss@example.com"))
    url = f"/organize/editions/{edition.id}/proposals"

    _add_submitted_proposals(edition, 10, topics, co_teacher)
    with count_queries() as at_10:
        small = organizer.get(url)
    _add_submitted_proposals(edition, 190, topics, co_teacher)
    with count_queries() as at_200:
        large = organizer.get(url)

    assert len(page(small).select("tbody tr")) == 10
    assert len(page(large).select("tbody tr")) == 100  # first page
    assert len(at_200) == len(at_10)
