"""The follow-up list (`/wilayah/<code>/tindak-lanjut/`) shows each desa's submission status and puts
first the desa that have sent nothing, then those returned, then those waiting at DPMD, then at BPJS."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.models import Program, Village
from enrollment.selectors import villages_by_coverage
from submissions.models import Submission
from tests.html import page

NOTHING, RETURNED, AT_DPMD, AT_BPJS = (
    "belum mengirim apa pun",
    "dikembalikan untuk perbaikan",
    "menunggu di DPMD",
    "menunggu di BPJS",
)
STAGES = [NOTHING, RETURNED, AT_DPMD, AT_BPJS]


@pytest.fixture
def sent(mukomuko, tk, head_suka_pindah):
    """Three desa of Mukomuko with nobody in BPJS TK and a submission at each stage past the desa, and one
    whose only submission is still a draft: {desa code: what the list should say}."""
    villages = Village.objects.filter(subdistrict__regency=mukomuko)
    uncovered = villages_by_coverage(villages=villages, program=tk, day=timezone.localdate(), which="uncovered")
    desa = list(uncovered.order_by("-pk")[:4])
    statuses = [Submission.Status.FORWARDED, Submission.Status.SUBMITTED, Submission.Status.RETURNED]
    statuses.append(Submission.Status.DRAFT)
    for village, status in zip(desa, statuses, strict=True):
        Submission.objects.filter(village=village, program=tk).delete()
        Submission.objects.create(village=village, program=tk, status=status, created_by=head_suka_pindah)
    return dict(zip([v.code for v in desa], [AT_BPJS, AT_DPMD, RETURNED, NOTHING], strict=True))


def test_followup_puts_first_the_desa_that_sent_nothing_then_returned_then_at_dpmd_then_at_bpjs(
    sent, dpmd_mukomuko, login
):
    response = login(dpmd_mukomuko).get(f"/wilayah/17.06/tindak-lanjut/?program={Program.KETENAGAKERJAAN}")

    rows = page(response).find("table").rows()
    stages = [row["Pengajuan"] for row in rows]
    assert set(stages) == set(STAGES)
    assert stages == sorted(stages, key=STAGES.index)
    shown = {row["Desa"].split()[-1]: row["Pengajuan"] for row in rows}
    assert {code: shown[code] for code in sent} == sent
