"""The whole life of a complaint in a real headless Chromium against the app as the README starts it:
a citizen reports on the public form, an operator verifies and routes it from the inbox, the agency
accepts and resolves it with a public note, and the citizen looks the ticket up. Script tags typed by
the citizen stay text on every page."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import login

pytestmark = pytest.mark.browser

HOSTILE = "<script>window.pwned=1</script> Sampah <b>menumpuk</b> di Jl. Sultan Hairun"


def _inbox_row(page, ticket: str):
    page.fill("#cx-filter-text", ticket)
    page.press("#cx-filter-text", "Enter")
    row = page.locator("#cx-table tbody tr", has_text=ticket)
    expect(page.locator("#cx-page-info")).to_contain_text("Halaman 1 dari 1", timeout=20000)  # the filtered list is in
    row.wait_for(timeout=20000)
    return row


def test_a_citizen_report_is_verified_routed_resolved_and_looked_up(browser, live_app):
    citizen = browser.new_context(viewport={"width": 1200, "height": 900})
    public = citizen.new_page()
    public.goto(live_app + "/publik/lapor")
    public.select_option("#pub-category", "sampah")
    public.fill("#pub-description", HOSTILE)
    public.locator("#pub-map").click(position={"x": 300, "y": 160})  # the place picked on the map fills the coordinates
    assert re.fullmatch(r"-3\.\d+", public.input_value("#pub-lat"))
    # the offline land and named roads are drawn at Leaflet's size (not squeezed by the portal's chart CSS), with a marker
    expect(public.locator("#pub-map .leaflet-land-pane path")).not_to_have_count(0)
    assert public.locator("#pub-map .leaflet-land-pane svg").bounding_box()["width"] > 300
    expect(public.locator("#pub-map .leaflet-overlay-pane path.leaflet-interactive")).to_have_count(1)
    public.fill("#pub-name", "Ani Rahayu")
    public.fill("#pub-phone", "081234567890")
    public.click("#pub-submit")
    ticket = public.locator("#pub-ticket").inner_text(timeout=20000).strip()
    assert re.fullmatch(r"LPR-[2-9A-Z]{10}", ticket)

    operator = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    login(operator, live_app, "operator")
    operator.goto(live_app + "/pengaduan")
    row = _inbox_row(operator, ticket)
    expect(row).to_contain_text("<script>window.pwned=1</script> Sampah")  # as text, in the list too
    row.get_by_role("button", name="Verifikasi").click()
    operator.locator("#cx-message", has_text="Terverifikasi").wait_for(timeout=20000)
    row = operator.locator("#cx-table tbody tr", has_text=ticket)
    complaint_id = row.get_attribute("data-id")
    row.get_by_role("button", name="Teruskan ke OPD").click()
    operator.locator("#cx-message", has_text="Diteruskan ke OPD").wait_for(timeout=20000)
    assert operator.locator("#cx-table tbody tr", has_text=ticket).count() == 0  # routed: the inbox no longer waits on it
    operator.locator("#cx-import-upload input[type=file]").set_input_files(files=[{
        "name": "ekspor-lapor.csv", "mimeType": "text/csv",
        "buffer": ("Nomor Tracking;Tanggal;Isi Laporan;Kategori;Latitude;Longitude\n"
                   "LAP-BROWSER-1;29/11/2026 10:00;Drainase tersumbat;drainase;-3,70;128,18\n"
                   "LAP-BROWSER-2;31/02/2026;Tanggal mustahil;drainase;-3.70;128.18\n").encode()}])
    result = operator.locator("#cx-import-result")
    expect(result).to_contain_text("1 baru, 0 diperbarui, 0 tidak berubah, 1 ditolak, 0 baris kosong", timeout=60000)
    expect(result).to_contain_text("Baris 3 · LAP-BROWSER-2 · ditolak · tanggal tidak mungkin atau tidak terbaca")
    operator.goto(f"{live_app}/pengaduan/detail?id={complaint_id}")
    operator.locator("#cx-description").wait_for(timeout=20000)
    assert operator.locator("#cx-description").inner_text() == HOSTILE  # the script stayed text
    assert "Ani Rahayu" in operator.locator("#cx-detail-body").inner_text()  # operators see the reporter
    assert operator.evaluate("window.pwned") is None

    agency = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    login(agency, live_app, "agency")  # the demo agency user is DLH's, the agency the category suggests
    agency.goto(live_app + "/pengaduan")
    row = _inbox_row(agency, ticket)
    row.get_by_role("button", name="Terima").click()
    agency.locator("#cx-message", has_text="Diproses").wait_for(timeout=20000)
    agency.get_by_role("link", name=ticket).click()
    agency.locator("#cx-detail-action").wait_for(timeout=20000)
    agency.locator("#cx-detail-action").click()
    agency.locator(".dash-dropdown-option", has_text="Selesaikan").click()
    agency.fill("#cx-detail-note", "Sampah sudah diangkut truk DLH")
    agency.locator("#cx-detail-public input").check()
    agency.click("#cx-detail-submit")
    agency.locator("#cx-detail-message", has_text="Diselesaikan OPD").wait_for(timeout=20000)
    assert "Sampah sudah diangkut truk DLH" in agency.locator("#cx-timeline").inner_text()

    public.goto(f"{live_app}/publik/tiket?tiket={ticket}")
    assert public.locator("#pub-ticket-status").inner_text() == "Diselesaikan OPD"
    history = public.locator("#pub-ticket-history").inner_text()
    assert "Sampah sudah diangkut truk DLH" in history and "Diteruskan ke OPD" in history
    page_text = public.locator("main").inner_text()
    assert "Ani" not in page_text and "0812" not in page_text
    citizen.close()
