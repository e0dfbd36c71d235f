"""Records are filled from the same-named attributes of a row, overrides winning."""

from dataclasses import dataclass
from types import SimpleNamespace

from learningweek.core.records import record_from


@dataclass(frozen=True)
class Pair:
    name: str
    size: int


def test_a_record_takes_the_same_named_attributes_and_ignores_the_rest():
    row = SimpleNamespace(name="Aula", size=40, colour="red")

    assert record_from(row, Pair) == Pair(name="Aula", size=40)


def test_an_override_replaces_the_attribute_of_the_same_name():
    row = SimpleNamespace(name="Aula", size=40)

    assert record_from(row, Pair, size=12) == Pair(name="Aula", size=12)
