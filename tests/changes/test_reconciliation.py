"""Reconciliation compares BPJS's list with the confirmed values: a request still waiting for BPJS does
not lend its new NIK or name to the comparison."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from bpjs.reconciliation.services import reconciliation_create
from changes.services import data_change_check, data_change_confirm, data_change_request
from tests.bpjs.review_support import xlsx_bytes
from tests.changes.conftest import NEW_NIK, OLD_NIK, ktp

HEADER = ["NIK", "No KPJ", "Nama", "Status"]
MAPPING = {"nik": "NIK", "participant_number": "No KPJ", "name": "Nama", "status": "Status"}


def line_of(person, actor, regency, program, rows):
    upload = SimpleUploadedFile("kpj.xlsx", xlsx_bytes([HEADER, *rows]))
    result = reconciliation_create(actor=actor, regency=regency, program=program, upload=upload, mapping=MAPPING)
    [line] = [line for v in result.result["villages"] for line in v["lines"] if line["person"] == person.pk]
    return line


def test_a_pending_request_is_not_used_and_a_confirmed_one_is(
    post, person, head_suka_pindah, dpmd_mukomuko, bpjs_tk_mukomuko, mukomuko, tk
):
    change = data_change_request(
        actor=head_suka_pindah, post=post, reason="KTP baru", nik=NEW_NIK, full_name="Budi Santoso", ktp=ktp()
    )
    data_change_check(actor=dpmd_mukomuko, request=change, approve=True)
    number = person.enrollments.get().participant_number

    enrolled = line_of(person, bpjs_tk_mukomuko, mukomuko, tk, [[OLD_NIK, number, "BUDI SAPUTRA", "Aktif"]])
    requested = line_of(person, bpjs_tk_mukomuko, mukomuko, tk, [[NEW_NIK, number, "BUDI SANTOSO", "Aktif"]])

    assert (enrolled["kind"], enrolled["by"], enrolled["name_here"]) == ("matched", "nik", "Budi Saputra")
    assert (requested["kind"], requested["by"]) == ("mismatched", "participant_number")
    assert [d["field"] for d in requested["differences"]] == ["nik"]
    assert requested["name_here"] == "Budi Saputra"

    data_change_confirm(actor=bpjs_tk_mukomuko, request=change, confirm=True)

    confirmed = line_of(person, bpjs_tk_mukomuko, mukomuko, tk, [[NEW_NIK, number, "BUDI SANTOSO", "Aktif"]])
    assert (confirmed["kind"], confirmed["by"], confirmed["name_here"]) == ("matched", "nik", "Budi Santoso")
