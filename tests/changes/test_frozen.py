"""Once an enrollment is active, the NIK, name, birth date and sex of the official do not change through
the roster form, the API or an officials file: the enrolled values stay, and each path says that a
data-change request is the way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.changes.conftest import OLD_NIK
from tests.factories import make_nik
from tests.html import page
from tests.villages.test_roster_import import last_import, official, template_bytes, upload
from villages.models import Person
from villages.services import official_update


def form_data(post, **changes) -> dict:
    person = post.person
    data = {
        "nik": person.nik,
        "full_name": person.full_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "phone": person.phone,
        "position": post.position,
        "status": post.status,
        "term_start": post.term_start.isoformat(),
        "wage_basis": str(post.wage_basis),
        "version": post.version,  # the form's hidden fields
        "person_version": person.version,
    }
    data.update(changes)
    return data


def versions(post) -> dict:
    """The versions an API client read with the post (core.versioning)."""
    return {"version": post.version, "person_version": post.person.version}


def identity(person: Person) -> tuple:
    person.refresh_from_db()
    return person.nik, person.full_name, person.birth_date, person.sex


# --- the roster form ---------------------------------------------------------------------------------


def test_the_form_shows_identity_read_only_with_the_way_to_request_a_change(post, head_suka_pindah, login):
    html = page(login(head_suka_pindah).get(f"/jabatan/{post.pk}/ubah/"))

    for name in ("nik", "full_name", "birth_date"):
        assert "disabled" in html.find("input", name=name).attrs
    assert all("disabled" in radio.attrs for radio in html.find_all("input", name="sex"))
    assert "disabled" not in html.find("input", name="phone").attrs
    notice = html.find(cls="frozen-identity")
    assert notice.find("a").attrs["href"] == f"/jabatan/{post.pk}/perubahan-data/"


def test_a_posted_identity_change_is_ignored_and_the_rest_is_saved(post, person, head_suka_pindah, login):
    before = identity(person)
    data = form_data(post, nik=make_nik(9700), full_name="Orang Lain", sex="P", birth_date="1990-01-01")
    data["phone"] = "081377770000"

    response = login(head_suka_pindah).post(f"/jabatan/{post.pk}/ubah/", data)

    assert response.status_code == 302
    assert identity(person) == before
    assert person.phone == "081377770000"


def test_an_official_not_yet_active_is_still_corrected_on_the_form(not_enrolled, head_suka_pindah, login):
    html = page(login(head_suka_pindah).get(f"/jabatan/{not_enrolled.pk}/ubah/"))
    assert "disabled" not in html.find("input", name="full_name").attrs

    response = login(head_suka_pindah).post(
        f"/jabatan/{not_enrolled.pk}/ubah/", form_data(not_enrolled, full_name="Sari Wahyuningsih")
    )

    assert response.status_code == 302
    not_enrolled.person.refresh_from_db()
    assert not_enrolled.person.full_name == "Sari Wahyuningsih"


def test_the_service_refuses_an_identity_change_called_directly(post, person, head_suka_pindah):
    with pytest.raises(ValidationError) as refused:
        official_update(actor=head_suka_pindah, post=post, nik=make_nik(9700), birth_date=dt.date(1990, 1, 1))

    assert set(refused.value.error_dict) == {"nik", "birth_date"}
    assert identity(person)[0] == OLD_NIK


# --- the API -----------------------------------------------------------------------------------------


def test_api_patch_of_the_name_is_a_400_pointing_to_the_request_endpoint(post, person, head_suka_pindah, api):
    response = api(head_suka_pindah).patch(
        reverse("api-post", args=[post.pk]), {"full_name": "Budi Santoso", **versions(post)}, format="json"
    )

    assert response.status_code == 400
    [message] = response.json()["errors"]["full_name"]
    assert "/api/v1/data-changes/" in message
    assert identity(person)[1] == "Budi Saputra"


def test_api_patch_of_other_fields_still_works(post, person, head_suka_pindah, api):
    response = api(head_suka_pindah).patch(
        reverse("api-post", args=[post.pk]), {"phone": "0813", **versions(post)}, format="json"
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.phone == "0813"


# --- the officials file ------------------------------------------------------------------------------


def test_an_import_keeps_the_enrolled_identity_and_reports_row_and_column(post, person, head_suka_pindah, login):
    head = login(head_suka_pindah)

    def edit(sheet):
        for cells in sheet.iter_rows(min_row=2):
            if cells[0].value == OLD_NIK:
                cells[1].value = "Budi Santoso"
                cells[4].value = "081355550000"
                row = cells[0].row
        sheet.append(official(make_nik(9701), "Dedi Gunawan", position="staf"))
        edit.row = row

    upload(head, template_bytes(post.village, edit=edit))
    roster_import = last_import()
    warnings = [w for w in roster_import.result["warnings"] if w["row"] == edit.row]
    assert [(w["row"], w["column"]) for w in warnings] == [(edit.row, "Nama Lengkap")]
    assert "Ajukan perubahan data" in warnings[0]["message"]
    [changed] = [c for c in roster_import.result["changed"] if c["row"] == edit.row]
    assert [c["column"] for c in changed["changes"]] == ["No. HP"]

    assert head.post(f"/impor/{roster_import.token}/konfirmasi/").status_code == 302

    assert identity(person)[1] == "Budi Saputra"
    assert person.phone == "081355550000"
    assert Person.objects.filter(full_name="Dedi Gunawan").exists()
