"""Every text field of every form cleans control characters on the way in, through the
one filter of its kind: one-line fields (names, titles, places, links) get
`single_line`, text with paragraphs gets `multi_line`."""

import importlib
import pkgutil
from collections.abc import Iterator

from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField

import learningweek
from learningweek.web.forms import multi_line, single_line


def _form_classes() -> set[type[Form]]:
    for module in pkgutil.walk_packages(learningweek.__path__, "learningweek."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found: set[type[Form]] = set()
    waiting = [Form]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            waiting.append(subclass)
            if subclass.__module__.startswith("learningweek."):
                found.add(subclass)
    return found


def _text_fields(owner: str, unbound: UnboundField) -> Iterator[tuple[str, UnboundField]]:
    if issubclass(unbound.field_class, FieldList):
        yield from _text_fields(owner, unbound.args[0])
    elif issubclass(unbound.field_class, FormField):
        for name, inner in vars(unbound.args[0]).items():
            if isinstance(inner, UnboundField):
                yield from _text_fields(f"{owner}.{name}", inner)
    elif issubclass(unbound.field_class, StringField) and not issubclass(
        unbound.field_class, PasswordField | HiddenField
    ):
        yield owner, unbound


def test_every_text_field_cleans_control_characters_through_its_filter():
    checked, wrong = 0, []
    for form_class in _form_classes():
        for name in dir(form_class):
            unbound = getattr(form_class, name)
            if not isinstance(unbound, UnboundField):
                continue
            for owner, field in _text_fields(f"{form_class.__name__}.{name}", unbound):
                wanted = multi_line if issubclass(field.field_class, TextAreaField) else single_line
                checked += 1
                if wanted not in field.kwargs.get("filters", ()):
                    wrong.append(owner)

    assert wrong == []
    assert checked >= 30
