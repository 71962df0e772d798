"""What the API accepts as a request body, before any view reads it.

A JSON body must be an object (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]): a list, a string, a number or
null is a 400 in the API's one format (core.api_errors), so no view meets a body it cannot `.get()` from.

Django forms validate the API's input as they do the pages' (villages.forms, budgets.forms), but they are
written for text: a date field calls `.strip()` on what it gets. `valid_form` hands a form only what a
page could have sent — text, or a list of text for a field with several values — and refuses any other
type with the field's name, so a list-valued `term_end` or an object for a date is a 400, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

from core.api_errors import form_invalid

F = TypeVar("F", bound=forms.Form)


class JSONObjectParser(JSONParser):
    """JSON whose top level is an object; anything else is refused as a whole."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except ParseError:
            raise ParseError(_("The request body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise ParseError(_('Send the request body as a JSON object, for example {"name": "..."}.'))
        return data


def _many(field: forms.Field) -> bool:
    return bool(getattr(field.widget, "allow_multiple_selected", False))


def _text(value: Any) -> str | None:
    """A JSON scalar as a page would have sent it; None when the value is not a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _form_value(field: forms.Field, value: Any) -> tuple[Any, str | None]:
    """(the value to bind, or the message refusing its type)."""
    if value is None:
        return None, None
    if _many(field):
        if not isinstance(value, list):
            return value, None  # the field says "Enter a list of values." itself
        texts = [_text(v) for v in value]
        if None in texts:
            return None, _("Give a list of values, each a text or a number.")
        return texts, None
    text = _text(value)
    if text is None:
        return None, _("Give one value here, not a list or an object.")
    return text, None


def form_data(form_class: type[forms.Form], data: Mapping) -> tuple[dict, dict[str, list[str]]]:
    """The body's values for the form's fields, and the fields whose value has a type no page sends."""
    values: dict[str, Any] = {}
    wrong: dict[str, list[str]] = {}
    for name, field in form_class.base_fields.items():
        if name not in data:
            continue
        if isinstance(data, QueryDict):  # form-encoded or multipart: text already, as from a page
            values[name] = data.getlist(name) if _many(field) else data.get(name)
            continue
        values[name], message = _form_value(field, data[name])
        if message:
            wrong[name] = [message]
    return values, wrong


def valid_form(form_class: type[F], data: Mapping, *, defaults: Mapping | None = None, **kwargs) -> F:
    """`form_class` bound to an API body (over `defaults`, a PATCH's current values) and valid; otherwise
    the API's 400 with every field's message, a wrong type included."""
    values, wrong = form_data(form_class, data)
    form = form_class({**(defaults or {}), **values}, **kwargs)
    if form.is_valid() and not wrong:
        return form
    errors = form_invalid(form).detail
    if not wrong:
        raise ValidationError(errors)
    # In the form's field order, a wrong type replacing what the form made of the missing value.
    ordered = {name: wrong.get(name) or errors[name] for name in form.fields if name in wrong or name in errors}
    ordered.update({name: messages for name, messages in errors.items() if name not in ordered})
    raise ValidationError(ordered)
