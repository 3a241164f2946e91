"""Pages at a laptop's 1366 × 768 and a phone's 390 px (Playwright + Debian chromium, one app for the
session): nothing the walk-through found cut off or covering the map."""
from __future__ import annotations

import pytest

from tests.conftest import login, wait_until


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    yield page
    context.close()


def test_desk_legends_and_tables_fit_a_laptop_screen(laptop, live_app):
    login(laptop, live_app, "admin")
    laptop.goto(live_app + "/pengaduan")
    laptop.wait_for_selector(".cx-table tbody tr")
    fit = laptop.evaluate("""() => {
        const list = document.querySelector('.cx-list').getBoundingClientRect();
        const heads = [...document.querySelectorAll('.cx-table thead th')];
        const search = document.querySelector('.cx-filters input[type=search]');
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = getComputedStyle(search).font;
        return {lastRight: heads[heads.length - 1].getBoundingClientRect().right, listRight: list.right,
                placeholder: ctx.measureText(search.placeholder).width, searchWidth: search.clientWidth};
    }""")
    assert fit["lastRight"] <= fit["listRight"] + 1, fit  # deadline and actions columns on screen
    assert fit["placeholder"] < fit["searchWidth"], fit  # the search hint readable in full
    for path, legend in (("/pajak", "#tax-legend"), ("/cakupan", "details.map-legend")):
        laptop.goto(live_app + path)
        laptop.wait_for_selector(legend + "[data-restored]", state="attached")
        assert laptop.eval_on_selector(legend, "d => d.open") is False, path  # folded: it covered half the map
        if path == "/pajak":
            attribution = laptop.eval_on_selector(".tax-map-box .leaflet-control-attribution", "a => a.getBoundingClientRect().height")
            assert attribution < 24  # the credits stay on one line inside the map


def test_public_counts_table_fits_a_phone(browser, live_app):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_app + "/publik/peta-laporan")
        wait_until(lambda: page.query_selector("table.counts") is not None, 10)
        width = page.evaluate("() => { const t = document.querySelector('table.counts'); return [t.scrollWidth, t.parentElement.clientWidth]; }")
        assert width[0] <= width[1], width  # the last column ("Selesai") not cut off
    finally:
        context.close()
