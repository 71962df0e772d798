"""The one error format of the API (REST_FRAMEWORK["EXCEPTION_HANDLER"]).

Every error answer, whatever raised it, has the same body:

    {"detail": "<one sentence to show>", "errors": {"<field>": ["<message>", ...], ...}}

`errors` is empty when no field is at fault (401, 403, 404, 409); errors not tied to a field are under
"non_field_errors"; nested input keeps DRF's nesting ({"items": [{}, {"start_date": [...]}]}). `detail`
is the first message, so a client that shows one line shows the right one. A Django ValidationError
raised by a service is a 400 like a serializer's, and a Django form's errors read the same.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms import Form
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.versioning import StaleVersion


class Conflict(APIException):
    """The request is understood but the object's state refuses it (already confirmed, locked)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Unavailable(APIException):
    """A service the request needs (the task queue) does not answer; nothing was kept or changed."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"


def form_invalid(form: Form) -> ValidationError:
    """A Django form's errors as the API's 400: `raise form_invalid(form)`."""
    return ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})


def _key(name: str) -> str:
    return api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        errors = list(errors.values())
    if isinstance(errors, list):
        return next((m for m in map(_first_message, errors) if m), "")
    return str(errors)


def error_body(data) -> dict:
    """`{"detail", "errors"}` from what DRF made of an exception: {"detail": ...} or the field errors."""
    if isinstance(data, dict) and set(data) <= {"detail"}:
        return {"detail": str(data.get("detail", "")), "errors": {}}
    if isinstance(data, dict):
        errors = {_key(name): value if isinstance(value, list | dict) else [value] for name, value in data.items()}
    else:
        errors = {api_settings.NON_FIELD_ERRORS_KEY: data}
    return {"detail": _first_message(errors), "errors": errors}


def error_response(
    detail: str, errors: dict | None = None, *, status_code: int = status.HTTP_400_BAD_REQUEST, **extra
) -> Response:
    """An error answer a view builds itself, with `extra` members (an approval's row-by-row issues)."""
    return Response({"detail": detail, "errors": errors or {}, **extra}, status=status_code)


def exception_handler(exc, context):
    if isinstance(exc, StaleVersion):  # the row changed since the client read it: nothing was saved
        exc = Conflict(exc.messages[0])
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = error_body(response.data)
    return response
