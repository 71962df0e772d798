"""Reading one cell of an uploaded spreadsheet: what Excel and people actually put there.

Each parser takes the raw value (a str from CSV; str, int, float, datetime or None from openpyxl) and
returns the Python value, or raises CellError with a message for the row's error list. Parsers of one
file's own lists (an official's position, a post's status) live beside that file's columns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from core import nik as nik_lib
from core import text as text_rules

_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")


_SPACES = re.compile(r"\s+")


def header_key(text: object) -> str:
    """How a header cell is compared: case, spacing, a trailing '*' and a trailing note such as '(L/P)'
    or '(Rp)' do not matter, so 'nik', 'Jenis kelamin' and 'Dasar Upah (Rp) *' all match."""
    value = _SPACES.sub(" ", str(text or "").replace("\u00a0", " ")).strip().rstrip("*").strip()
    return _SUFFIX.sub("", value).strip().lower()


def loose_key(text: object) -> str:
    """header_key, with dots, slashes and other punctuation read as spaces: 'No.HP', 'No. HP' and 'no hp'
    are the same header."""
    return re.sub(r"[^a-z0-9]+", " ", header_key(text)).strip()


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_formula(value: object) -> bool:
    # openpyxl (without data_only) returns a formula cell as its text "=..."; a CSV cell starting with
    # "=" would become a formula when opened in Excel. Neither is data.
    return isinstance(value, str) and value.lstrip().startswith("=") and len(value.strip()) > 1


def formula_error(value: str) -> CellError:
    return CellError(
        _(
            "This cell holds a formula (%(formula)s), not a value. Copy the column and paste it back with "
            "Paste Special › Values, then upload again."
        )
        % {"formula": value.strip()[:40]}
    )


def cell_text(value: object) -> str:
    """A cell as text, spaces tidied: 12.0 reads "12"."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value).replace("\u00a0", " ")).strip()


def clean_text(value: object, *, max_length: int) -> str:
    """A one-line free text: control characters and Excel's _xHHHH_ escapes are refused (core.text)."""
    if problem := text_rules.text_problem(value):
        raise CellError(problem)
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = value.strftime("%d-%m-%Y")
    text = re.sub(r"\s+", " ", str(value).replace("\u00a0", " ")).strip()
    if len(text) > max_length:
        raise CellError(_("Too long: at most %(max)s characters.") % {"max": max_length})
    return text


def clean_name(value: object, *, max_length: int) -> str:
    """A name or a title: clean_text, and not starting with = + - @ (read as a formula, core.text)."""
    if problem := text_rules.name_problem(value):
        raise CellError(problem)
    return clean_text(value, max_length=max_length)


def clean_name_noted(value: object, *, max_length: int) -> tuple[str, str]:
    """clean_name, and a note when spaces were tidied (a double space, a space at either end)."""
    text = clean_name(value, max_length=max_length)
    if isinstance(value, str) and value != text and value.replace("\u00a0", " ").split() == text.split():
        return text, _("Extra spaces removed: read as “%(text)s”.") % {"text": text}
    return text, ""


# --- NIK ---------------------------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")


def parse_nik(value: object) -> str:
    """The NIK as 16 digits. Only the structure is checked here (check_nik does the rest)."""
    if isinstance(value, int | float) or (isinstance(value, str) and _SCIENTIFIC.match(value.strip())):
        # Excel keeps 15 significant digits: a 16-digit NIK typed into a number cell loses its last
        # digit for good, and shows as 1,70601E+15.
        raise CellError(
            _(
                "Excel turned this NIK into a number (%(value)s) and lost its last digits. Format the NIK "
                "column as Text and type the NIK again."
            )
            % {"value": value if isinstance(value, str) else f"{value:.5E}"}
        )
    text = str(value).strip().lstrip("'")
    return nik_lib.normalize_nik(text)


def parse_nik_noted(value: object) -> tuple[str, str]:
    """parse_nik, and a note when the NIK was written with spaces, dots, dashes or an apostrophe. The note
    shows the NIK masked: it is kept with the preview, where no full NIK may be."""
    nik = parse_nik(value)
    if str(value).strip() != nik and len(nik) == 16:
        return nik, _("NIK written with spaces, dots, dashes or an apostrophe: read as the 16 digits %(nik)s.") % {
            "nik": nik_lib.mask_nik(nik)
        }
    return nik, ""


