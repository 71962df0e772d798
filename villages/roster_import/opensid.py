"""The officials list downloaded from OpenSID ("Buku Data Aparat Pemerintahan Desa, Model A.4"), read as an
officials file (the format: ../shared/domain/formats.md §1–2).

OpenSID's "Excel" download is an HTML table saved with an .xls name: a title and header block, the table
of 13 columns in a fixed order (its header row, then a row numbering the columns 1–13, then one row per
official), and a signature block. Only the table's rows whose NO cell is a number are officials.

Mapping of the 13 columns to the import's columns:
  1 NO: only tells an official's row; 2 NAMA → Nama Lengkap; 3 NIAP/NIPD and 4 NIP: not kept;
  5 JENIS KELAMIN → Jenis Kelamin; 6 TEMPAT TANGGAL LAHIR → Tanggal Lahir (the place is not kept);
  7 AGAMA, 8 PANGKAT/GOLONGAN, 10 PENDIDIKAN: not kept; 9 JABATAN → Jabatan (the office synonyms apply);
  11 NOMOR DAN TANGGAL KEPUTUSAN PENGANGKATAN → Nomor SK and Tanggal SK;
  12 NOMOR DAN TANGGAL KEPUTUSAN PEMBERHENTIAN: the official was dismissed in OpenSID. A matched current
     official's post is ended on that date, reason "diberhentikan" (the row says so: the reason can be
     changed on the official's page); a row that matches no current official is left out (OpenSID also
     lists former officials: they are not added), and so is a dismissal without a date;
  13 KETERANGAN (masa jabatan) → Akhir Masa Jabatan when it holds a date range or an "s/d" date; free text
     (such as "2019-2025") is not kept.
An empty cell changes nothing (OpenSID leaves out what our data may hold), unlike an empty cell of the
template, which clears the value.

The file has no NIK. Each row is matched, within the uploading desa only, to one of its current
officials by folded name (case, accents, spaces and academic titles aside) and birth date; a matched row
takes that official's NIK and goes through the normal plan. The rows no official matches are kept
without a NIK and the preview asks for it (nik_step.py). A regency-wide DPMD upload has no desa to match
against and is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Village
from core.spreadsheets import cells
from core.spreadsheets.cells import CellError
from core.spreadsheets.columns import Issue
from core.spreadsheets.html_table import HtmlTable, read_tables
from core.spreadsheets.reader import ImportFileError, Table, check_size, file_size
from core.text import fold
from villages.models import Post
from villages.roster_import.columns import COLUMNS, parse_position

KIND = "opensid"
NEEDS_NIK = gettext_lazy(
    "Some officials of the file were not found among the desa's current officials: type their NIK in the "
    "preview (or leave them out) before confirming."
)

# The headers of columns 6, 11, 12 and 13, as the rows' notes name them.
BIRTH_HEADER = "TEMPAT TANGGAL LAHIR"
DISMISSAL_HEADER = "NOMOR DAN TANGGAL KEPUTUSAN PEMBERHENTIAN"
NAME_HEADER = "NAMA"
N_COLUMNS = 13


@dataclass
class OpenSidTable(Table):
    """The officials of an OpenSID export under the import's column keys, with what the matching needs:
    the dismissals of column 12 by row number, and the rows' notes (warnings) for the preview."""

    dismissals: dict[int, tuple[str, dt.date | None]] = field(default_factory=dict)
    notes: list[Issue] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------------------


def read_opensid_table(fileobj: IO[bytes], *, regency_file: bool) -> OpenSidTable:
    """The officials of an HTML file, when it is OpenSID's Buku Aparat; refused otherwise."""
    check_size(file_size(fileobj))
    fileobj.seek(0)
    tables = read_tables(fileobj.read())
    found = next(((t, i) for t in tables if (i := _header_index(t)) is not None), None)
    if found is None:
        raise ImportFileError(
            _(
                "This file is a web page (HTML) but not the officials list of OpenSID: no table has the 13 "
                "columns of the Buku Data Aparat Pemerintahan Desa (Model A.4), NO, NAMA … KETERANGAN. Upload "
                "the file OpenSID downloads (Pemerintah Desa › Unduh) unchanged, or the Excel template."
            )
        )
    if regency_file:
        raise ImportFileError(
            _(
                "An OpenSID officials list has no desa code and no NIK: it can only be matched to the "
                "officials of one desa. Upload it on that desa's page (Perangkat › Impor)."
            )
        )
    table, header = found
    result = OpenSidTable(columns=COLUMNS, kind=KIND)
    limit = settings.ROSTER_IMPORT_MAX_ROWS
    for number, row in table.rows[header + 1 :]:
        row = tuple(row) + (None,) * (N_COLUMNS - len(row))
        if not _is_official(row):
            continue  # the column numbers 1–13, blank rows, a signature block inside the table
        if len(result.rows) >= limit:
            raise ImportFileError(
                _("The file has more than %(limit)s officials; split it into several files.")
                % {"limit": number_format(limit, force_grouping=True)}
            )
        result.rows.append((number, _row_values(result, number, row)))
    if not result.rows:
        raise ImportFileError(_("The OpenSID list has no officials: its table has no rows below the header."))
    return result


