"""Writes of budgets: allocations (pagu), payments, village ADD, scenarios, and the deactivation of JKN
enrollments left unpaid past the 10th.

Every write is a keyword-only, typed, atomic function that validates with full_clean() and records who did
it (simple-history's user, Payment.recorded_by, Scenario.created_by). Files of payments and of village ADD
are read into a plan (every row error at once, nothing written); the plan's rows travel signed in the
preview page, and confirming builds the plan again from them and writes it all or nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.contributions import enrollment_costs
from budgets.models import Allocation, Payment, Scenario, VillageFund
from budgets.selectors import DUE_DAY
from core.models import FundingSource, Program, Regency, Village
from core.permissions import ensure, may_edit_budget, may_edit_regency
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
from core.spreadsheets.reader import ImportFileError, read_rows
from enrollment.models import Enrollment
from enrollment.services import enrollment_change_status
from villages.roster_import.columns import Column
from villages.roster_import.plan import Issue

# --- payers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payer:
    """Who pays a contribution: a regency (from a regency source such as DAU) or a desa (from ADD, DD...)."""

    regency: Regency | None = None
    village: Village | None = None

    @property
    def level(self) -> str:
        return FundingSource.Level.REGENCY if self.regency else FundingSource.Level.VILLAGE

    @property
    def key(self) -> str:
        return f"regency:{self.regency.pk}" if self.regency else f"village:{self.village.pk}"

    @property
    def fields(self) -> dict:
        return {"regency": self.regency, "village": self.village}

    def __str__(self) -> str:
        return str(self.regency or self.village)


def _ensure_may_edit(actor: User, payer) -> None:
    ensure(may_edit_budget(actor, payer), _("You may not change this budget."))


def _ensure_dpmd_of(actor: User, regency: Regency | str) -> None:
    ensure(may_edit_regency(actor, regency), _("Only DPMD staff of the regency may do this."))


def _check_source_level(source: FundingSource, payer: Payer) -> None:
    if source.level == payer.level:
        return
    if source.level == FundingSource.Level.VILLAGE:
        message = _("%(source)s is paid by a desa: record it on the desa's budget page.")
    elif source.level == FundingSource.Level.REGENCY:
        message = _("%(source)s is paid by the regency: record it on the regency's budget page.")
    else:
        message = _("%(source)s is the official's own share: it is not paid from a budget.")
    raise ValidationError({"source": message % {"source": source.code}})


# --- allocations (pagu) ------------------------------------------------------------------------------


@transaction.atomic
def allocation_create(
    *,
    actor: User,
    payer: Payer,
    fiscal_year: int,
    program: Program,
    source: FundingSource,
    amount: int,
    note: str = "",
) -> Allocation:
    _ensure_may_edit(actor, payer)
    _check_source_level(source, payer)
    allocation = Allocation(
        fiscal_year=fiscal_year, program=program, source=source, amount=amount, note=note, **payer.fields
    )
    allocation._history_user = actor
    allocation.full_clean()
    allocation.save()
    return allocation


@transaction.atomic
def allocation_update(
    *,
    actor: User,
    allocation: Allocation,
    fiscal_year: int,
    program: Program,
    source: FundingSource,
    amount: int,
    note: str = "",
) -> Allocation:
    _ensure_may_edit(actor, allocation)
    _check_source_level(source, Payer(regency=allocation.regency, village=allocation.village))
    allocation.fiscal_year, allocation.program, allocation.source = fiscal_year, program, source
    allocation.amount, allocation.note = amount, note
    allocation._history_user = actor
    allocation.full_clean()
    allocation.save()
    return allocation


@transaction.atomic
def allocation_delete(*, actor: User, allocation: Allocation) -> None:
    _ensure_may_edit(actor, allocation)
    allocation._history_user = actor  # the deletion is kept in the history with who did it
    allocation.delete()


# --- payments ----------------------------------------------------------------------------------------


@transaction.atomic
def payment_record(
    *,
    actor: User,
    payer: Payer,
    fiscal_year: int,
    month: int,
    program: Program,
    source: FundingSource,
    amount: int,
    paid_on: dt.date,
    reference: str = "",
) -> Payment:
    """Record a contribution paid to BPJS for one month, by a regency or a desa, from one source."""
    _ensure_may_edit(actor, payer)
    _check_source_level(source, payer)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date is in the future.")})
    payment = Payment(
        fiscal_year=fiscal_year,
        month=month,
        program=program,
        source=source,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        recorded_by=actor,
        **payer.fields,
    )
    payment._history_user = actor
    payment.full_clean()
    payment.save()
    return payment


@transaction.atomic
def payment_delete(*, actor: User, payment: Payment) -> None:
    _ensure_may_edit(actor, payment)
    payment._history_user = actor
    payment.delete()


# --- village ADD -------------------------------------------------------------------------------------


@transaction.atomic
def village_fund_set(*, actor: User, village: Village, fiscal_year: int, add_amount: int) -> VillageFund:
    """Enter (or correct) a desa's ADD for a year: DPMD staff of its regency do."""
    _ensure_dpmd_of(actor, village.subdistrict.regency_id)
    if not village.has_government:
        raise ValidationError({"village": _("%(village)s is a kelurahan: it has no ADD.") % {"village": village}})
    if add_amount <= 0:
        raise ValidationError({"add_amount": _("The amount must be more than zero.")})
    fund = VillageFund.objects.filter(village=village, fiscal_year=fiscal_year).first() or VillageFund(
        village=village, fiscal_year=fiscal_year
    )
    fund.add_amount = add_amount
    fund._history_user = actor
    fund.full_clean()
    fund.save()
    return fund


