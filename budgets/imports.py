"""Files of payments and of village ADD: upload → preview → confirm.

A file is read into a plan (every row error at once, nothing written); the plan's rows wait in the one
preview storage (previews: the database, for this user and this page only), and confirming uses the
preview up, builds the plan again from its rows against the data as it is then, and writes it all or
nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.models import Payment, VillageFund
from budgets.services import Payer, check_source_level, payment_record, village_fund_set
from core.models import FundingSource, Program, Regency, Village
from core.spreadsheets.cells import (
    CellError,
    clean_text,
    formula_error,
    header_key,
    is_blank,
    is_formula,
    parse_date,
    parse_rupiah,
    parse_village_code,
)
from core.spreadsheets.columns import Column, Issue
from core.spreadsheets.reader import ImportFileError, is_blank_row, match_header, read_rows
from previews.models import Preview
from previews.selectors import preview_for
from previews.services import preview_claim, preview_create

# --- files: payments and village ADD -----------------------------------------------------------------

MAX_IMPORT_ROWS = 2000
PAYMENT_COLUMNS = (
    Column("fiscal_year", "Tahun", 8, required=True),
    Column("month", "Bulan", 10, required=True),
    Column("source", "Sumber", 10, required=True),
    Column("program", "Program", 18, required=True),
    Column("amount", "Jumlah", 16, required=True),
    Column("paid_on", "Tanggal Bayar", 14, required=True, date=True),
    Column("reference", "Referensi", 24),
)
FUND_COLUMNS = (
    Column("village_code", "Kode Desa", 16, required=True, text=True),
    Column("fiscal_year", "Tahun", 8, required=True),
    Column("add_amount", "ADD", 18, required=True),
)
PAYMENTS = Preview.Kind.PAYMENTS
VILLAGE_FUNDS = Preview.Kind.VILLAGE_FUNDS


def read_import_file(upload: IO[bytes], *, name: str, columns: tuple[Column, ...]) -> list[tuple[int, dict]]:
    """The rows of a small .xlsx or CSV file, keyed by column, blank rows left out. The checks on the file
    as a whole are core.spreadsheets.reader's; a file that cannot be read raises ImportFileError and
    nothing is kept."""
    values, _kind = read_rows(upload, name=name)
    return _keyed_rows(values, columns)


def _keyed_rows(values: list[tuple[int, tuple]], columns: tuple[Column, ...]) -> list[tuple[int, dict]]:
    expected = ", ".join(c.header for c in columns)
    if all(is_blank_row(row) for _, row in values):
        raise ImportFileError(
            _("The file is empty. The first row names the columns: %(columns)s.") % {"columns": expected}
        )
    match = match_header(values[0][1], columns)
    missing = [c.header for c in match.missing(columns)]
    if missing:
        raise ImportFileError(
            _("These columns are missing: %(missing)s. The first row names the columns: %(columns)s.")
            % {"missing": ", ".join(missing), "columns": expected}
        )
    rows = []
    for number, row in values[1:]:
        if is_blank_row(row):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s rows. Split it into several files.") % {"limit": MAX_IMPORT_ROWS}
            )
        rows.append((number, {key: _jsonable(value) for key, value in match.keyed(row).items()}))
    if not rows:
        raise ImportFileError(_("The file has no rows below the column names."))
    return rows


def _jsonable(value: object) -> object:
    """A cell as JSON can carry it in the preview (dates as ISO text, which parse_date reads)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def parse_year(value: object) -> int:
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
        raise CellError(_("%(value)s is not a year (such as 2026).") % {"value": value})
    return int(text)


def parse_month(value: object) -> int:
    """1–12, 01–12, or the month's name in Indonesian or English (Januari, Jan, January)."""
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    wanted = text.lower()
    for language in ("id", "en"):
        with translation.override(language):
            for number, name in MONTHS.items():
                if wanted in (str(name).lower(), str(name).lower()[:3]):
                    return number
    raise CellError(_("%(value)s is not a month: write 1 to 12 or the name of the month.") % {"value": value})


def parse_amount(value: object) -> int:
    """Whole rupiah, more than zero: 139080000, '139.080.000', 'Rp139.080.000' or '139.080.000,00'."""
    try:
        amount = parse_rupiah(value)
    except CellError:
        raise CellError(
            _("%(value)s is not an amount. Write whole rupiah, for example 139.080.000.") % {"value": value}
        ) from None
    if amount <= 0:
        raise CellError(_("The amount must be more than zero."))
    return amount


