import pytest

from demo.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_dpmd_mukomuko_reads_nine_of_148_villages_on_the_dashboard(demo_site, browser):
    page = browser.new_page()
    log_in(page, demo_site.url, "dpmd-mukomuko", DEMO_PASSWORD)

    card = page.locator("[data-program=bpjs_ketenagakerjaan]")
    assert "9 dari 148 desa" in card.inner_text()
    assert "97 dari 1.220 perangkat" in card.inner_text()
    assert "1.220 dari 1.220 perangkat" in page.locator("[data-program=bpjs_kesehatan]").inner_text()

    # The number is a link to exactly the villages it counts.
    card.get_by_text("9 dari 148 desa").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("table tbody tr").count() == 9
    page.close()


def test_village_head_page_fits_a_phone_screen(demo_site, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    log_in(page, demo_site.url, "desa-1706012005", DEMO_PASSWORD)

    assert page.url.endswith("/desa/17.06.01.2005/")
    assert "Suka Pindah" in page.locator("h1").inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone screen"
    page.close()


def test_wrong_password_is_refused_in_indonesian(demo_site, browser):
    page = browser.new_page()
    log_in(page, demo_site.url, "dpmd-mukomuko", "salah")
    assert page.url.endswith("/masuk/")
    assert "salah" in page.locator("[role=alert]").inner_text().lower()
    page.close()
