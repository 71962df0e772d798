"""The village page tells the truth: each official's status per program is exactly one of not registered,
submitted (waiting at DPMD or at BPJS, since a day), active (with the participant number, masked for the
observer), rejected by BPJS (with the reason and the way to fix it), inactive (unpaid) or ended; read from
one place (enrollment.status) by the village page, the official's page and the search, in a fixed number
of queries. A post ending on a later day stays listed, marked, and the figures count what the list shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enrollment.models import Enrollment
from submissions.services import submission_start, submission_submit
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik, officials_against_the_alphabet
from tests.html import Element, numbers, page
from villages.models import Post

S = Enrollment.Status
NUMBER = "17060104321"
MASKED = "•••••••4321"
REASON = "NIK tidak cocok dengan data Dukcapil"
INACTIVE_FROM = dt.date(2026, 3, 1)
ENDED_ON = dt.date(2025, 1, 1)


def _official(village, name: str, serial: int, **post) -> Post:
    return PostFactory(person=PersonFactory(full_name=name, nik=make_nik(serial)), village=village, **post)


@pytest.fixture
def officials(suka_pindah, tk):
    """Six officials of Suka Pindah, one in each state of BPJS Ketenagakerjaan."""
    Post.objects.filter(village=suka_pindah).delete()
    posts = {
        name: _official(suka_pindah, name.title(), 9601 + i)
        for i, name in enumerate(["ani", "bayu", "citra", "dodi", "eka", "fajar"])
    }
    EnrollmentFactory(person=posts["ani"].person, program=tk, participant_number=NUMBER)
    EnrollmentFactory(
        person=posts["bayu"].person, program=tk, status=S.REQUESTED, participant_number="", start_date=None
    )
    EnrollmentFactory(
        person=posts["citra"].person,
        program=tk,
        status=S.REJECTED,
        participant_number="",
        start_date=None,
        rejection_reason=REASON,
    )
    EnrollmentFactory(person=posts["dodi"].person, program=tk, status=S.INACTIVE, end_date=INACTIVE_FROM)
    EnrollmentFactory(person=posts["eka"].person, program=tk, status=S.ENDED, end_date=ENDED_ON)
    return posts


def official_rows(response) -> list[Element]:
    cards = page(response).find_all("section", cls="card")
    card = next(c for c in cards if c.find_all("h2") and c.find("h2").text == "Perangkat desa")
    return card.find("table").find("tbody").find_all("tr")


def tk_cell(response, post: Post) -> Element:
    """The BPJS TK cell of the official's row on the village page."""
    (row,) = [tr for tr in official_rows(response) if f"/perangkat/{post.person_id}/" in tr.links()]
    return row.find("td", cls="program-status", data_label="BPJS TK")


def kind(cell: Element) -> str:
    return cell.find("span", cls="status").attrs["data-status"]