def _header_index(table: HtmlTable) -> int | None:
    for index, (_number, row) in enumerate(table.rows[:20]):
        keys = [cells.loose_key(v) for v in row]
        if len(keys) < N_COLUMNS:
            continue
        if (
            keys[0] in ("no", "nomor", "no urut", "nomor urut")
            and keys[1].startswith("nama")
            and keys[4] == "jenis kelamin"
            and "lahir" in keys[5]
            and keys[8] == "jabatan"
            and "pengangkatan" in keys[10]
            and "pemberhentian" in keys[11]
        ):
            return index
    return None


def _is_official(row: tuple) -> bool:
    number = cells.cell_text(row[0])
    return number.isdigit() and not cells.is_blank(row[1]) and not _is_column_numbers(row)


def _is_column_numbers(row: tuple) -> bool:
    return [cells.cell_text(v) for v in row[:N_COLUMNS]] == [str(n) for n in range(1, N_COLUMNS + 1)]


def _row_values(table: OpenSidTable, number: int, row: tuple) -> dict[str, object]:
    values: dict[str, object] = {
        "full_name": row[1],
        "sex": row[4],
        "birth_date": _date_of(_after_comma(row[5])),
        "position": row[8],
    }
    sk_number, sk_date = _number_and_date(row[10])
    values.update(sk_number=sk_number, sk_date=sk_date)
    dismissal = _number_and_date(row[11])
    if any(dismissal):
        table.dismissals[number] = (dismissal[0] or "", dismissal[1] if isinstance(dismissal[1], dt.date) else None)
    term_end = _term_end(row[12])
    if term_end is not None:
        values["term_end"] = term_end
    # An empty cell says nothing: the required ones stay (and are reported), the others are left out.
    required = {c.key for c in COLUMNS if c.required}
    return {k: v for k, v in values.items() if k in required or not cells.is_blank(v)}


def _after_comma(value: object) -> str:
    """ "Muko-Muko, 17-08-1984" → "17-08-1984": the place may itself hold a comma, the date is last."""
    text = cells.cell_text(value)
    return text.rsplit(",", 1)[-1].strip() if "," in text else text


def _number_and_date(value: object) -> tuple[str | None, object]:
    """ "141/12/SK/2020, 02-01-2020" → ("141/12/SK/2020", date); "-, -" and ", -" are empty."""
    text = cells.cell_text(value)
    number, comma, tail = text.rpartition(",")
    if not comma:
        number, tail = ("", text) if isinstance(_date_of(text), dt.date) else (text, "")
    number = number.strip()
    return (None if number in ("", "-") else number), _date_of(tail)


# --- Indonesian dates --------------------------------------------------------------------------------

