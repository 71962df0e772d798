"""One authentication order and one error format for the whole API (core.api_errors): every endpoint
under /api/v1/ answers an anonymous caller 401 with a WWW-Authenticate header, and every error body is
{"detail": "...", "errors": {field: [...]}}."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.factories import PostFactory

METHODS = ("get", "post", "put", "patch", "delete")


def _endpoints(patterns, prefix=""):
    """(url name, converter per argument, view class) of every API endpoint, found by walking the URL conf."""
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _endpoints(p.url_patterns, prefix)
        elif isinstance(p, URLPattern) and hasattr(p.callback, "view_class"):
            yield p.name, p.pattern.converters, p.callback.view_class


def _api_endpoints():
    api = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "api/v1/")
    return list(_endpoints(api.url_patterns))


def _url(name, converters) -> str:
    return reverse(name, kwargs={k: 1706 for k in converters})  # fits every converter: int, str, slug


def _calls():
    for name, converters, view in _api_endpoints():
        for method in METHODS:
            if hasattr(view, method):
                yield pytest.param(name, converters, method, id=f"{method.upper()} {name}")


def test_the_walk_finds_every_api_module():
    names = {name for name, _, _ in _api_endpoints()}

    assert {"api-coverage", "api-regencies", "api-officials", "api-village-roster", "api-review-approve"} <= names
    assert len(names) >= 25


@pytest.mark.parametrize(("name", "converters", "method"), list(_calls()))
def test_an_anonymous_caller_is_told_to_authenticate(name, converters, method):
    response = getattr(APIClient(), method)(_url(name, converters))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail", "errors"} and response.json()["errors"] == {}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_field_error_names_its_field_and_leads_the_detail(head_suka_pindah, suka_pindah):
    response = _api(head_suka_pindah).post(reverse("api-village-roster", args=[suka_pindah.code]), {"nik": "123"})

    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"detail", "errors"}
    assert body["detail"] in [m for messages in body["errors"].values() for m in messages]
    assert "nik" in body["errors"]


def test_a_service_refusal_is_a_400_in_the_same_format(head_suka_pindah, suka_pindah, arah_tiga):
    """The roster service refuses a definitif post for a NIK active in another desa; the API says it as a
    field error, like the page."""
    elsewhere = PostFactory(village=arah_tiga)
    form = {
        "nik": elsewhere.person.nik,
        "full_name": "Budi Saputra",
        "sex": "L",
        "birth_date": "1985-08-17",
        "position": "kepala_dusun",
        "status": "definitif",
        "term_start": "2024-01-01",
    }

    response = _api(head_suka_pindah).post(reverse("api-village-roster", args=[suka_pindah.code]), form)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["nik"]
    assert response.json()["detail"] == response.json()["errors"]["nik"][0]
    assert arah_tiga.name not in response.json()["detail"]  # a desa outside the head's scope is not named


def test_not_found_and_forbidden_have_the_same_format(head_arah_tiga, head_suka_pindah, suka_pindah):
    outside = _api(head_arah_tiga).get(reverse("api-village-roster", args=[suka_pindah.code]))
    refused = _api(head_suka_pindah).get(reverse("api-review-queue"))

    assert (outside.status_code, refused.status_code) == (404, 403)
    for response in (outside, refused):
        assert set(response.json()) == {"detail", "errors"} and response.json()["errors"] == {}