# --- scenarios ---------------------------------------------------------------------------------------


@transaction.atomic
def scenario_create(
    *,
    actor: User,
    regency: Regency,
    name: str,
    program: Program,
    components: Iterable[str],
    source: FundingSource,
    start_month: dt.date,
    add_share_threshold: Decimal,
) -> Scenario:
    """Save a "cover everyone not yet in `program`" question; its figures are computed when shown."""
    _ensure_dpmd_of(actor, regency)
    available = {c.code: c for c in program.components.all()}
    chosen = set(components)
    unknown = chosen - set(available)
    if unknown:
        raise ValidationError(
            {
                "components": _("Unknown components for %(program)s: %(codes)s")
                % {"program": program.short_name, "codes": ", ".join(sorted(unknown))}
            }
        )
    if source.level == FundingSource.Level.PARTICIPANT:
        raise ValidationError({"source": _("The employer share is paid from a regency or a village budget.")})
    if not Decimal(0) < add_share_threshold <= Decimal(100):
        raise ValidationError({"add_share_threshold": _("The threshold is a percentage above 0 and at most 100.")})
    codes = [c.code for c in available.values() if c.is_required or c.code in chosen]
    scenario = Scenario(
        regency=regency,
        name=name,
        program=program,
        components=codes,
        source=source,
        start_month=start_month.replace(day=1),
        add_share_threshold=add_share_threshold,
        created_by=actor,
    )
    scenario._history_user = actor
    scenario.full_clean()
    scenario.save()
    return scenario


@transaction.atomic
def scenario_delete(*, actor: User, scenario: Scenario) -> None:
    _ensure_dpmd_of(actor, scenario.regency_id)
    scenario._history_user = actor
    scenario.delete()


# --- unpaid JKN: inactive after the 10th -------------------------------------------------------------


@transaction.atomic
def enrollments_deactivate_unpaid(*, today: dt.date, actor: User | None = None) -> list[int]:
    """JKN is due by the 10th of the month it covers (rules.md §1). After the 10th of month M, an active
    JKN enrollment whose payer has recorded no Payment for M (program bpjs_kesehatan, its source, year and
    month of M) becomes inactive. The payer is the regency of the official's main post for a regency
    source (DAU, APBD), its desa for a village source (ADD, DD, PADes).

    The end date is the 1st of M: the unpaid month is not covered, and coverage on any day is read from
    the dates alone. Only enrollments that covered M from its first day owe M; one begun during M is
    first due the next month (a reactivation opens a new enrollment on its day, so it is not caught again
    for the month that deactivated it). Idempotent: a second run finds nothing left to do.
    Returns the ids of the enrollments made inactive."""
    if today.day <= DUE_DAY:
        return []
    month = today.replace(day=1)
    levels = dict(FundingSource.objects.values_list("code", "level"))
    candidates = Enrollment.objects.filter(
        program_id=Program.KESEHATAN,
        status=Enrollment.Status.ACTIVE,
        start_date__lte=month,
        funding_source__level__in=[FundingSource.Level.REGENCY, FundingSource.Level.VILLAGE],
    )
    paid = set(
        Payment.objects.filter(program_id=Program.KESEHATAN, fiscal_year=month.year, month=month.month).values_list(
            "regency_id", "village_id", "source_id"
        )
    )
    unpaid = []
    for cost in enrollment_costs(candidates, day=today):
        if cost.regency_id is None:
            continue  # the official holds no post today: there is no payer to hold to the due date
        if levels[cost.funding_source_id] == FundingSource.Level.REGENCY:
            payer = (cost.regency_id, None, cost.funding_source_id)
        else:
            payer = (None, cost.village_id, cost.funding_source_id)
        if payer not in paid:
            unpaid.append(cost.enrollment_id)
    with translation.override("id"):
        reason = _("No payment for %(month)s recorded by the 10th.") % {"month": f"{month:%m/%Y}"}
    deactivated = []
    still_active = Enrollment.objects.filter(pk__in=unpaid, status=Enrollment.Status.ACTIVE)
    for enrollment in still_active.select_related("program").select_for_update(of=("self",)).order_by("pk"):
        enrollment._change_reason = reason  # kept in the enrollment's history
        enrollment_change_status(actor=actor, enrollment=enrollment, status=Enrollment.Status.INACTIVE, on=month)
        deactivated.append(enrollment.pk)
    return deactivated


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
PAYMENTS_SALT = "budgets.payments-import"
FUNDS_SALT = "budgets.village-funds-import"


