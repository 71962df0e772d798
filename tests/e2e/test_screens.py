"""The pages fit the screens they are used on: BPJS's review queue on a 1366 × 768 office laptop (every
card's approve button inside its card, nothing to scroll sideways), the desa page on a phone (nothing a
thumb must hit is smaller than 44 px), and a form sent back with errors puts the focus on what is wrong."""

import pytest

from demo.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUKA_PINDAH = "17.06.01.2005"

# What a thumb aims at, as the page shows it; the skip link is off screen until it has the focus.
TAP_TARGETS = """() => {
  const selector = "a, button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, summary,"
    + " label:has(input[type=checkbox]), label:has(input[type=radio])";
  return [...document.querySelectorAll(selector)]
    .filter(e => !e.classList.contains("skip-link"))
    .map(e => ({e, box: e.getBoundingClientRect(), style: getComputedStyle(e)}))
    .filter(({box, style}) => box.width > 0 && box.height > 0 && style.visibility !== "hidden")
    .map(({e, box}) => ({what: e.tagName.toLowerCase() + " " + (e.textContent || e.name || "").trim().slice(0, 40),
                         width: box.width, height: box.height}));
}"""


def test_the_review_queue_fits_a_1366_screen_with_every_approve_button_in_its_card(demo_site, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    log_in(page, demo_site.url, "bpjs-kes-majene", DEMO_PASSWORD)
    page.goto(f"{demo_site.url}/bpjs/antrean/")

    cards = page.locator("section.review-group")
    assert cards.count() >= 1
    for i in range(cards.count()):
        card = cards.nth(i)
        box = card.bounding_box()
        for button in card.get_by_role("button", name="Setujui", exact=True).all():
            inner = button.bounding_box()
            assert box["x"] <= inner["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"], (
                f"card {i}: approve button at {inner} is outside its card {box}"
            )
        overflow = card.locator(".table-wrap").evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0, f"card {i}: its table scrolls {overflow}px sideways"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.close()


def test_on_a_phone_nothing_to_tap_on_the_desa_page_is_smaller_than_44_px(demo_site, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, demo_site.url, "desa-1706012005", DEMO_PASSWORD)
    assert page.url.endswith(f"/desa/{SUKA_PINDAH}/")

    targets = page.evaluate(TAP_TARGETS)

    assert len(targets) > 20
    small = [t for t in targets if t["height"] < 43.5 or t["width"] < 43.5]
    assert small == [], f"{len(small)} tap targets under 44 px: {small[:10]}"
    page.close()


def test_a_form_sent_back_focuses_its_error_summary_and_a_link_focuses_the_field(demo_site, browser):
    page = browser.new_page()
    log_in(page, demo_site.url, "desa-1706012005", DEMO_PASSWORD)
    page.goto(f"{demo_site.url}/desa/{SUKA_PINDAH}/perangkat/tambah/")
    assert page.locator("select[name=position]").input_value() == ""

    page.fill("input[name=full_name]", "Siti Aminah")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")

    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.locator("#error-summary a[href='#id_birth_date']").click()
    assert page.evaluate("document.activeElement.name") == "birth_date"
    # The first thing the keyboard reaches on any page is the skip link.
    page.goto(f"{demo_site.url}/desa/{SUKA_PINDAH}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.close()
