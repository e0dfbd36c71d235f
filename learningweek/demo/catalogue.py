"""The demo's session proposals, read from catalogue.toml when the demo runs."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from learningweek.core.enums import Equipment, Level, ResourceKind, ResourceTiming, SessionFormat
from learningweek.proposals.services import ProposalData, ResourceData


@dataclass(frozen=True)
class DemoSession:
    """A catalogue entry: the proposal as its lead would enter it, and its topic by name."""

    topic: str
    proposal: ProposalData


def load_catalogue() -> list[DemoSession]:
    """Every session of catalogue.toml, in the file's order."""
    text = files(__package__).joinpath("catalogue.toml").read_text(encoding="utf-8")
    return [_demo_session(entry) for entry in tomllib.loads(text)["session"]]


def _resource(table: dict[str, str]) -> ResourceData:
    return ResourceData(
        table["title"], table["url"], ResourceKind(table["kind"]), ResourceTiming(table["timing"])
    )


# TOML has strings and lists where ProposalData holds enums and tuples. Converting
# here makes a misspelt value fail as the demo starts, naming the value; a misspelt
# key fails in ProposalData(**fields).
_CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "objectives": tuple,
    "format": SessionFormat,
    "level": Level,
    "equipment": lambda tags: tuple(Equipment(tag).value for tag in tags),
    "resources": lambda tables: tuple(_resource(table) for table in tables),
}


def _demo_session(entry: dict[str, Any]) -> DemoSession:
    fields = {
        key: _CONVERSIONS[key](value) if key in _CONVERSIONS else value
        for key, value in entry.items()
        if key != "topic"
    }
    return DemoSession(topic=entry["topic"], proposal=ProposalData(**fields))