_MONTHS = {
    **dict.fromkeys(("januari", "jan", "january"), 1),
    **dict.fromkeys(("februari", "pebruari", "feb", "peb", "february"), 2),
    **dict.fromkeys(("maret", "mar", "march"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "jun", "june"), 6),
    **dict.fromkeys(("juli", "jul", "july"), 7),
    **dict.fromkeys(("agustus", "agu", "agt", "ags", "aug", "august"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("oktober", "okt", "oct", "october"), 10),
    **dict.fromkeys(("november", "nopember", "nov", "nop"), 11),
    **dict.fromkeys(("desember", "des", "dec", "december"), 12),
}
_NAMED = re.compile(r"(\d{1,2})\s*[-/. ]\s*([a-z]+)\.?\s*[-/. ]\s*(\d{4})", re.IGNORECASE)
_NUMERIC = re.compile(r"(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})")


def _date_of(value: object) -> object:
    """The date of a cell as Indonesian offices write it (17-08-1984, 17/08/1984, 17 Agustus 1984,
    17 Agt 1984), None when it is empty or "-", else its text (which the row's parsing then reports with
    the usual message)."""
    text = cells.cell_text(value)
    if text in ("", "-"):
        return None
    found = _dates_in(text, whole=True)
    return found[0] if found else text


def _dates_in(text: str, *, whole: bool = False) -> list[dt.date]:
    dates = []
    for pattern in (_NAMED, _NUMERIC):
        for match in (pattern.fullmatch(text),) if whole else pattern.finditer(text):
            if match is None:
                continue
            d, m, y = match.groups()
            month = int(m) if m.isdigit() else _MONTHS.get(m.lower())
            try:
                dates.append((match.start(), dt.date(int(y), month, int(d))))
            except (TypeError, ValueError):
                continue
    return [day for _start, day in sorted(dates)]


_UNTIL = re.compile(r"(s\s*/\s*d|sampai|hingga|sd)\b", re.IGNORECASE)


def _term_end(value: object) -> dt.date | None:
    """Column 13 is free text: a range of two dates ("01-01-2020 s/d 31-12-2025") or an "s/d" date
    gives the end of the term; years alone ("2019-2025") or other remarks give nothing."""
    text = cells.cell_text(value)
    dates = _dates_in(text)
    if len(dates) >= 2 or (len(dates) == 1 and _UNTIL.search(text)):
        return dates[-1]
    return None


# --- matching to the desa's current officials --------------------------------------------------------

# Academic and religious titles OpenSID adds around a name (gelar depan, gelar belakang).
_FRONT_TITLES = {"h", "hj", "dr", "drs", "dra", "ir", "prof", "kh", "ust", "ustadz"}


def name_keys(name: object) -> set[str]:
    """The folded name, and the same without its titles: "Drs. H. Ahmad Saputra, S.Pd." → "ahmad saputra"."""
    full = fold(str(name or ""))
    bare = full.split(",", 1)[0]
    words = bare.replace(".", ". ").split()
    while words and words[0].rstrip(".") in _FRONT_TITLES and len(words) > 1:
        words.pop(0)
    stripped = " ".join(w.rstrip(".") if w.endswith(".") else w for w in words)
    return {key for key in (full, " ".join(stripped.split())) if key}


def match_officials(table: OpenSidTable, *, village: Village) -> list[Issue]:
    """Give each row of the file the NIK of the desa's current official it names (one query), end the
    post of a matched dismissal, and leave out the dismissed rows no current official matches. Returns the
    notes of the rows (warnings). Only this desa's officials are looked at: one of another desa with the
    same name and birth date is neither matched nor told of."""
    posts = list(Post.objects.filter(village=village, ended_on__isnull=True).select_related("person"))
    index: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
    persons, posts_of = {}, defaultdict(list)
    for post in posts:
        persons[post.person_id] = post.person
        posts_of[post.person_id].append(post)
        for key in name_keys(post.person.full_name):
            index[(key, post.person.birth_date)].add(post.person_id)
    notes = list(table.notes)
    kept = []
    for number, raw in table.rows:
        birth = raw.get("birth_date")
        found = set()
        if isinstance(birth, dt.date):
            for key in name_keys(raw.get("full_name")):
                found |= index.get((key, birth), set())
        dismissal = table.dismissals.get(number)
        if len(found) > 1:
            notes.append(
                Issue(number, NAME_HEADER, _("Several current officials have this name and birth date: type the NIK."))
            )
        if len(found) != 1:
            if dismissal is not None:
                notes.append(Issue(number, DISMISSAL_HEADER, _dismissed_left_out(dismissal)))
                continue
            kept.append((number, raw))
            continue
        person = persons[found.pop()]
        raw = {**raw, "nik": person.nik, "full_name": person.full_name}
        post = _post_of(raw, posts_of[person.pk])
        if post is not None:
            # What OpenSID does not hold stays as it is here.
            raw.setdefault("term_start", post.term_start)
            raw.setdefault("status", post.status)
        if dismissal is not None:
            if dismissal[1] is None:
                notes.append(Issue(number, DISMISSAL_HEADER, _dismissed_left_out(dismissal)))
                continue
            raw.update(ended_on=dismissal[1], end_reason=Post.EndReason.DISMISSED.value)
            notes.append(
                Issue(
                    number,
                    DISMISSAL_HEADER,
                    _(
                        "OpenSID records a dismissal decree (%(sk)s): the post is ended on %(date)s with the "
                        "reason “diberhentikan”. Change the reason on the official's page if it was another."
                    )
                    % {"sk": dismissal[0] or "—", "date": dismissal[1].strftime("%d-%m-%Y")},
                )
            )
        kept.append((number, raw))
    table.rows = kept
    return notes


def _post_of(raw: dict, posts: list[Post]) -> Post | None:
    """The post the row updates, as decisions._match picks it: the one of its position, else the only one."""
    try:
        position, _title = parse_position(raw.get("position"))
    except CellError:
        position = None
    same = [p for p in posts if p.position == position]
    if len(same) == 1:
        return same[0]
    return posts[0] if len(posts) == 1 else None


def _dismissed_left_out(dismissal: tuple[str, dt.date | None]) -> str:
    if dismissal[1] is None:
        return _(
            "OpenSID records a dismissal decree (%(sk)s) without a date: this row is not imported. End the "
            "post on the official's page if it is still active."
        ) % {"sk": dismissal[0] or "—"}
    return _(
        "OpenSID records a dismissal decree (%(sk)s, %(date)s) and no current official of the desa matches: "
        "this row is not imported."
    ) % {"sk": dismissal[0] or "—", "date": dismissal[1].strftime("%d-%m-%Y")}
