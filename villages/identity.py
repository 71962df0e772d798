"""The frozen identity: once BPJS has activated an enrollment of a person, their NIK, name, birth date
and sex are BPJS's record too, and change only through a data-change request that BPJS confirms.

The requests live in an app above this one, so the roster asks through this hook instead of importing
it; the changes app registers its check when it is ready (changes/apps.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import nik as nik_lib

# The fields BPJS holds as the participant's identity.
IDENTITY_FIELDS = ("nik", "full_name", "birth_date", "sex")

FrozenCheck = Callable[[Iterable[int]], set[int]]
_checks: list[FrozenCheck] = []
_request_paths: list[Callable[[], str]] = []


def register(check: FrozenCheck, *, request_path: Callable[[], str] | None = None) -> None:
    """Add a check that answers which of the given person ids have a frozen identity (one query for all),
    and where a change of it is requested instead (the API path named in the refusal)."""
    if check not in _checks:
        _checks.append(check)
    if request_path is not None and request_path not in _request_paths:
        _request_paths.append(request_path)


def frozen_person_ids(person_ids: Iterable[int]) -> set[int]:
    ids = [pk for pk in person_ids if pk is not None]
    frozen: set[int] = set()
    for check in _checks:
        frozen |= check(ids)
    return frozen


def identity_frozen(person) -> bool:
    return person.pk is not None and bool(frozen_person_ids([person.pk]))


def changed_fields(person, names: Iterable[str], *, nik: str | None = None, fields: dict) -> list[str]:
    """Of `names` (and the NIK, when given), those whose given value differs from the person's; a text
    sent back as the form showed it is no change, whatever its spacing."""
    changed = ["nik"] if nik is not None and nik_lib.normalize_nik(nik) != person.nik else []
    return changed + [name for name in names if name in fields and _differs(fields[name], getattr(person, name))]


def _differs(new, old) -> bool:
    if isinstance(new, str) and isinstance(old, str):
        return " ".join(new.split()) != " ".join(old.split())
    return new != old


def ensure_identity_open(person, *, nik: str | None = None, **fields) -> None:
    """Refuse a change of a frozen identity, each field with the way to request it."""
    changed = changed_fields(person, IDENTITY_FIELDS[1:], nik=nik, fields=fields)
    if not changed or not identity_frozen(person):
        return
    path = "".join(str(p()) for p in _request_paths[:1])
    message = _(
        "This official is an active BPJS participant: this field changes only through a data-change "
        "request that DPMD checks and BPJS confirms (“Ajukan perubahan data” on the official's page, "
        "or POST %(path)s)."
    ) % {"path": path}
    raise ValidationError({name: message for name in changed}, code="identity_frozen")
