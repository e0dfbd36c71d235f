"""Proposal rules and Markdown sanitising, as pure functions."""

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from bs4 import BeautifulSoup

from learningweek.core.enums import ResourceKind, ResourceTiming
from learningweek.core.markdown import render_markdown
from learningweek.editions.models import Edition
from learningweek.proposals.half_days import half_days
from learningweek.proposals.services import ProposalData, ResourceData, proposal_problems

EDITION = Edition(
    slug="spring",
    name="Spring",
    time_zone="Europe/Stockholm",
    first_day=date(2027, 3, 8),
    last_day=date(2027, 3, 9),
    day_starts_at=time(9, 0),
    day_ends_at=time(17, 0),
    slot_minutes=30,
    proposals_open_at=datetime(2027, 1, 4, tzinfo=UTC),
    proposals_close_at=datetime(2027, 2, 1, tzinfo=UTC),
    signup_opens_at=datetime(2027, 2, 15, tzinfo=UTC),
    signup_closes_at=datetime(2027, 3, 9, tzinfo=UTC),
)
COMPLETE = ProposalData(
    title="Property-based testing in practice",
    abstract="We write generators and shrink failures.",
    objectives=("write a Hypothesis strategy",),
    resources=(ResourceData("Hypothesis docs", "https://hypothesis.readthedocs.io"),),
)


def test_complete_proposal_has_no_problems():
    assert proposal_problems(COMPLETE, EDITION, submitting=True) == {}


def test_a_draft_needs_only_a_title():
    draft = ProposalData(title="Idea")

    assert proposal_problems(draft, EDITION, submitting=False) == {}
    assert set(proposal_problems(draft, EDITION, submitting=True)) == {"abstract", "objectives"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Give the session a title"),
        ({"title": "x" * 121}, "title", "within 120 characters"),
        ({"objectives": ("a", "b", "c", "d")}, "objectives", "at most 3"),
        ({"objectives": ("x" * 201,)}, "objectives", "within 200 characters"),
        ({"duration_minutes": 45}, "duration_minutes", "whole slots of 30 minutes"),
        ({"duration_minutes": 0}, "duration_minutes", "whole slots of 30 minutes"),
        ({"duration_minutes": 510}, "duration_minutes", "fit in one day's programme (480"),
        ({"max_participants": 0}, "max_participants", "between 1 and 500"),
        ({"max_participants": 501}, "max_participants", "between 1 and 500"),
        ({"runs_offered": 4}, "runs_offered", "between 1 and 3 times"),
        ({"language": ""}, "language", "which language"),
        ({"equipment": ("jetpack",)}, "equipment", "from the list"),
        (
            {"resources": (ResourceData("Bad", "javascript:alert(1)"),)},
            "resources",
            "https://",
        ),
        ({"resources": (ResourceData("", "https://example.com"),)}, "resources", "a title"),
        (
            {"resources": tuple(ResourceData(f"R{i}", "https://example.com") for i in range(11))},
            "resources",
            "at most 10",
        ),
        (
            {"unavailable_half_days": tuple(h.key for h in half_days(EDITION))},
            "available_half_days",
            "at least one half-day",
        ),
        (
            {"unavailable_half_days": ("2030-01-01 am",)},
            "available_half_days",
            "half-days of this edition",
        ),
    ],
    ids=[
        "blank-title",
        "long-title",
        "too-many-objectives",
        "long-objective",
        "duration-off-grid",
        "duration-zero",
        "duration-over-a-day",
        "too-few-participants",
        "too-many-participants",
        "too-many-runs",
        "no-language",
        "unknown-equipment",
        "javascript-link",
        "untitled-link",
        "too-many-links",
        "never-available",
        "foreign-half-day",
    ],
)
def test_each_rule_names_its_field(changes, field, message):
    problems = proposal_problems(replace(COMPLETE, **changes), EDITION, submitting=True)

    assert list(problems) == [field]
    assert message in problems[field]


def test_half_days_follow_the_grid():
    afternoon_only = replace_edition(day_starts_at=time(13, 0))

    assert [h.key for h in half_days(EDITION)] == [
        "2027-03-08 am",
        "2027-03-08 pm",
        "2027-03-09 am",
        "2027-03-09 pm",
    ]
    assert [h.key for h in half_days(afternoon_only)] == ["2027-03-08 pm", "2027-03-09 pm"]
    assert half_days(EDITION)[1].label == "Mon 8 Mar 2027, afternoon"


def replace_edition(**changes) -> Edition:
    values = {c.key: getattr(EDITION, c.key) for c in Edition.__table__.columns if c.key != "id"}
    return Edition(**(values | changes))


def test_resource_defaults():
    resource = ResourceData("Docs", "https://example.com")

    assert (resource.kind, resource.timing) == (ResourceKind.ARTICLE, ResourceTiming.BEFORE)


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert('x')</script>",
        '<img src=x onerror="alert(1)">',
        "[click me](javascript:alert(1))",
        '<a href="javascript:alert(1)">raw link</a>',
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
    ],
    ids=[
        "script",
        "onerror",
        "md-javascript-link",
        "html-javascript-link",
        "data-uri",
        "iframe",
        "svg",
    ],
)
def test_markdown_renders_hostile_input_inert(source):
    soup = BeautifulSoup(str(render_markdown(source)), "html.parser")

    assert soup.find_all(["script", "img", "iframe", "svg", "object", "embed"]) == []
    for element in soup.find_all(True):
        assert not [name for name in element.attrs if name.lower().startswith("on")]
        for attribute in ("href", "src"):
            value = element.get(attribute)
            assert value is None or value.startswith(("https://", "http://", "mailto:"))


def test_markdown_keeps_ordinary_formatting():
    html = str(render_markdown("# Plan\n\n**Bring** a laptop. See [docs](https://example.com)."))

    assert html == (
        "<h3>Plan</h3>\n<p><strong>Bring</strong> a laptop. See "
        '<a href="https://example.com" rel="noopener noreferrer nofollow">docs</a>.</p>\n'
    )
