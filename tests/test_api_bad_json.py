"""Bad JSON on the API's writes is a 400 in the one error format (core.api_errors), never a 500, and
nothing is written: a body that is not an object (a list, a string, a number, null), a value of the
wrong type where a form expects text (a list for `term_end`, an object for a date), or no JSON at all."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from budgets.models import Payment, Scenario
from submissions.models import Submission
from tests.budgets.test_budgets_api import payment as _payment
from tests.budgets.test_budgets_api import scenario as _scenario
from tests.factories import PostFactory
from tests.villages.test_roster_api import _payload as _official
from villages.models import Person, Post

NOT_AN_OBJECT = 'Kirim isi permintaan sebagai objek JSON, misalnya {"name": "..."}.'
ONE_VALUE = "Isi dengan satu nilai, bukan daftar atau objek."


def _send(user, method: str, url: str, body: str) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    return response.json()


def _json(user, method: str, url: str, data) -> dict:
    return _send(user, method, url, json.dumps(data))


@pytest.fixture
def writes(dpmd_mukomuko, head_suka_pindah, suka_pindah):
    """Each write under test: (who, method, url), and how many rows it would have made or changed."""
    post = PostFactory(village=suka_pindah, local_title="Kadus I")
    untouched = lambda: Post.objects.filter(pk=post.pk, local_title="Kadus I", ended_on=None).count() - 1  # noqa: E731

    def added(model):
        """Rows of `model` made since now (the session's demo may already hold some)."""
        before = model.objects.count()
        return lambda: model.objects.count() - before

    return {
        "scenarios": (dpmd_mukomuko, "post", reverse("api-scenarios"), added(Scenario)),
        "payments": (dpmd_mukomuko, "post", reverse("api-payments"), added(Payment)),
        "post": (head_suka_pindah, "patch", reverse("api-post", args=[post.pk]), untouched),
        "post end": (head_suka_pindah, "post", reverse("api-post-end", args=[post.pk]), untouched),
        "roster": (
            head_suka_pindah,
            "post",
            reverse("api-village-roster", args=[suka_pindah.code]),
            added(Person),
        ),
        "submissions": (head_suka_pindah, "post", reverse("api-submissions"), added(Submission)),
        "review": (dpmd_mukomuko, "post", reverse("api-review-approve"), lambda: 0),
        "accounts": (dpmd_mukomuko, "post", reverse("api-accounts"), lambda: 0),
    }


@pytest.mark.parametrize("body", ["[]", '[{"name": "TK 2026"}]', '"TK 2026"', "5", "null", "true"])
@pytest.mark.parametrize(
    "write", ["scenarios", "payments", "post", "post end", "roster", "submissions", "review", "accounts"]
)
def test_a_body_that_is_not_an_object_is_refused_as_a_whole(writes, write, body):
    user, method, url, written = writes[write]

    answer = _send(user, method, url, body)

    assert answer == {"detail": NOT_AN_OBJECT, "errors": {}}
    assert written() == 0


def test_a_body_that_is_not_json_says_so(writes):
    user, method, url, written = writes["scenarios"]

    answer = _send(user, method, url, '{"name": "TK 2026",')

    assert answer == {"detail": "Isi permintaan bukan JSON yang sah.", "errors": {}}
    assert written() == 0


def test_a_list_valued_term_end_names_the_field_and_changes_nothing(writes):
    user, method, url, unchanged = writes["post"]

    post = Post.objects.get(pk=url.rstrip("/").rsplit("/", 1)[-1])
    versions = {"version": post.version, "person_version": post.person.version}  # as read with the post

    answer = _json(user, method, url, {"local_title": "Kadus II", "term_end": ["2030-01-01"], **versions})

    assert answer == {"detail": ONE_VALUE, "errors": {"term_end": [ONE_VALUE]}}
    assert unchanged() == 0


def test_an_object_for_a_date_and_a_list_for_a_name_are_field_errors(writes):
    user, method, url, created = writes["roster"]

    answer = _json(user, method, url, _official(birth_date={"year": 1985}, full_name=["Budi", "Saputra"]))

    assert answer["errors"] == {"full_name": [ONE_VALUE], "birth_date": [ONE_VALUE]}
    assert answer["detail"] == ONE_VALUE
    assert created() == 0


def test_wrong_types_on_a_payment_get_each_fields_message(writes):
    user, method, url, count = writes["payments"]

    answer = _json(user, method, url, _payment(fiscal_year="dua ribu", amount=[139_080_000], paid_on={}))

    assert answer["errors"] == {
        "fiscal_year": ["Masukkan keseluruhan angka bilangan."],
        "amount": [ONE_VALUE],
        "paid_on": [ONE_VALUE],
    }
    assert count() == 0


def test_a_payer_given_as_a_list_is_a_400_not_a_lookup(writes):
    user, method, url, count = writes["payments"]

    answer = _json(user, method, url, _payment(regency=["17.06"]))

    assert list(answer["errors"]) == ["regency"]
    assert count() == 0


def test_scenario_components_must_be_a_list_of_codes(writes):
    user, method, url, count = writes["scenarios"]

    as_text = _json(user, method, url, _scenario(components="JHT"))
    as_objects = _json(user, method, url, _scenario(components=[{"code": "JHT"}]))
    no_regency = _json(user, method, url, _scenario(regency=None))

    assert as_text["errors"] == {"components": ["Masukkan beberapa nilai."]}
    assert as_objects["errors"] == {"components": ["Isi dengan daftar nilai, masing-masing teks atau angka."]}
    assert no_regency["errors"] == {"regency": ["Cantumkan kode kabupaten, misalnya 17.06."]}
    assert count() == 0


def test_json_numbers_read_as_a_page_would_send_them(dpmd_mukomuko):
    """A number where the form expects text is the same number as text: the scenario is saved."""
    client = APIClient()
    client.force_authenticate(dpmd_mukomuko)

    response = client.post(reverse("api-scenarios"), _scenario(add_share_threshold=7.5, name=2026), format="json")

    assert response.status_code == 201, response.content
    assert Scenario.objects.get().name == "2026"
    assert response.json()["add_share_threshold"] == "7.5"
