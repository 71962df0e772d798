"""Pages a screen reader reads right: every `aria-describedby` (and `aria-labelledby`) names an element
of the same page, a skip link is the first thing a keyboard reaches and leads to the page's `<main>`, and
a form that comes back with errors says at the top which field of which post is wrong, linked to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.bpjs.review_support import request_enrollment
from tests.factories import PersonFactory, PostFactory
from tests.html import Element, parse

FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}


def ids_in(root: Element) -> set[str]:
    return {e.attrs["id"] for e in root.iter() if e.attrs.get("id")}


def dangling_references(html: bytes) -> list[str]:
    """Every `aria-describedby`/`aria-labelledby` id that no element of the page carries."""
    root = parse(html)
    ids = ids_in(root)
    return [
        f"<{e.tag} name={e.attrs.get('name')!r}> {attr}={ref!r}"
        for e in root.iter()
        for attr in ("aria-describedby", "aria-labelledby")
        for ref in e.attrs.get(attr, "").split()
        if ref not in ids
    ]


@pytest.fixture
def sekretaris(suka_pindah, set_aside_posts):
    set_aside_posts(village=suka_pindah)  # the demo's Sekretaris, when another test loaded it
    return PostFactory(village=suka_pindah, position="sekretaris_desa", person=PersonFactory(full_name="Rina Wati"))


@pytest.fixture
def queue(tk, suka_pindah, arah_tiga):
    return [
        request_enrollment(tk, suka_pindah, person=PersonFactory(full_name="Budi Santoso")),
        request_enrollment(tk, arah_tiga, person=PersonFactory(full_name="Agus Salim")),
    ]


def _pages(code: str, post_pk: int, person_pk: int, request_pk: int) -> dict[str, list[tuple[str, str, dict | None]]]:
    """Per actor, the pages as (method, url, data): the main pages, and forms sent back with errors."""
    return {
        "head_suka_pindah": [
            ("get", "/", None),
            ("get", reverse("village-detail", args=[code]), None),
            ("get", reverse("official-add", args=[code]), None),
            ("post", reverse("official-add", args=[code]), {"nik": "123", "birth_date": "kemarin"}),
            ("post", reverse("post-edit", args=[post_pk]), {"nik": "", "version": "1", "person_version": "1"}),
            ("post", reverse("post-end", args=[post_pk]), {"ended_on": "", "version": "1"}),
            ("get", reverse("official-detail", args=[person_pk]), None),
            ("get", reverse("official-documents", args=[person_pk]), None),
            ("get", reverse("village-import", args=[code]), None),
            ("post", reverse("village-import", args=[code]), {}),
        ],
        "dpmd_mukomuko": [
            ("get", "/", None),
            ("get", reverse("regency-dashboard", args=["17.06"]), None),
            ("get", reverse("regency-import", args=["17.06"]), None),
            ("get", reverse("review-queue"), None),
        ],
        "bpjs_tk_mukomuko": [
            ("get", reverse("review-queue"), None),
            ("post", reverse("review-approve"), {f"number-{request_pk}": "12"}),
        ],
    }


@pytest.mark.parametrize("actor", ["head_suka_pindah", "dpmd_mukomuko", "bpjs_tk_mukomuko"])
def test_every_aria_describedby_names_an_element_of_the_page(actor, request, login, suka_pindah, sekretaris, queue):
    client = login(request.getfixturevalue(actor))
    for method, url, data in _pages(suka_pindah.code, sekretaris.pk, sekretaris.person_id, queue[0].pk)[actor]:
        response = getattr(client, method)(url, data or {}, follow=True)
        assert response.status_code in (200, 400), f"{method} {url}: {response.status_code}"
        assert dangling_references(response.content) == [], f"{method} {url}"


def test_a_field_with_an_error_is_invalid_and_described_by_its_error(head_suka_pindah, suka_pindah, login):
    response = login(head_suka_pindah).post(reverse("official-add", args=[suka_pindah.code]), {"birth_date": "x"})

    root = parse(response.content)
    birth_date = root.find("input", name="birth_date")
    assert birth_date.attrs["aria-invalid"] == "true"
    (error,) = [e for e in root.iter() if e.attrs.get("id") in birth_date.attrs["aria-describedby"].split()]
    assert error.text  # the message itself, read out with the field
    assert "aria-invalid" not in root.find("input", name="phone").attrs  # an optional field left empty is fine


def test_the_skip_link_is_the_first_thing_a_keyboard_reaches_and_leads_to_main(head_suka_pindah, suka_pindah, login):
    response = login(head_suka_pindah).get(reverse("village-detail", args=[suka_pindah.code]))

    body = parse(response.content).find("body")
    first = next(e for e in body.iter() if e.tag in FOCUSABLE and e.attrs.get("type") != "hidden")
    assert first.attrs.get("class") == "skip-link"
    target = first.attrs["href"].removeprefix("#")
    assert body.find("main").attrs["id"] == target


def test_every_literal_aria_reference_of_a_template_names_an_id_of_that_template():
    """The ids written out in a template (those built from a variable are checked on the rendered pages)."""
    templates = Path(settings.BASE_DIR) / "templates"
    dangling = []
    for path in templates.rglob("*.html"):
        text = path.read_text()
        ids = set(re.findall(r'\bid="([^"{}]+)"', text))
        for ref in re.findall(r'aria-(?:describedby|labelledby)="([^"{}]+)"', text):
            dangling += [f"{path.relative_to(templates)}: {name}" for name in ref.split() if name not in ids]
    assert dangling == []
