"""The officials template (.xlsx) of a desa, or of a whole regency for DPMD, with the current officials
filled in: download, correct, add, upload.

Three sheets: "Perangkat" (the data, header frozen, NIK and phone as text, drop-downs), "Petunjuk" (how
to fill it in) and "Daftar" (the values of the drop-downs, visible so that nothing in the file is hidden:
the import refuses hidden sheets). The template is always in Indonesian, like its headers.

Cells are written with the one writer's helpers (core.spreadsheets.writer: text never a formula, dates
DD-MM-YYYY, rupiah amounts). Unlike the exports, the data sheet has no title row: its first row is the
header, as files filled in from earlier templates and CSV files have it; the title heads "Petunjuk".
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.models import Regency, Village
from core.spreadsheets.cells import labels_id
from core.spreadsheets.columns import Column
from core.spreadsheets.writer import HEADER_FONT, TITLE_FONT, number_format, title_text, workbook_response, write_cell
from villages.models import Position, Post
from villages.roster_import.columns import SEX_CODES, SHEET_DATA, SHEET_HELP, SHEET_LISTS, columns_for

EMPTY_ROWS = 300  # formatted rows below the officials, for new ones
HEADER_FILL = PatternFill("solid", fgColor="0B6E4F")
HEADER_COLOURS = Font(bold=HEADER_FONT.bold, color="FFFFFF")
_POSITION_ORDER = {code: i for i, code in enumerate(Position.values)}


def template_posts(*, village: Village | None = None, regency: Regency | None = None) -> list[Post]:
    """The current officials, one row per person (their definitif post first): a Plt held beside a
    definitif post stays on the village page, since the import keys rows by NIK."""
    posts: QuerySet[Post] = Post.objects.current().select_related("person", "village")
    if village is not None:
        posts = posts.filter(village=village)
    else:
        posts = posts.filter(village__subdistrict__regency=regency, village__kind__in=Village.GOVERNED_KINDS)
    ordered = sorted(
        posts,
        key=lambda p: (p.village_id, p.status != Post.Status.DEFINITIF, _POSITION_ORDER.get(p.position, 99), p.pk),
    )
    seen: set[tuple[str, int]] = set()
    rows = []
    for post in ordered:
        if (post.village_id, post.person_id) not in seen:
            seen.add((post.village_id, post.person_id))
            rows.append(post)
    return sorted(rows, key=lambda p: (p.village_id, _POSITION_ORDER.get(p.position, 99), p.person.full_name))


def _row(post: Post, *, regency_file: bool) -> list:
    person = post.person
    values = [
        person.nik,
        person.full_name,
        person.sex,
        person.birth_date,
        person.phone or None,
        post.get_position_display(),
        post.local_title or None,
        post.get_status_display(),
        post.sk_number or None,
        post.sk_date,
        post.inauguration_date,
        post.term_start,
        post.term_end,
        post.wage_basis or None,
        None,
        None,
    ]
    return [post.village_id, *values] if regency_file else values


def template_workbook(*, village: Village | None = None, regency: Regency | None = None) -> Workbook:
    regency_file = village is None
    columns = columns_for(regency_file=regency_file)
    posts = template_posts(village=village, regency=regency)
    with translation.override("id"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = SHEET_DATA
        lists = _lists_sheet(workbook.create_sheet(SHEET_LISTS))
        _data_sheet(sheet, columns, [_row(p, regency_file=regency_file) for p in posts], lists)
        title = title_text(SHEET_DATA, regency=regency or village.subdistrict.regency, day=timezone.localdate())
        _help_sheet(workbook.create_sheet(SHEET_HELP, 1), regency_file=regency_file, title=title)
    workbook.active = 0
    return workbook


def _data_sheet(sheet: Worksheet, columns: tuple[Column, ...], rows: list[list], lists: dict[str, str]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = write_cell(sheet.cell(row=1, column=index), column.header)
        cell.font = HEADER_COLOURS
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    for number, row in enumerate(rows, start=2):
        for index, (value, column) in enumerate(zip(row, columns, strict=True), start=1):
            write_cell(sheet.cell(row=number, column=index), value, column)
    last = len(rows) + 1 + EMPTY_ROWS
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        fmt = number_format(column, None)
        if fmt:
            # The column's own format applies to what is typed below the formatted rows; each cell's
            # format to what is typed or pasted into it.
            sheet.column_dimensions[letter].number_format = fmt
            for (cell,) in sheet.iter_rows(min_row=len(rows) + 2, max_row=last, min_col=index, max_col=index):
                cell.number_format = fmt
        if column.key in lists:
            validation = DataValidation(
                type="list",
                formula1=lists[column.key],
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=_("Not in the list"),
                error=_("Choose a value from the list (sheet %(sheet)s).") % {"sheet": SHEET_LISTS},
            )
            validation.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(validation)


def _lists_sheet(sheet: Worksheet) -> dict[str, str]:
    """Write the drop-down values, one list per column; returns the range formula of each."""
    lists = {
        "position": ("Jabatan", labels_id(Position.choices)),
        "status": ("Status Jabatan", labels_id(Post.Status.choices)),
        "sex": ("Jenis Kelamin", SEX_CODES),
        "end_reason": ("Alasan Berhenti", labels_id(Post.EndReason.choices)),
    }
    formulas = {}
    for index, (key, (title, values)) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        write_cell(sheet.cell(row=1, column=index), title).font = HEADER_FONT
        for row, value in enumerate(values, start=2):
            write_cell(sheet.cell(row=row, column=index), value)
        sheet.column_dimensions[letter].width = max(16, max(len(v) for v in values) + 2)
        formulas[key] = f"{quote_sheetname(SHEET_LISTS)}!${letter}$2:${letter}${len(values) + 1}"
    sheet.freeze_panes = "A2"
    return formulas


def _help_sheet(sheet: Worksheet, *, regency_file: bool, title: str) -> None:
    lines = [title, _("How to fill in the officials file"), *_help_lines(regency_file=regency_file)]
    sheet.column_dimensions["A"].width = 110
    for row, text in enumerate(lines, start=1):
        cell = write_cell(sheet.cell(row=row, column=1), text if row <= 2 else f"{row - 2}. {text}")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row <= 2:
            cell.font = TITLE_FONT


def _help_lines(*, regency_file: bool) -> list[str]:
    """The numbered instructions of the help sheet; a regency's file has a Kode Desa column to explain."""
    lines = [
        _(
            "One row per official, below the header row of the sheet %(sheet)s. Do not rename, move or delete "
            "the headers."
        )
        % {"sheet": SHEET_DATA},
        _(
            "NIK: the 16 digits of the KTP, as text. The column is formatted as Text; if Excel shows a number "
            "such as 1,70601E+15 the NIK has lost its last digits: format the column as Text and type it again."
        ),
        _(
            "Dates (Tanggal Lahir, Tanggal SK, Tanggal Pelantikan, Mulai Menjabat, Akhir Masa Jabatan, Tanggal "
            "Berhenti): DD-MM-YYYY, for example 17-08-1985."
        ),
        _("No. HP: as text, with the leading 0, for example 081234567890."),
        _(
            "Jenis Kelamin: L (male) or P (female). Jabatan, Status Jabatan and Alasan Berhenti: choose from the "
            "drop-down list; the values are on the sheet %(sheet)s. An empty Status Jabatan means definitif."
        )
        % {"sheet": SHEET_LISTS},
        _(
            "Dasar Upah (Rp): the monthly siltap plus fixed allowances, in whole rupiah, for example 2850000 or "
            "2.850.000."
        ),
        _(
            "The officials already recorded are filled in. Correct what is wrong and add new officials in new "
            "rows. Deleting a row does not end a post: an official missing from the file is left unchanged."
        ),
        _(
            "To end a post (retirement, death, dismissal, resignation, end of term), fill in Tanggal Berhenti "
            "and Alasan Berhenti on the official's row."
        ),
        _(
            "An official who also holds a second post in this desa (for example as Plt) appears once; change the "
            "second post on the village page."
        ),
        _(
            "Type values, not formulas; do not merge cells and do not hide sheets. When copying from another "
            "file, use Paste Special › Values."
        ),
        _(
            "Save the file as Excel Workbook (.xlsx) without a password, or as CSV UTF-8, and upload it on the "
            "village page. You will see every change before anything is saved."
        ),
    ]
    if regency_file:
        lines.insert(
            1,
            _(
                "Kode Desa: the Kemendagri code of the desa of each row, for example 17.06.01.2005. Kelurahan "
                "have no officials."
            ),
        )
    return lines


def template_response(*, village: Village | None = None, regency: Regency | None = None) -> HttpResponse:
    workbook = template_workbook(village=village, regency=regency)
    code = (village or regency).code
    filename = f"perangkat-{'desa' if village else 'kabupaten'}-{code}.xlsx"
    return workbook_response(workbook, filename=filename, private=True)  # the file holds full NIKs
