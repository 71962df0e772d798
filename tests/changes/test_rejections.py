"""Requests that are refused, rejected or withdrawn: nothing of the official changes, the requester is
told why, and a bad request says what is missing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Notification
from changes.models import DataChangeRequest
from changes.services import data_change_check, data_change_confirm, data_change_request, data_change_withdraw
from tests.changes.conftest import NEW_NIK, OLD_NIK, ktp
from tests.factories import PersonFactory, make_nik
from tests.html import messages


def asked(post, actor, **values) -> DataChangeRequest:
    values.setdefault("full_name", "Budi Santoso")
    return data_change_request(actor=actor, post=post, reason=values.pop("reason", "salah ketik"), **values)


def refusal(post, actor, **values) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        asked(post, actor, **values)
    return refused.value.message_dict if hasattr(refused.value, "error_dict") else {"": refused.value.messages}


def test_a_nik_change_needs_the_new_ktp_and_a_reason(post, head_suka_pindah):
    errors = refusal(post, head_suka_pindah, nik=NEW_NIK, full_name=None, reason=" ")

    assert set(errors) == {"ktp", "reason"}
    assert not DataChangeRequest.objects.exists()


def test_a_ktp_that_is_no_scan_is_refused_and_nothing_is_kept(post, head_suka_pindah, media):
    errors = refusal(post, head_suka_pindah, nik=NEW_NIK, ktp=ktp(b"MZ\x90\x00 not a scan", "ktp.exe"))

    assert list(errors) == ["ktp"]
    assert not DataChangeRequest.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_a_nik_of_another_official_or_a_malformed_one_is_refused(post, head_suka_pindah):
    other = PersonFactory(nik=make_nik(9650))

    assert list(refusal(post, head_suka_pindah, nik=other.nik, ktp=ktp())) == ["nik"]
    assert list(refusal(post, head_suka_pindah, nik="1706", ktp=ktp())) == ["nik"]


def test_nothing_to_change_or_an_official_not_yet_active_is_refused(post, not_enrolled, head_suka_pindah):
    assert refusal(post, head_suka_pindah, full_name="Budi Saputra")  # the enrolled name itself
    assert refusal(not_enrolled, head_suka_pindah)  # no active enrollment: the form corrects it


def test_one_request_at_a_time_per_official(post, head_suka_pindah):
    asked(post, head_suka_pindah)

    assert refusal(post, head_suka_pindah, full_name="Budi S.")
    assert DataChangeRequest.objects.count() == 1


def test_dpmd_rejection_needs_a_note_and_tells_the_requester(post, person, head_suka_pindah, dpmd_mukomuko, login):
    change = asked(post, head_suka_pindah, nik=NEW_NIK, ktp=ktp())
    client = login(dpmd_mukomuko)

    refused = client.post(f"/perubahan-data/{change.pk}/periksa/", {"decision": "reject"}, follow=True)
    change.refresh_from_db()
    assert change.status == DataChangeRequest.Status.WAITING_DPMD
    assert messages(refused)

    client.post(f"/perubahan-data/{change.pk}/periksa/", {"decision": "reject", "note": "KTP tidak terbaca"})

    change.refresh_from_db()
    person.refresh_from_db()
    assert (change.status, change.check_note) == (DataChangeRequest.Status.REJECTED, "KTP tidak terbaca")
    assert person.nik == OLD_NIK
    [told] = Notification.objects.filter(user=head_suka_pindah)
    assert "KTP tidak terbaca" in told.message
    assert not change.confirmations.exclude(status="waiting").exists()


def test_bpjs_rejection_ends_the_request_and_keeps_the_enrolled_values(
    post, person, head_suka_pindah, dpmd_mukomuko, bpjs_tk_mukomuko
):
    change = asked(post, head_suka_pindah)
    data_change_check(actor=dpmd_mukomuko, request=change, approve=True)

    with pytest.raises(ValidationError):
        data_change_confirm(actor=bpjs_tk_mukomuko, request=change, confirm=False)
    data_change_confirm(actor=bpjs_tk_mukomuko, request=change, confirm=False, note="Nama beda dengan Dukcapil")

    change.refresh_from_db()
    person.refresh_from_db()
    assert change.status == DataChangeRequest.Status.REJECTED
    assert person.full_name == "Budi Saputra"
    assert "Nama beda dengan Dukcapil" in Notification.objects.get(user=head_suka_pindah).message
    with pytest.raises(ValidationError):
        data_change_confirm(actor=bpjs_tk_mukomuko, request=change, confirm=True)


def test_bpjs_cannot_confirm_before_dpmd_has_checked(post, person, head_suka_pindah, bpjs_tk_mukomuko):
    change = asked(post, head_suka_pindah)

    with pytest.raises(ValidationError):
        data_change_confirm(actor=bpjs_tk_mukomuko, request=change, confirm=True)

    person.refresh_from_db()
    assert person.full_name == "Budi Saputra"


def test_the_requester_withdraws_and_a_new_request_may_follow(post, head_suka_pindah, dpmd_mukomuko, login):
    change = asked(post, head_suka_pindah)

    login(head_suka_pindah).post(f"/perubahan-data/{change.pk}/tarik/")

    change.refresh_from_db()
    assert change.status == DataChangeRequest.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        data_change_check(actor=dpmd_mukomuko, request=change, approve=True)
    with pytest.raises(ValidationError):
        data_change_withdraw(actor=head_suka_pindah, request=change)
    assert asked(post, head_suka_pindah, full_name="Budi S.").status == DataChangeRequest.Status.WAITING_DPMD


def test_a_nik_taken_meanwhile_is_refused_at_confirmation(
    post, person, head_suka_pindah, dpmd_mukomuko, bpjs_tk_mukomuko
):
    change = asked(post, head_suka_pindah, nik=NEW_NIK, full_name=None, ktp=ktp())
    data_change_check(actor=dpmd_mukomuko, request=change, approve=True)
    PersonFactory(nik=NEW_NIK)

    with pytest.raises(ValidationError) as refused:
        data_change_confirm(actor=bpjs_tk_mukomuko, request=change, confirm=True)

    assert list(refused.value.message_dict) == ["nik"]  # said of the NIK, in words, not of a hash

    person.refresh_from_db()
    change.refresh_from_db()
    assert person.nik == OLD_NIK
    assert change.status == DataChangeRequest.Status.WAITING_BPJS