def read_import_file(upload: IO[bytes], *, name: str, columns: tuple[Column, ...]) -> list[tuple[int, dict]]:
    """The rows of a small .xlsx or CSV file, keyed by column, blank rows left out. The checks on the file
    as a whole are the officials import's (villages.roster_import.reader); a file that cannot be read
    raises ImportFileError and nothing is kept."""
    values, _kind = read_rows(upload, name=name)
    return _keyed_rows(values, columns)


def _keyed_rows(values: list[tuple[int, tuple]], columns: tuple[Column, ...]) -> list[tuple[int, dict]]:
    expected = ", ".join(c.header for c in columns)
    if not values or not any(any(not is_blank(v) for v in row) for _, row in values):
        raise ImportFileError(
            _("The file is empty. The first row names the columns: %(columns)s.") % {"columns": expected}
        )
    wanted = {header_key(c.header): c for c in columns}
    positions: dict[str, int] = {}
    for index, text in enumerate(values[0][1]):
        column = wanted.get(header_key(text)) if not is_blank(text) else None
        if column is not None and column.key not in positions:
            positions[column.key] = index
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing:
        raise ImportFileError(
            _("These columns are missing: %(missing)s. The first row names the columns: %(columns)s.")
            % {"missing": ", ".join(missing), "columns": expected}
        )
    rows = []
    for number, row in values[1:]:
        if all(is_blank(v) for v in row):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s rows. Split it into several files.") % {"limit": MAX_IMPORT_ROWS}
            )
        rows.append((number, {key: _jsonable(row[i] if i < len(row) else None) for key, i in positions.items()}))
    if not rows:
        raise ImportFileError(_("The file has no rows below the column names."))
    return rows


def _jsonable(value: object) -> object:
    """A cell as JSON can carry it in the signed preview (dates as ISO text, which parse_date reads)."""
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

    def token(self, *, salt: str, scope: str, actor: User) -> str:
        """The file's rows, signed: confirming replays exactly what was previewed, for this user and page."""
        return signing.dumps({"scope": scope, "user": actor.pk, "rows": self.raw}, salt=salt, compress=True)


def unsign_rows(token: str, *, salt: str, scope: str, actor: User) -> list[tuple[int, dict]]:
    try:
        data = signing.loads(token, salt=salt, max_age=dt.timedelta(hours=2))
    except signing.BadSignature:
        data = None
    if not data or data.get("scope") != scope or data.get("user") != actor.pk:
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
            _check_source_level(v["source"], payer)
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
    rows = unsign_rows(token, salt=PAYMENTS_SALT, scope=payer.key, actor=actor)
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
    rows = unsign_rows(token, salt=FUNDS_SALT, scope=Payer(regency=regency).key, actor=actor)
    _lock(Payer(regency=regency))
    plan = village_funds_import_plan(rows=rows, regency=regency)
    if plan.valid:
        for row in [*plan.of_kind("new"), *plan.of_kind("changed")]:
            v = row.values
            village_fund_set(
                actor=actor, village=v["village"], fiscal_year=v["fiscal_year"], add_amount=v["add_amount"]
            )
    return plan
