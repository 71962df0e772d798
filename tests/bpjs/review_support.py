"""Shared by the review and reconciliation tests (no tests of its own).

- `request_enrollment`: an official holding a post in a desa (given one if needed), with a requested
  enrollment, as DPMD's forward to BPJS leaves it.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

from core.models import FundingSource, Program, Village
from enrollment.models import Enrollment
from enrollment.services import enrollment_create
from tests.factories import PersonFactory, PostFactory
from tests.spreadsheets import table_rows

JKN_NUMBER = "0011336526592"
KPJ_NUMBER = "23011234567"


def jkn(n: int) -> str:
    return f"00{n:011d}"


def kpj(n: int) -> str:
    return f"23{n:09d}"


def request_enrollment(
    program: Program, village: Village, *, person=None, components=(), source: str = "DAU", **post
) -> Enrollment:
    person = person or PersonFactory()
    if not person.posts.filter(village=village).exists():
        PostFactory(village=village, person=person, **post)
    return enrollment_create(
        actor=None,
        person=person,
        program=program,
        funding_source=FundingSource.objects.get(pk=source),
        components=components,
    )


HEADER_ROW = 2  # the sheets the app writes have a title row above the header


def sheet_rows(content: bytes) -> list[tuple]:
    """The header and data rows of a downloaded sheet (below its title row)."""
    return table_rows(content)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def reconcile_one(*, person, program: Program, regency, name_in_list: str):
    """A BPJS officer of `program` for `regency` compares a BPJS list of one row: `person`, enrolled
    with participant number jkn(1), listed as `name_in_list`. Returns (officer, reconciliation)."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from bpjs.reconciliation.services import reconciliation_create
    from core.roles import Role
    from tests.factories import EnrollmentFactory, UserFactory

    officer = UserFactory(username=f"bpjs-{program.pk}-{regency.pk}", role=Role.BPJS, program=program)
    officer.branch_regencies.set([regency])
    EnrollmentFactory(person=person, program=program, participant_number=jkn(1), start_date=date(2024, 1, 1))
    upload = SimpleUploadedFile(
        "peserta.xlsx", xlsx_bytes([["NIK", "No Kartu", "Nama Peserta"], [person.nik, jkn(1), name_in_list]])
    )
    reconciliation = reconciliation_create(
        actor=officer,
        regency=regency,
        program=program,
        upload=upload,
        mapping={"nik": "NIK", "participant_number": "No Kartu", "name": "Nama Peserta"},
    )
    return officer, reconciliation
