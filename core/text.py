"""Free text a user types (form, API, import) that ends up on pages and in spreadsheets: what it may hold.

Every one-line text refuses control characters (C0, DEL, C1: a tab, a line break, ESC, NUL, ...) and
Excel's `_xHHHH_` escapes, which Excel itself writes for such characters (`_x001B_` is ESC) and turns
back into them when it reads the file. A name or a title is also refused when it starts with = + - or @:
a spreadsheet program reads such a cell as a formula when it is typed or edited, so `=HYPERLINK(...)`
would become a link to anywhere in the DPMD's copy of the list. Numbers (a negative amount, a phone
number with +62) are not names and are not checked here.

`text_problem` and `name_problem` give the message (the importers put it on the row and column);
`validate_text` and `validate_name` are the same rules as Django validators, for forms, serializers and
model `clean()`.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# C0 (U+0000-U+001F, tab and line breaks included), DEL and C1 (U+0080-U+009F).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
FORMULA_STARTS = ("=", "+", "-", "@")


def _shown(char: str) -> str:
    return f"U+{ord(char):04X}"


def text_problem(value: object) -> str | None:
    """Why this one-line text cannot be kept, or None."""
    if not isinstance(value, str):
        return None
    if match := _CONTROL.search(value):
        return _(
            "This text holds a control character (%(code)s), such as a tab, a line break or ESC. "
            "Type it again on one line, without special characters."
        ) % {"code": _shown(match.group())}
    if match := _EXCEL_ESCAPE.search(value):
        return _("This text holds the Excel escape code %(escape)s, not a letter. Type it again without the code.") % {
            "escape": match.group()
        }
    return None


def name_problem(value: object) -> str | None:
    """Why this name or title cannot be kept, or None."""
    if problem := text_problem(value):
        return problem
    if isinstance(value, str) and value.lstrip().startswith(FORMULA_STARTS):
        return _(
            "A name cannot start with %(char)s: spreadsheet programs read it as a formula. "
            "Remove the %(char)s at the start."
        ) % {"char": value.lstrip()[0]}
    return None


def validate_text(value: object) -> None:
    if problem := text_problem(value):
        raise ValidationError(problem, code="control_character")


def validate_name(value: object) -> None:
    if problem := name_problem(value):
        raise ValidationError(problem, code="unsafe_name")


def clean_names(instance: object, *fields: str) -> None:
    """For a model's clean(): the named fields are names; their problems raised per field."""
    errors = {field: problem for field in fields if (problem := name_problem(getattr(instance, field)))}
    if errors:
        raise ValidationError(errors)


def fold(value: str) -> str:
    """A name as search compares it: accents dropped (NFKD without combining marks), case folded, spaces
    collapsed. "Sitï  Aisyah" and "siti aisyah" fold alike."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())
