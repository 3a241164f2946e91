"""The city map in a real headless Chromium, as an operator would use it."""
import re

import pytest

from tests.conftest import login

pytestmark = pytest.mark.browser

OVERLAYS_ID = ["Kamera CCTV", "Pengaduan warga (SP4N-LAPOR)", "TPS (tempat sampah sementara)", "Sungai",
               "Zona rawan banjir", "Restoran & kafe wajib pajak", "Batas kecamatan", "Batas desa/kelurahan"]


def _overlay_checkbox(page, name):
    return page.locator(".leaflet-control-layers-overlays label", has_text=name).locator("input")


def _open_map(page, live_app):
    login(page, live_app, "operator")
    page.wait_for_selector(".leaflet-marker-pane .cam-icon", timeout=20000)
    # land, boundaries, rivers and flood zones come by URL after the markers: wait for the vectors
    page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length > 50", timeout=20000)


def test_every_overlay_is_in_the_layer_control_and_legend(page, live_app):
    _open_map(page, live_app)
    control = page.locator(".leaflet-control-layers-overlays").inner_text()
    legend = page.locator("#map-legend").text_content()  # folded or not
    for name in OVERLAYS_ID:
        assert name in control
    for entry in ("Kamera jalan", "Kamera sungai", "Kamera TPS", "Baru", "Selesai", "Tinggi", "Sungai", "Laut"):
        assert entry in legend
    assert page.errors == []


def test_untick_and_tick_an_overlay(page, live_app):
    _open_map(page, live_app)
    cameras = page.locator(".leaflet-marker-pane .cam-icon")
    shown = cameras.count()
    assert shown > 10
    _overlay_checkbox(page, "Kamera CCTV").uncheck()
    page.wait_for_function("document.querySelectorAll('.leaflet-marker-pane .cam-icon').length === 0")
    _overlay_checkbox(page, "Kamera CCTV").check()
    page.wait_for_function(f"document.querySelectorAll('.leaflet-marker-pane .cam-icon').length === {shown}")
    assert page.errors == []


def test_click_a_camera_and_read_its_popup(page, live_app):
    _open_map(page, live_app)
    marker = page.locator(".leaflet-marker-pane .cam-road").first
    name = marker.get_attribute("title")
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert name in text and "Kamera jalan" in text and " m" in text
    assert page.errors == []


def test_complaint_popup_loads_details(page, live_app):
    _open_map(page, live_app)
    page.locator("#filter-status input[value='baru']").check()
    page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length > 0")
    counts = page.locator("#counts-in-view").inner_text()
    assert "Pengaduan" in counts and "pengaduan" in counts
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "/api/complaints/" in request.url else None)
    # a new ("baru") complaint that no camera or TPS marker lies on (the demo puts waste complaints near TPS sites)
    page.wait_for_function("""() => {
        const uncovered = [...document.querySelectorAll("path.leaflet-interactive[fill='#d7263d']")].find(p => {
            const r = p.getBoundingClientRect();
            return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === p;
        });
        if (uncovered) uncovered.setAttribute("data-test-uncovered", "1");
        return Boolean(uncovered);
    }""", timeout=10_000)
    page.locator("path[data-test-uncovered]").click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_text("AMB-").wait_for(timeout=10_000)
    text = popup.inner_text()
    assert re.search(r"\d\d-\d\d-\d{4} \d\d:\d\d WIT", text)  # Ambon's time, written as on every page
    assert not re.search(r"81\.71\.\d\d\.\d{4}", text)  # the desa by its name, not its code
    page.wait_for_timeout(1500)
    assert len(fetched) == 1  # details fetched once, not again on every redraw of the popup
    assert page.errors == []


def test_switch_language(page, live_app):
    _open_map(page, live_app)
    page.get_by_text("English").click()
    page.wait_for_selector("text=Ambon City Command Center")
    page.wait_for_selector(".leaflet-marker-pane .cam-icon")
    control = page.locator(".leaflet-control-layers-overlays").inner_text()
    assert "CCTV cameras" in control and "Flood-prone zones" in control
    names = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert names == sorted(names)  # by name, whichever layer loaded first
    assert "Legend" in page.locator("#map-legend").inner_text()
    page.get_by_text("Bahasa Indonesia").click()
    page.wait_for_selector("text=Pusat Komando Kota Ambon")
    assert page.errors == []


