"""The roster forms a person can't get wrong: no position is chosen for them, and a form sent back says at
the top which field of which post is wrong, each line linked to its field."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import PersonFactory, PostFactory
from tests.html import choice, field_errors, page, parse
from tests.villages.test_roster_pages import _form
from villages.models import Post


def summary(response) -> list[tuple[str, str]]:
    """The error summary's lines as (link target, text)."""
    box = page(response).find("div", id="error-summary")
    return [(li.find("a").attrs["href"], li.text) for li in box.find_all("li")]


def test_a_new_official_has_no_position_chosen(head_suka_pindah, suka_pindah, login):
    response = login(head_suka_pindah).get(reverse("official-add", args=[suka_pindah.code]))

    root = page(response)
    assert choice(root, "position") is None
    first = root.find("select", name="position").find("option")
    assert first.attrs["value"] == "" and "—" in first.text


def test_a_position_left_empty_is_an_error_and_nothing_is_saved(head_suka_pindah, suka_pindah, login):
    response = login(head_suka_pindah).post(reverse("official-add", args=[suka_pindah.code]), _form(position=""))

    assert response.status_code == 200
    assert field_errors(page(response), "position")
    assert not Post.objects.filter(village=suka_pindah, person__full_name="Siti Aminah").exists()


def test_the_summary_names_each_field_and_the_chosen_post_and_links_to_the_field(head_suka_pindah, suka_pindah, login):
    response = login(head_suka_pindah).post(
        reverse("official-add", args=[suka_pindah.code]),
        _form(position="sekretaris_desa", birth_date="31-02-1990", sex=""),
    )

    lines = summary(response)
    assert [target for target, _ in lines] == ["#id_sex", "#id_birth_date"]  # in the order of the form
    assert lines[1][1].startswith("Tanggal lahir (Sekretaris Desa): ")
    assert lines[0][1].startswith("Jenis kelamin (Sekretaris Desa): ")
    root = parse(response.content)
    for target, _ in lines:
        assert root.find_all(id=target.removeprefix("#")), f"nothing carries {target}"


def test_the_summary_of_a_correction_names_the_post_being_corrected(head_suka_pindah, suka_pindah, login):
    post = PostFactory(village=suka_pindah, position="kaur_keuangan", person=PersonFactory(full_name="Budi"))
    form = _form(nik=post.person.nik, full_name="Budi", sex="L", birth_date="", position=post.position)
    form.update(version=post.version, person_version=post.person.version)

    response = login(head_suka_pindah).post(reverse("post-edit", args=[post.pk]), form)

    assert [text.split(":")[0] for _, text in summary(response)] == [f"Tanggal lahir ({post.title})"]


def test_ending_a_post_without_a_date_names_the_post(head_suka_pindah, suka_pindah, login, set_aside_posts):
    set_aside_posts(village=suka_pindah)  # the demo's Sekretaris, when another test loaded it
    post = PostFactory(village=suka_pindah, position="sekretaris_desa")

    response = login(head_suka_pindah).post(
        reverse("post-end", args=[post.pk]), {"ended_on": "", "reason": "pensiun", "version": post.version}
    )

    assert response.status_code == 200
    ((target, text),) = summary(response)
    assert target == "#id_ended_on" and text.startswith("Tanggal berakhir (Sekretaris Desa): ")
    post.refresh_from_db()
    assert post.ended_on is None


def test_a_form_without_errors_has_no_summary(head_suka_pindah, suka_pindah, login):
    response = login(head_suka_pindah).get(reverse("official-add", args=[suka_pindah.code]))

    assert not page(response).find_all(id="error-summary")