def test_each_official_shows_exactly_one_of_the_six_statuses(officials, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    kinds = {name: kind(tk_cell(response, post)) for name, post in officials.items()}
    assert kinds == {
        "ani": "active",
        "bayu": "submitted",
        "citra": "rejected",
        "dodi": "inactive",
        "eka": "ended",
        "fajar": "not_registered",
    }
    for cell in (tk_cell(response, post) for post in officials.values()):
        assert len(cell.find_all("span", cls="status")) == 1


def test_active_shows_the_number_and_submitted_says_where_and_since_when(officials, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    assert NUMBER in tk_cell(response, officials["ani"]).text
    waiting = tk_cell(response, officials["bayu"])
    assert waiting.find("span", cls="muted").attrs["data-where"] == "bpjs"
    assert timezone.localdate().strftime("%d-%m-%Y") in waiting.text


def test_rejected_shows_the_reason_and_the_way_to_fix_it(officials, head_suka_pindah, login):
    cell = tk_cell(login(head_suka_pindah).get("/desa/17.06.01.2005/"), officials["citra"])

    assert REASON in cell.text
    assert cell.find("a", cls="fix").attrs["href"] == f"/jabatan/{officials['citra'].pk}/ubah/"


def test_inactive_and_ended_say_since_when(officials, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    assert "01-03-2026" in tk_cell(response, officials["dodi"]).text
    assert "01-01-2025" in tk_cell(response, officials["eka"]).text


def test_a_desa_submission_at_dpmd_marks_those_without_an_open_enrollment(
    officials, suka_pindah, tk, head_suka_pindah, login
):
    submission_submit(
        actor=head_suka_pindah, submission=submission_start(actor=head_suka_pindah, village=suka_pindah, program=tk)
    )
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    for name in ("fajar", "eka", "citra"):  # nothing open: the new submission is what counts
        cell = tk_cell(response, officials[name])
        assert (kind(cell), cell.find("span", cls="muted").attrs["data-where"]) == ("submitted", "dpmd"), name
        assert timezone.localdate().strftime("%d-%m-%Y") in cell.text
    assert kind(tk_cell(response, officials["ani"])) == "active"
    assert kind(tk_cell(response, officials["bayu"])) == "submitted"


def test_the_observer_sees_the_number_masked(officials, bengkulu_observer, login):
    cell = tk_cell(login(bengkulu_observer).get("/desa/17.06.01.2005/"), officials["ani"])

    assert MASKED in cell.text
    assert NUMBER not in cell.text


def test_dpmd_sees_the_number_whole(officials, dpmd_mukomuko, login):
    assert NUMBER in tk_cell(login(dpmd_mukomuko).get("/desa/17.06.01.2005/"), officials["ani"]).text


def test_the_official_page_and_the_search_read_the_same_status(officials, head_suka_pindah, login):
    client = login(head_suka_pindah)
    dodi = officials["dodi"].person

    official = page(client.get(f"/perangkat/{dodi.pk}/")).find(
        "dd", cls="program-status", data_program="bpjs_ketenagakerjaan"
    )
    found = page(client.get("/cari/", {"q": dodi.full_name})).find(
        "div", cls="program-status", data_program="bpjs_ketenagakerjaan"
    )
    assert kind(official) == kind(found) == "inactive"


def test_the_village_page_costs_the_same_queries_for_more_officials(
    officials, suka_pindah, tk, kes, head_suka_pindah, login, django_assert_max_num_queries
):
    client = login(head_suka_pindah)
    with CaptureQueriesContext(connection) as small:
        client.get("/desa/17.06.01.2005/")
    for i in range(8):
        post = _official(suka_pindah, f"Tambahan {i}", 9651 + i)
        EnrollmentFactory(
            person=post.person,
            program=tk,
            status=[S.ACTIVE, S.INACTIVE][i % 2],
            end_date=None if i % 2 == 0 else INACTIVE_FROM,
        )
        EnrollmentFactory(person=post.person, program=kes, status=S.REJECTED, participant_number="", start_date=None)

    with django_assert_max_num_queries(len(small)):
        response = client.get("/desa/17.06.01.2005/")
    assert len(official_rows(response)) == 14


# --- a post ending on a later day ----------------------------------------------------------------------


def card_figures(response) -> tuple[int, ...]:
    card = page(response).find("article", cls="card", data_program="bpjs_ketenagakerjaan")
    return numbers(card.find("p", cls="big").text)


@pytest.mark.parametrize(("ends_in_days", "listed"), [(1, True), (0, False), (-1, False)])
def test_a_post_ending_later_is_listed_marked_and_counted_until_its_end_date(
    officials, suka_pindah, head_suka_pindah, login, ends_in_days, listed
):
    today = timezone.localdate()
    leaving = officials["ani"]
    leaving.ended_on, leaving.end_reason = today + dt.timedelta(days=ends_in_days), Post.EndReason.RESIGNED
    leaving.save()

    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    rows = official_rows(response)
    covered, total = card_figures(response)
    assert len(rows) == total == (6 if listed else 5)
    assert any(f"/perangkat/{leaving.person_id}/" in tr.links() for tr in rows) is listed
    if listed:
        (row,) = [tr for tr in rows if f"/perangkat/{leaving.person_id}/" in tr.links()]
        assert row.find("span", cls="ends").attrs["data-ends"] == leaving.ended_on.isoformat()
        assert covered == 1  # Ani, active, counted while she holds the post
    else:
        assert covered == 0


def test_the_desa_page_keeps_the_sotk_order(suka_pindah, head_suka_pindah, login):
    expected = officials_against_the_alphabet(suka_pindah)
    rows = official_rows(login(head_suka_pindah).get("/desa/17.06.01.2005/"))

    assert [tr.find("th").text for tr in rows] == expected


# --- scope ---------------------------------------------------------------------------------------------


def test_another_desa_never_shows_these_officials_or_their_statuses(officials, head_arah_tiga, login):
    client = login(head_arah_tiga)

    assert client.get("/desa/17.06.01.2005/").status_code == 404
    assert client.get(f"/perangkat/{officials['citra'].person_id}/").status_code == 404
    own = client.get("/desa/17.06.01.2007/").content.decode()
    assert REASON not in own and NUMBER not in own
    assert all(post.person.full_name not in own for post in officials.values())


def test_the_dashboard_of_another_regency_is_a_404(dpmd_majene, login):
    assert login(dpmd_majene).get("/wilayah/17.06/").status_code == 404
