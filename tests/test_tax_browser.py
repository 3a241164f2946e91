"""The revenue office's page in a real headless Chromium: from a flagged business on the map to its
case, worked and closed, and the business no longer flagged on the map."""
import pytest

from tests.conftest import login, wait_until

pytestmark = pytest.mark.browser

UNDERPAID = "#tax-map .leaflet-marker-icon.tax-flag-underpaid"


def test_from_a_flagged_business_on_the_map_to_a_closed_case(page, live_app):
    login(page, live_app, "tax")
    page.goto(live_app + "/pajak")
    page.wait_for_selector(UNDERPAID, timeout=30000)
    page.wait_for_selector("#tax-cases td", timeout=30000)
    underpaid_before = page.locator(UNDERPAID).count()
    underpaid_rows = lambda: len([row for row in page.locator("#tax-cases tr").all_inner_texts() if "Bayar kurang" in row])  # noqa: E731
    rows_before = underpaid_rows()
    marker = page.locator(UNDERPAID).first
    name = marker.get_attribute("title").rsplit(" · ", 1)[0]  # "<business> · <its worst open flag>"
    marker.dispatch_event("click")  # markers may overlap at this zoom: the click goes to this one

    page.locator("#tax-detail-name", has_text=name).wait_for(timeout=20000)
    assert "dibayar Rp " in page.locator("#tax-detail").inner_text()  # the flag explained with its numbers
    page.locator("#tax-detail .js-plotly-plot").first.wait_for(timeout=20000)
    editor = page.locator("#tax-editor")
    editor.wait_for(state="visible", timeout=20000)
    assert name in page.locator("#tax-editor-title").inner_text() and "Bayar kurang" in page.locator("#tax-editor-title").inner_text()

    page.fill("#tax-officer", "Yohanis Latuconsina")
    page.fill("#tax-notes", "Dikunjungi 1/12, kekurangan dibayar")
    page.get_by_label("Sudah dibayar").check()
    page.click("#tax-save")
    page.locator("#tax-save-message", has_text="Kasus ditutup.").wait_for(timeout=20000)

    # the map is drawn again from the open cases (this business is no longer red), and the list of open cases loses it
    wait_until(lambda: page.locator(UNDERPAID).count() == underpaid_before - 1, timeout=20, message="the closed case's marker loses its flag")
    wait_until(lambda: underpaid_rows() == rows_before - 1, timeout=20, message="the closed case leaves the open-cases list")
    assert not page.errors
