"""Under the Content-Security-Policy the pages still work in a real browser: no violation reported in
the console on the pages each role uses, their scripts run (the NIK helper, the print button) and
their styles apply (the coverage bars have their width)."""

import pytest

from demo.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUKA_PINDAH = "17.06.01.2005"
PAGES = {
    "dpmd-mukomuko": [
        "/wilayah/17.06/",
        "/wilayah/17.06/desa/?program=bpjs_ketenagakerjaan&which=covered",
        "/wilayah/17.06/perangkat/?program=bpjs_kesehatan&which=all",
        f"/desa/{SUKA_PINDAH}/",
        f"/desa/{SUKA_PINDAH}/perangkat/tambah/",
        f"/desa/{SUKA_PINDAH}/impor/",
        "/wilayah/17.06/anggaran/",
        "/wilayah/17.06/skenario/",
        "/akun/",
        "/akun/massal/",
        "/akun/desa-belum-masuk/",
    ],
    "desa-1706012005": [f"/desa/{SUKA_PINDAH}/", f"/desa/{SUKA_PINDAH}/perangkat/tambah/", "/akun/profil/"],
    "bpjs-tk-mukomuko": ["/bpjs/antrean/", "/bpjs/rekonsiliasi/"],
    "admin": ["/admin/", "/admin/villages/person/", "/admin/villages/familymember/add/"],
}


def watched_page(browser):
    """A page whose console CSP reports and `securitypolicyviolation` events are collected."""
    page = browser.new_page()
    reports: list[str] = []
    page.on("console", lambda m: reports.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: reports.append(f"page error: {error}"))
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    return page, reports


@pytest.mark.parametrize("username", list(PAGES))
def test_no_page_reports_a_csp_violation(demo_site, browser, username):
    page, reports = watched_page(browser)
    log_in(page, demo_site.url, username, DEMO_PASSWORD)

    for path in PAGES[username]:
        response = page.goto(f"{demo_site.url}{path}")
        page.wait_for_load_state("load")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        reports += [f"{path}: {v}" for v in page.evaluate("window.__csp")]

    assert reports == []
    page.close()


def test_scripts_and_styles_still_apply_under_the_policy(demo_site, browser):
    page, reports = watched_page(browser)
    log_in(page, demo_site.url, "dpmd-mukomuko", DEMO_PASSWORD)

    # The coverage bar of 9 of 148 desa is drawn by a class of app.css, not an inline width.
    card = page.locator("[data-program=bpjs_ketenagakerjaan]")
    drawn, track = card.locator(".bar span").first.bounding_box(), card.locator(".bar").first.bounding_box()
    assert 0 < drawn["width"] < track["width"] / 5

    # nik.js still runs on the official form: a NIK of a woman born 17-08-1985 fills the sex.
    page.goto(f"{demo_site.url}/desa/{SUKA_PINDAH}/perangkat/tambah/")
    page.fill("input[name=nik]", "1706015708850001")
    page.wait_for_function("document.querySelector('input[name=sex][value=P]').checked")

    assert reports == []
    page.close()
