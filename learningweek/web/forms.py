"""Form building blocks shared by every feature's forms."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from flask import render_template
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    ValidationError,
    widgets,
)

from learningweek.core.enums import LabelledEnum
from learningweek.core.errors import DomainError
from learningweek.core.text import one_line, paragraphs
from learningweek.core.validation import is_http_url

E = TypeVar("E", bound=Enum)
D = TypeVar("D")


def single_line(value):
    """Field filter for every one-line text (titles, names, places): a pasted line break
    or control character becomes a space, and surrounding white space goes. Such text
    ends up in mail headers and calendar lines, where a line break cannot be."""
    return one_line(value) if isinstance(value, str) else value


def multi_line(value):
    """Field filter for text with paragraphs (abstracts, comments, notes): line breaks
    stay, as "\n"; other control characters and surrounding white space go."""
    return paragraphs(value).strip() if isinstance(value, str) else value


class RuleCheckedForm(FlaskForm):
    """A form that also shows the service's rules, so every problem appears in one round.

    Subclasses return the service's pure `*_problems(data)` for whatever parsed; the
    service checks again when saving, so this only moves messages earlier.
    """

    def rule_problems(self) -> dict[str, str]:
        raise NotImplementedError

    def validate(self, extra_validators=None) -> bool:
        is_shape_valid = super().validate(extra_validators)
        for field_name, message in self.rule_problems().items():
            field = self._fields.get(field_name)
            # A field that failed to parse already says what is wrong with it.
            if field is not None and not field.errors:
                field.errors = [message]
        return is_shape_valid and not self.errors


def enum_or_default(enum_class: type[E], value: object, default: D) -> E | D:
    """The member with this value, or `default` for anything else a post may carry: a
    choice field refuses unknown values, but the form's rules read its data first."""
    try:
        return enum_class(value)
    except ValueError:
        return default


def enum_choices(enum_class: type[LabelledEnum]) -> list[SelectChoice]:
    """Every member of an enumeration as a choice, shown by its label."""
    return [SelectChoice(member.value, member.label) for member in enum_class]


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""


class WholeNumberField(IntegerField):
    """An integer field whose parse error speaks plainly."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number.") from None


class ListField(FieldList):
    """A FieldList that reads only the entry numbers a page can send.

    WTForms takes any key such as `resources-²-title` or one with a 5000-digit index
    for an entry and fails turning it into a number; those keys are ignored instead.
    """

    MAX_INDEX_DIGITS = 4

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if index.isascii() and index.isdigit() and len(index) <= self.MAX_INDEX_DIGITS:
                    yield int(index)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


HTTP_URL_MESSAGE = "Enter a full link starting with https:// or http://."


def http_url(form, field) -> None:
    """Accept only absolute http(s) URLs: other schemes (javascript:, data:) are unsafe."""
    if field.data and not is_http_url(field.data):
        raise ValidationError(HTTP_URL_MESSAGE)


def attach_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to the fields it concerns, or above the form."""
    problems = getattr(error, "problems", None) or {error.field: error.message}
    for field_name, message in problems.items():
        field = form._fields.get(field_name) if field_name else None
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def form_error_text(form: FlaskForm) -> str:
    """Every message of a form that failed validation, in one line."""
    return " ".join(message for messages in form.errors.values() for message in messages)


def render_form_page(template: str, form: FlaskForm, **context):
    """Render a page around a form; a form with errors answers 422, so bad input is a 4xx."""
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status
