"""A DPMD puts a village operator on board, in a real browser: creates the account, reads the one-time
password off the slip; the operator logs in on a phone, must choose a password, and lands on the desa."""

import pytest

from demo.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARAH_TIGA = "17.06.01.2007"
PHONE = {"width": 390, "height": 844}


def test_dpmd_creates_an_operator_who_logs_in_on_a_phone_and_changes_the_password(demo_site, browser):
    office = browser.new_context().new_page()
    log_in(office, demo_site.url, "dpmd-mukomuko", DEMO_PASSWORD)
    office.goto(f"{demo_site.url}/akun/baru/")
    office.fill("input[name=username]", "operator-arah-tiga")
    office.select_option("select[name=role]", "village")
    office.select_option("select[name=village]", ARAH_TIGA)
    office.click("button[type=submit].primary")
    office.wait_for_load_state("load")
    assert "Desa Arah Tiga" in office.locator(".slip").inner_text()
    password = office.locator(".slip .password").inner_text().strip()

    phone = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    log_in(phone, demo_site.url, "operator-arah-tiga", password)
    assert phone.url.endswith("/akun/kata-sandi/")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.fill("input[name=old_password]", password)
    phone.fill("input[name=new_password1]", "kebun-sawit-2027")
    phone.fill("input[name=new_password2]", "kebun-sawit-2027")
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state("load")

    assert phone.url.endswith(f"/desa/{ARAH_TIGA}/")
    assert "Arah Tiga" in phone.locator("h1").first.inner_text()
    assert phone.goto(f"{demo_site.url}/akun/").status == 403  # an operator has no account pages
