"""A village head keeps their officials up to date with the Excel template, in a real browser:
download it from the village page, fill it in, upload it, read the preview, confirm."""

import pytest
from openpyxl import load_workbook

from demo.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUKA_PINDAH = "17.06.01.2005"
NEW_NIK = "1706011708859801"  # a valid NIK (male, born 17-08-1985) far above the demo's serials
PHONE = {"width": 360, "height": 740}


def test_village_head_updates_officials_with_the_excel_template(demo_site, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    log_in(page, demo_site.url, "desa-1706012005", DEMO_PASSWORD)
    assert page.url.endswith(f"/desa/{SUKA_PINDAH}/")

    # 1. Download the template from the village page.
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh template Excel").click()
    path = tmp_path / "template.xlsx"
    download.value.save_as(path)

    # 2. Fill it in as a village head would: one new official, one phone corrected.
    workbook = load_workbook(path)
    sheet = workbook["Perangkat"]
    first = sheet[2]
    changed_name = first[1].value
    first[4].value = "081299990000"
    person = [NEW_NIK, "Wawan Setiawan", "L", "17-08-1985", "081277770000"]
    sheet.append([*person, "Staf", None, "definitif", None, None, None, "01-01-2026", None, "2.850.000", None, None])
    workbook.save(path)

    # 3. Upload it.
    page.get_by_role("link", name="Unggah berkas").click()
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_load_state("domcontentloaded")

    # 4. The preview: one new, one changed; nothing saved yet. Read on a phone, it fits the screen.
    assert page.locator("[data-count=new]").inner_text() == "1 baru"
    assert page.locator("[data-count=changed]").inner_text() == "1 berubah"
    assert "Wawan Setiawan" in page.locator("#new").inner_text()
    assert changed_name in page.locator("#changed").inner_text()
    assert NEW_NIK not in page.content()
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, storage_state=context.storage_state())
    small = phone.new_page()
    small.goto(page.url)
    assert small.get_by_role("button", name="Konfirmasi dan simpan").is_visible()
    overflow = small.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the preview is {overflow}px wider than the phone screen"
    phone.close()

    # 5. Confirm: back on the village page, the new official is listed.
    page.get_by_role("button", name="Konfirmasi dan simpan").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(f"/desa/{SUKA_PINDAH}/")
    assert "Tersimpan: 1 baru, 1 berubah" in page.locator(".messages").inner_text()
    assert "Wawan Setiawan" in page.locator("table").first.inner_text()
    context.close()
