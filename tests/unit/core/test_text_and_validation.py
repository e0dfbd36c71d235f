"""One-line and paragraph text, and the shared checks of links, dates and hosts."""

from datetime import UTC, date, datetime

import pytest

from learningweek.core.text import one_line, paragraphs
from learningweek.core.validation import is_http_url, is_supported_date, is_valid_host


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pandas\r\nfor all", "Pandas for all"),
        ("Pandas \r\n\r\n  for all", "Pandas for all"),
        ("Tab\there", "Tab here"),
        ("Bell\x07 and\x1b[0m escape", "Bell and [0m escape"),
        ("Next\x85line\u2028and\u2029more", "Next line and more"),
        ("\r\nEdges\n", "Edges"),
        ("Zoë Ångström-李 🎉", "Zoë Ångström-李 🎉"),
    ],
    ids=["crlf", "blank-lines", "tab", "c0", "unicode-breaks", "edges", "unicode-kept"],
)
def test_one_line_turns_each_run_of_breaks_and_controls_into_a_space(text, expected):
    assert one_line(text) == expected


def test_paragraphs_keep_line_breaks_as_newlines_and_drop_other_controls():
    text = "First.\r\n\r\nSecond\rthird\u2028fourth\x85fifth.\tTab\x07\x1b kept?"

    assert paragraphs(text) == "First.\n\nSecond\nthird\nfourth\nfifth.\tTab kept?"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/x", True),
        ("http://[::1]/x", True),
        ("http://[::1", False),
        ("javascript:alert(1)", False),
        ("https://", False),
    ],
)
def test_only_readable_http_links_count_as_links(url, expected):
    assert is_http_url(url) is expected


def test_dates_outside_the_years_people_plan_in_are_not_supported():
    assert is_supported_date(date(2027, 3, 8))
    assert is_supported_date(datetime(2999, 12, 31, 23, 59, tzinfo=UTC))
    assert not is_supported_date(date(1, 1, 1))
    assert not is_supported_date(datetime(9999, 12, 31, 23, 59, tzinfo=UTC))


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost", True),
        ("week.example.com:8443", True),
        ("127.0.0.1", True),
        ("[::1]:5000", True),
        ("a" * 63 + ".example.com", True),
        ("a" * 64 + ".example.com", False),
        ("a" * 300 + ".example.com", False),
        ("x." * 127 + "com", False),
        ("[::1", False),
        ("example.com:99999999", False),
        ("exa mple.com", False),
        ("exämple.com", False),
        ("..", False),
        ("", False),
    ],
)
def test_only_hosts_a_server_could_have_are_valid(host, expected):
    assert is_valid_host(host) is expected
