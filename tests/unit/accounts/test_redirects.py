"""Only local paths are followed after login."""

import pytest

from learningweek.accounts.permissions import is_safe_redirect_target


@pytest.mark.parametrize(
    "target",
    ["/", "/editions/spring-2027", "/organize/people?q=ana&page=2"],
    ids=["root", "path", "path-with-query"],
)
def test_local_paths_are_safe(target):
    assert is_safe_redirect_target(target) is True


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "/\tevil",
        "",
        None,
    ],
    ids=[
        "absolute",
        "protocol-relative",
        "triple-slash",
        "backslash-host",
        "double-backslash",
        "javascript",
        "scheme-without-slashes",
        "relative-host",
        "control-character",
        "empty",
        "none",
    ],
)
def test_foreign_or_odd_targets_are_refused(target):
    assert is_safe_redirect_target(target) is False