class _Lookup:
    """Values of a list column (Sumber, Program) read case-insensitively by code, name or alias."""

    def __init__(self, entries: dict[str, object], shown: list[str]):
        self.entries, self.shown = entries, shown

    def parse(self, value: object) -> object:
        found = self.entries.get(header_key(value)) or self.entries.get(str(value).strip().lower())
        if found is None:
            raise CellError(
                _("%(value)s is not in the list. Choose one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(self.shown)}
            )
        return found


def _sources_lookup(sources: list[FundingSource]) -> _Lookup:
    entries = {}
    for s in sources:
        entries[header_key(s.code)] = entries[header_key(s.name)] = entries[s.name.lower()] = s
        inner = re.search(r"\(([^)]*)\)", s.name)
        if inner:
            entries[header_key(inner.group(1))] = s  # "Dana Desa", "Alokasi Dana Desa"
    return _Lookup(entries, [s.code for s in sources])


_PROGRAM_ALIASES = {
    Program.KESEHATAN: ("jkn", "kesehatan", "bpjs kes", "jkn-kis"),
    Program.KETENAGAKERJAAN: ("ketenagakerjaan", "bpjs tk", "tk", "jamsostek", "bpjamsostek"),
}


def _programs_lookup(programs: list[Program]) -> _Lookup:
    entries = {}
    for p in programs:
        for text in (p.code, p.name, p.short_name, *_PROGRAM_ALIASES.get(p.code, ())):
            entries[header_key(text)] = entries[text.lower()] = p
    return _Lookup(entries, [p.short_name for p in programs])


@dataclass
class ImportRow:
    number: int
    values: dict = field(default_factory=dict)
    kind: str = "new"  # new, duplicate (already recorded: skipped), changed, unchanged
    old: int | None = None  # the ADD it replaces


@dataclass
class ImportPlan:
    """What a file would write, or why it cannot: every row error at once."""

    raw: list[tuple[int, dict]]
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def of_kind(self, kind: str) -> list[ImportRow]:
        return [r for r in self.rows if r.kind == kind]

    def error(self, row: ImportRow, column: Column, message: str) -> None:
        self.errors.append(Issue(row.number, column.header, message))

    def keep(self, *, kind: str, scope: str, actor: User) -> str:
        """Keep the file's rows as a preview of `actor` on the page `scope`; its token confirms it."""
        return preview_create(actor=actor, kind=kind, scope=scope, data={"rows": self.raw}).token


def kept_rows(token: str, *, kind: str, scope: str, actor: User) -> list[tuple[int, dict]]:
    """The rows of the actor's preview, used up: confirming replays exactly what was previewed, once.
    Another user's preview, or one of another page, is a 404."""
    preview = preview_for(actor, token, kind=kind, scope=scope)
    data = preview.data if preview is not None else None
    if data is None or not preview_claim(preview=preview):
        raise ValidationError(_("This preview has expired or belongs to another page. Upload the file again."))
    return [(number, values) for number, values in data["rows"]]


def _parse_cells(plan: ImportPlan, number: int, raw: dict, columns, parsers) -> ImportRow:
    row = ImportRow(number)
    failed = False
    for column in columns:
        value = raw.get(column.key)
        if is_formula(value):
            plan.error(row, column, formula_error(value).message)
            failed = True
        elif is_blank(value):
            if column.required:
                plan.error(row, column, _("Fill in this column."))
                failed = True
            else:
                row.values[column.key] = ""
        else:
            try:
                row.values[column.key] = parsers[column.key](value)
            except CellError as exc:
                plan.error(row, column, exc.message)
                failed = True
    return row if not failed else None


def payments_import_plan(
    *, rows: list[tuple[int, dict]], payer: Payer, programs: list[Program], today: dt.date
) -> ImportPlan:
    """Payments of one payer from a file (Tahun, Bulan, Sumber, Program, Jumlah, Tanggal Bayar, Referensi).
    A row equal to a payment already recorded (same month, program, source, amount, date and reference) is
    skipped, so uploading a file again adds nothing. Three queries whatever the number of rows."""
    plan = ImportPlan(raw=rows)
    columns = {c.key: c for c in PAYMENT_COLUMNS}
    sources = _sources_lookup(list(FundingSource.objects.all()))
    parsers = {
        "fiscal_year": parse_year,
        "month": parse_month,
        "source": sources.parse,
        "program": _programs_lookup(programs).parse,
        "amount": parse_amount,
        "paid_on": parse_date,
        "reference": lambda v: clean_text(v, max_length=100),
    }
    seen: dict[tuple, int] = {}
    for number, raw in rows:
        row = _parse_cells(plan, number, raw, PAYMENT_COLUMNS, parsers)
        if row is None:
            continue
        v = row.values
        try:
            check_source_level(v["source"], payer)
        except ValidationError as exc:
            plan.error(row, columns["source"], exc.message_dict["source"][0])
            continue
        if v["paid_on"] > today:
            plan.error(row, columns["paid_on"], _("The payment date is in the future."))
            continue
        key = _payment_key(v["fiscal_year"], v["month"], v["program"].pk, v["source"].pk, v)
        if key in seen:
            plan.error(row, columns["amount"], _("The same payment as row %(row)s.") % {"row": seen[key]})
            continue
        seen[key] = number
        plan.rows.append(row)
    recorded = Payment.objects.filter(
        fiscal_year__in={r.values["fiscal_year"] for r in plan.rows}, **payer.fields
    ).values_list("fiscal_year", "month", "program", "source", "amount", "paid_on", "reference")
    existing = {
        _payment_key(y, m, p, s, {"amount": a, "paid_on": d, "reference": r}) for y, m, p, s, a, d, r in recorded
    }
    for row in plan.rows:
        v = row.values
        if _payment_key(v["fiscal_year"], v["month"], v["program"].pk, v["source"].pk, v) in existing:
            row.kind = "duplicate"
    plan.errors.sort(key=lambda e: e.row)
    return plan


def _lock(payer: Payer) -> None:
    """Hold the payer's row until the transaction ends, so confirmations for one payer run one at a time."""
    if payer.regency:
        list(Regency.objects.select_for_update().filter(pk=payer.regency.pk).values_list("pk"))
    else:
        list(Village.objects.select_for_update().filter(pk=payer.village.pk).values_list("pk"))


def _payment_key(year: int, month: int, program: str, source: str, values: dict) -> tuple:
    return (year, month, program, source, values["amount"], values["paid_on"], values["reference"] or "")


@transaction.atomic
def payments_import_confirm(
    *, actor: User, payer: Payer, token: str, programs: list[Program], today: dt.date
) -> ImportPlan:
    """Record the previewed file's payments, all or none; the plan is checked again first (someone may
    have recorded one of them meanwhile: it is then skipped). An invalid plan writes nothing."""
    rows = kept_rows(token, kind=PAYMENTS, scope=payer.key, actor=actor)
    _lock(payer)  # two confirmations of one file at once: the second sees the first's payments and skips them
    plan = payments_import_plan(rows=rows, payer=payer, programs=programs, today=today)
    if plan.valid:
        for row in plan.of_kind("new"):
            payment_record(actor=actor, payer=payer, **row.values)
    return plan


def village_funds_import_plan(*, rows: list[tuple[int, dict]], regency: Regency) -> ImportPlan:
    """Each desa's ADD of a year from a file (Kode Desa, Tahun, ADD), for the desa of one regency. Two
    queries whatever the number of rows."""
    plan = ImportPlan(raw=rows)
    columns = {c.key: c for c in FUND_COLUMNS}
    parsers = {"village_code": parse_village_code, "fiscal_year": parse_year, "add_amount": parse_amount}
    parsed = [r for number, raw in rows if (r := _parse_cells(plan, number, raw, FUND_COLUMNS, parsers))]
    villages = Village.objects.filter(pk__in={r.values["village_code"] for r in parsed}).select_related(
        "subdistrict__regency"
    )
    by_code = {v.pk: v for v in villages}
    seen: dict[tuple, int] = {}
    for row in parsed:
        code, year = row.values["village_code"], row.values["fiscal_year"]
        village = by_code.get(code)
        if village is None:
            plan.error(
                row, columns["village_code"], _("%(code)s is not a village in the Kemendagri data.") % {"code": code}
            )
        elif village.subdistrict.regency_id != regency.pk:
            plan.error(
                row,
                columns["village_code"],
                _("%(code)s (%(village)s) is not in %(regency)s.")
                % {"code": code, "village": village, "regency": regency},
            )
        elif not village.has_government:
            plan.error(
                row, columns["village_code"], _("%(village)s is a kelurahan: it has no ADD.") % {"village": village}
            )
        elif (code, year) in seen:
            plan.error(
                row, columns["village_code"], _("The same desa and year as row %(row)s.") % {"row": seen[(code, year)]}
            )
        else:
            seen[(code, year)] = row.number
            row.values["village"] = village
            plan.rows.append(row)
    known = {
        (f.village_id, f.fiscal_year): f.add_amount
        for f in VillageFund.objects.filter(village__in=[r.values["village"] for r in plan.rows])
    }
    for row in plan.rows:
        old = known.get((row.values["village_code"], row.values["fiscal_year"]))
        if old is not None:
            row.kind, row.old = ("unchanged" if old == row.values["add_amount"] else "changed"), old
    plan.errors.sort(key=lambda e: e.row)
    return plan


@transaction.atomic
def village_funds_import_confirm(*, actor: User, regency: Regency, token: str) -> ImportPlan:
    rows = kept_rows(token, kind=VILLAGE_FUNDS, scope=Payer(regency=regency).key, actor=actor)
    _lock(Payer(regency=regency))
    plan = village_funds_import_plan(rows=rows, regency=regency)
    if plan.valid:
        for row in [*plan.of_kind("new"), *plan.of_kind("changed")]:
            v = row.values
            village_fund_set(
                actor=actor, village=v["village"], fiscal_year=v["fiscal_year"], add_amount=v["add_amount"]
            )
    return plan