def test_a_filter_dropdown_speaks_indonesian(page, live_app):
    """dash's dcc.Dropdown brings its own English words (Search, Select All, "2 selected", No options
    found, Clear ...); every one of them must be Indonesian on an Indonesian page."""
    _open_map(page, live_app)
    category = page.locator("#filter-category")
    assert category.inner_text() == "Semua"
    category.click()
    menu = page.locator(".dash-dropdown-content")
    search = menu.locator("input[type=search]")
    menu.get_by_role("button", name="Pilih semua").click()  # a multi dropdown stays open
    category.locator(".dash-dropdown-value-count").wait_for()
    search.fill("zzzz")
    menu.get_by_text("Tidak ada yang cocok").wait_for()
    texts = [menu.inner_text(), search.get_attribute("placeholder"), category.locator(".dash-dropdown-value-count").inner_text(),
             category.locator(".dash-dropdown-clear").get_attribute("title"), category.locator(".dash-dropdown-clear").get_attribute("aria-label"),
             menu.locator(".dash-dropdown-clear").get_attribute("aria-label")]
    assert texts[1:] == ["Cari", f"{category.locator('.dash-dropdown-value-item').count()} dipilih", "Hapus pilihan", "Hapus pilihan",
                         "Hapus pencarian"]
    assert "Pilih semua" in texts[0] and "Batalkan semua" in texts[0]
    english = ("Search", "Select", "selected", "No options", "Clear")
    assert [text for text in texts if any(word in text for word in english)] == []
    assert page.errors == []


def test_user_text_in_a_popup_is_shown_as_text(page, live_app):
    _open_map(page, live_app)
    result = page.evaluate("""() => {
        window.__xss = 0;
        const layer = L.marker([-3.69, 128.18]);
        const labels = {field: {kind: "Jenis", status: "Status", heading: "Arah", fov: "Sudut", range: "Jangkauan",
                                desa: "Desa", kecamatan: "Kecamatan", ptz: "PTZ"},
                        kind: {road: "Kamera jalan"}, cameraStatus: {online: "Daring"}, popup: {}};
        const name = '<img src=x onerror="window.__xss=1">';
        window.ambon.map.bindPopup({properties: {name: name, kind: "road", status: "online", heading_deg: 10,
                                                 fov_deg: 60, range_m: 50}}, layer, {hideout: {layer: "cameras", labels: labels}});
        const content = layer.getPopup().getContent();
        document.body.appendChild(content);
        return {images: content.querySelectorAll("img").length, text: content.textContent};
    }""")
    page.wait_for_timeout(300)
    assert result["images"] == 0
    assert '<img src=x onerror="window.__xss=1">' in result["text"]
    assert page.evaluate("window.__xss") == 0


def test_the_date_picker_speaks_the_page_language_whatever_the_browser_says(page, live_app):
    """Chromium here runs in English; the picker's months and days follow the page, weeks from Monday."""
    _open_map(page, live_app)
    page.locator("#filter-dates").click()
    week = page.get_by_text("Sen", exact=True).first
    week.wait_for(timeout=10_000)
    days = page.evaluate("""() => [...document.querySelectorAll('*')].filter(e => e.children.length === 0
        && ['Sen', 'Sel', 'Rab', 'Kam', 'Jum', 'Sab', 'Min'].includes(e.textContent.trim())).map(e => e.textContent.trim())""")
    assert days[:7] == ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"]
    assert page.get_by_text("Su", exact=True).count() == 0
    page.keyboard.press("Escape")
    page.get_by_text("English").click()
    page.wait_for_selector("text=Ambon City Command Center")
    page.locator("#filter-dates").click()
    page.get_by_text("Mo", exact=True).first.wait_for(timeout=10_000)
    assert page.get_by_text("Sen", exact=True).count() == 0
    page.get_by_text("Bahasa Indonesia").click()
    page.wait_for_selector("text=Pusat Komando Kota Ambon")
    assert page.errors == []


def test_group_counts_are_whole_numbers_in_the_page_language(page, live_app):
    _open_map(page, live_app)
    page.locator(".leaflet-control-zoom-out").click()
    page.locator(".leaflet-control-zoom-out").click()  # the whole city: groups of over a thousand complaints
    page.wait_for_function("""[...document.querySelectorAll('.marker-cluster span')]
        .some(s => /^\\d{1,3}(\\.\\d{3})+$/.test(s.textContent))""", timeout=15_000)  # "1.234", never "1.2k"
    assert not any(text.endswith("k") for text in page.locator(".marker-cluster span").all_inner_texts())
    assert page.errors == []
