"""Filling a record (a frozen dataclass of plain values) from a model row."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

RecordT = TypeVar("RecordT", bound="DataclassInstance")


def record_from(source: object, record_class: type[RecordT], **overrides: Any) -> RecordT:
    """A `record_class` whose fields take the same-named attributes of `source`, except
    those given in `overrides` (values that need converting on the way)."""
    names = [field.name for field in fields(record_class) if field.name not in overrides]
    return record_class(**{name: getattr(source, name) for name in names}, **overrides)
