"""A BPJS officer reads the budgets of their branch in their own program only: the BPJS Ketenagakerjaan
officer of Mukomuko sees no JKN allocation or payment, on the pages or in the API, while DPMD sees both."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from budgets.models import Allocation, Payment
from core.models import Program
from tests.html import page

YEAR = timezone.localdate().year
KES, TK = Program.KESEHATAN, Program.KETENAGAKERJAAN


@pytest.fixture
def both_programs(mukomuko, suka_pindah, dpmd_mukomuko):
    """Mukomuko and Suka Pindah each set aside and pay for both programs (the demo's allocations, when
    another test loaded it, are taken over)."""
    made = []
    for payer, source in (({"regency": mukomuko}, "DAU"), ({"village": suka_pindah}, "ADD")):
        for program in (KES, TK):
            Allocation.objects.update_or_create(
                fiscal_year=YEAR, program_id=program, source_id=source, **payer, defaults={"amount": 9_000_000}
            )
            made.append(
                Payment.objects.create(
                    fiscal_year=YEAR,
                    month=1,
                    program_id=program,
                    source_id=source,
                    amount=123_000,
                    paid_on=dt.date(YEAR, 1, 8),
                    recorded_by=dpmd_mukomuko,
                    **payer,
                )
            )
    return made


def shown_programs(response) -> set[str]:
    return {row["Program"] for table in page(response).find_all("table") for row in table.rows() if "Program" in row}


@pytest.mark.parametrize(
    "url",
    [
        "/wilayah/17.06/anggaran/",
        "/wilayah/17.06/anggaran/pembayaran/",
        "/desa/17.06.01.2005/anggaran/",
        "/desa/17.06.01.2005/anggaran/pembayaran/",
    ],
)
def test_the_tk_officer_sees_no_jkn_line_or_payment_on_the_budget_pages(
    both_programs, bpjs_tk_mukomuko, dpmd_mukomuko, login, url
):
    assert shown_programs(login(bpjs_tk_mukomuko).get(url)) == {"BPJS TK"}
    assert shown_programs(login(dpmd_mukomuko).get(url)) == {"BPJS TK", "BPJS Kesehatan"}


def test_the_payments_api_gives_the_tk_officer_tk_payments_only(both_programs, bpjs_tk_mukomuko, login):
    client = login(bpjs_tk_mukomuko)

    for query in ("", "?regency=17.06", "?village=17.06.01.2005", f"?year={YEAR}"):
        body = client.get(f"/api/v1/payments/{query}").json()
        assert body["count"] >= 1 and {p["program"] for p in body["results"]} == {TK}, query


def test_the_budget_api_gives_the_tk_officer_tk_lines_only(both_programs, bpjs_tk_mukomuko, login):
    client = login(bpjs_tk_mukomuko)

    regency = client.get(f"/api/v1/budgets/?regency=17.06&year={YEAR}").json()
    village = client.get(f"/api/v1/budgets/village/17.06.01.2005/?year={YEAR}").json()

    lines = regency["lines"] + regency["village_lines"] + village["lines"] + village["regency_lines"]
    assert lines and {line["program"] for line in lines} == {TK}