# --- dates -------------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_SERIAL = re.compile(r"^\d{1,5}(?:\.0+)?$")
MIN_YEAR, MAX_YEAR = 1900, 2100


def _not_a_date(value: object) -> CellError:
    return CellError(
        _("%(value)s is not a date. Write dates as DD-MM-YYYY, for example 17-08-1985.") % {"value": value}
    )


def _impossible(value: object) -> CellError:
    return CellError(_("%(value)s is not a real date.") % {"value": value})


def _from_serial(serial: float, shown: object) -> dt.date:
    if serial < 1 or not float(serial).is_integer():
        raise _not_a_date(shown)
    try:
        day = from_excel(serial)
    except (ValueError, OverflowError) as exc:
        raise _impossible(shown) from exc
    return day.date() if isinstance(day, dt.datetime) else day


def parse_date(value: object) -> dt.date | None:
    """Real Excel dates, Excel serial numbers, and text as 17/08/1985, 17-08-1985, 17.08.1985 or 1985-08-17."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, bool | dt.time):
        raise _not_a_date(value)
    elif isinstance(value, int | float):
        day = _from_serial(value, value)
    else:
        text = str(value).strip()
        if match := _DMY.match(text):
            d, m, y = (int(g) for g in match.groups())
        elif match := _YMD.match(text):
            y, m, d = (int(g) for g in match.groups())
        elif _SERIAL.match(text):
            return _checked(_from_serial(float(text), text), text)
        else:
            raise _not_a_date(text)
        try:
            day = dt.date(y, m, d)
        except ValueError as exc:
            raise _impossible(text) from exc
    return _checked(day, value)


_USUAL = re.compile(r"^\d{2}-\d{2}-\d{4}$")


def parse_date_noted(value: object) -> tuple[dt.date | None, str]:
    """parse_date, and a note when the date was not a date cell nor written DD-MM-YYYY: an Excel serial
    number, or text in another form (17/08/1985, 1985-08-17, 17.8.1985)."""
    day = parse_date(value)
    if day is None or isinstance(value, dt.date):
        return day, ""
    shown = day.strftime("%d-%m-%Y")
    text = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip()
    if isinstance(value, int | float) or _SERIAL.match(text):
        return day, _("Excel date number %(value)s: read as %(date)s.") % {"value": text, "date": shown}
    if not _USUAL.match(text):
        return day, _("Date written as %(value)s: read as %(date)s.") % {"value": text, "date": shown}
    return day, ""


def _checked(day: dt.date, shown: object) -> dt.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise _impossible(shown if isinstance(shown, str) else day.strftime("%d-%m-%Y"))
    return day


# --- money -------------------------------------------------------------------------------------------

_DOT_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_COMMA_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_CENTS_ID = re.compile(r"^(?P<whole>[\d.]*\d),(?P<cents>\d{1,2})$")
_CENTS_EN = re.compile(r"^(?P<whole>[\d,]*\d)\.(?P<cents>\d{2})$")


def parse_rupiah(value: object) -> int:
    """Whole rupiah from 2850000, '2.850.000', 'Rp2.850.000', 'Rp 2.850.000,-' or '2.850.000,00'.

    Strict on purpose: lokal's parse_rupiah also reads '2jt' and 'goceng', which is right for chat but
    not for a wage that BPJS contributions are computed from."""
    if is_blank(value):
        return 0
    if isinstance(value, bool):
        raise _not_money(value)
    if isinstance(value, int | float):
        if value < 0:
            raise CellError(_("The wage cannot be negative."))
        if isinstance(value, float) and not value.is_integer():
            raise _not_money(value)
        return int(value)
    text = str(value).strip().replace("\u00a0", " ")
    if text.startswith("-") or text.startswith("(") or re.match(r"(?i)^rp\.?\s*-", text):
        raise CellError(_("The wage cannot be negative."))
    text = re.sub(r"(?i)^rp\.?", "", text).replace(" ", "")
    text = re.sub(r",-$", "", text)
    # Decimals are allowed only when they are zero: "2.850.000,00" (Indonesian) or "2850000.00".
    if match := _CENTS_ID.match(text) or _CENTS_EN.match(text):
        if int(match["cents"]):
            raise _not_money(value)
        text = match["whole"]
    if text.isdigit():
        return int(text)
    if _DOT_THOUSANDS.match(text):
        return int(text.replace(".", ""))
    if _COMMA_THOUSANDS.match(text):
        return int(text.replace(",", ""))
    raise _not_money(value)


def parse_rupiah_noted(value: object) -> tuple[int, str]:
    """parse_rupiah, and a note when the amount was written with Rp, separators or zero cents."""
    amount = parse_rupiah(value)
    grouped = f"{amount:,}".replace(",", ".")
    # Written as the app writes money (2850000, 2.850.000, Rp2.850.000): nothing to say.
    if isinstance(value, str) and value.strip() not in (str(amount), grouped, f"Rp{grouped}") and not is_blank(value):
        return amount, _("Amount written as %(value)s: read as Rp%(amount)s.") % {
            "value": value.strip(),
            "amount": grouped,
        }
    return amount, ""


def _not_money(value: object) -> CellError:
    return CellError(
        _("%(value)s is not an amount. Write the wage in whole rupiah, for example 2.850.000.") % {"value": value}
    )


# --- phone -------------------------------------------------------------------------------------------

_PHONE = re.compile(r"^\+?\d{8,15}$")


def parse_phone(value: object) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A phone typed into a number cell lost its leading 0 (81234567890).
        digits = str(int(value))
        text = f"0{digits}" if digits.startswith("8") else digits
    else:
        text = re.sub(r"[\s.\-()]", "", str(value)).lstrip("'")
    if not _PHONE.match(text) or len(text) > 20:
        raise CellError(_("%(value)s is not a phone number.") % {"value": value})
    return text


def parse_phone_noted(value: object) -> tuple[str, str]:
    """parse_phone, and a note when the number was tidied: spaces, dashes or brackets taken out, or the
    leading 0 a number cell dropped put back."""
    phone = parse_phone(value)
    shown = cell_text(value)
    if phone and shown != phone:
        return phone, _("Phone written as %(value)s: read as %(phone)s.") % {"value": shown, "phone": phone}
    return phone, ""


# --- lists -------------------------------------------------------------------------------------------


def labels_id(choices: Iterable[tuple[str, object]]) -> list[str]:
    """The Indonesian labels of a choices list: the values of the drop-downs in the template."""
    with translation.override("id"):
        return [str(label) for _, label in choices]


class Choices:
    """A drop-down column: accepts the Indonesian and English labels, case-insensitively, and the codes."""

    def __init__(self, choices: list[tuple[str, object]], extra: dict[str, str] | None = None):
        self.choices = choices
        self.lookup: dict[str, str] = {}
        for code, label in choices:
            self.lookup[header_key(code)] = code
            self.lookup[header_key(code.replace("_", " "))] = code
            for language in ("en", "id"):
                with translation.override(language):
                    text = str(label)
                self.lookup[_key(text)] = code
                self.lookup[header_key(text)] = code  # "Plt" for "Plt (pelaksana tugas)"
        for alias, code in (extra or {}).items():
            self.lookup[_key(alias)] = code

    def parse(self, value: object) -> str:
        if is_blank(value):
            return ""
        code = self.lookup.get(_key(value))
        if code is None:
            raise CellError(
                _("%(value)s is not in the list. Choose one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(labels_id(self.choices))}
            )
        return code


def _key(value: object) -> str:
    return re.sub(r"\s+", " ", str(value).replace("\u00a0", " ")).strip().lower()


# --- village code ------------------------------------------------------------------------------------

_CODE_DIGITS = re.compile(r"^\d{10}$")
_CODE_DOTTED = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


def parse_village_code(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().lstrip("'").replace(" ", "")
    if _CODE_DIGITS.match(text):
        text = f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    if not _CODE_DOTTED.match(text):
        raise CellError(_("%(value)s is not a Kemendagri village code (such as 17.06.01.2005).") % {"value": value})
    return text
