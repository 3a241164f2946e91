"""The coverage-gap page in a real headless Chromium: run an analysis with its progress bar, see the
recommended sites in the table and on the map, download them, cancel a long run, refuse a bad file."""
import pytest

from auth import audit
from store.db import make_engine
from tests.helpers.coverage_page import cancel_a_long_run, open_coverage_page, run_analysis

pytestmark = pytest.mark.browser


def test_run_an_analysis_and_see_the_sites(page, live_app):
    open_coverage_page(page, live_app)
    assert "Bobot belum terpantau per heksagon" in page.locator("#cov-legend").text_content()  # folded or not
    run_analysis(page, 6)
    rows = page.locator(".cov-site-row")
    assert rows.count() == 6
    first = rows.first.inner_text()
    assert first.startswith("1") and "poin bobot" in first and "mencakup" in first
    assert page.locator(".leaflet-marker-pane .cov-site-icon").count() == 6
    summary = page.locator("#cov-summary").inner_text()
    assert "Jarak dari hasil terbaik (batas atas terbukti)" in summary and "%" in summary and "0 % berarti" in summary
    assert "terpantau" in page.locator("#cov-gaps").inner_text()
    assert "poin bobot" in page.locator("#cov-gap-legend").text_content()  # hexagon classes with their unit
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() > 100  # gap hexagons drawn
    page.locator(".leaflet-marker-pane .cov-site-icon[title='#1']").click()
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "Peringkat 1" in popup and "poin bobot" in popup and "mencakup" in popup
    href = page.locator("#cov-results a", has_text="GeoJSON").get_attribute("href")
    download = page.request.get(live_app + href)
    assert download.status == 200 and len(download.json()["features"]) == 6
    csv = page.request.get(live_app + page.locator("#cov-results a", has_text="CSV").get_attribute("href")).text()
    header, first = csv.splitlines()[:2]
    assert header == "peringkat,indeks_kandidat,bobot_tambahan_poin,alasan,desa,kecamatan,arah_kamera_derajat,lon,lat"  # the page's language
    desa, kecamatan = page.locator("#cov-results .cov-site-row td").nth(2).inner_text().split(", ")  # where the site is, by name
    assert f",{desa},{kecamatan}," in first
    assert page.errors == []


def test_cancel_stops_a_long_run(page, live_app):
    open_coverage_page(page, live_app)
    cancel_a_long_run(page)
    assert page.errors == []


def test_a_bad_upload_gets_a_message_and_the_page_keeps_working(page, live_app, live_instance):
    open_coverage_page(page, live_app)
    swapped = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, ' \
              b'"geometry": {"type": "Point", "coordinates": [-3.69, 128.18]}}]}'
    page.set_input_files("#cov-upload input[type=file]", files=[{"name": "tiang.geojson", "mimeType": "application/geo+json", "buffer": swapped}])
    page.wait_for_function("document.querySelector('#cov-upload-message').innerText.includes('tertukar')", timeout=10000)
    good = b"lon,lat\n128.18,-3.69\n128.19,-3.70\n"
    page.locator("#cov-upload-purpose input[value='candidates']").check()
    page.set_input_files("#cov-upload input[type=file]", files=[{"name": "<b>tiang</b>.csv", "mimeType": "text/csv", "buffer": good}])
    page.wait_for_selector("#cov-upload-list li", timeout=10000)
    assert "<b>tiang</b>.csv: 2 objek" in page.locator("#cov-upload-list").inner_text()  # the name shown as text
    assert page.locator("#cov-upload-message").inner_text() == ""
    page.locator("#cov-upload-purpose input[value='obstacles']").check()  # points cannot block a view
    page.set_input_files("#cov-upload input[type=file]", files=[{"name": "gedung.csv", "mimeType": "text/csv", "buffer": good}])
    page.wait_for_function("document.querySelector('#cov-upload-message').innerText.includes('harus berupa poligon')", timeout=10000)
    assert "Penghalang" not in page.locator("#cov-upload-list").inner_text()
    # every file a planner brings in is in the audit log, taken or refused
    events = audit.search(make_engine(f"sqlite:///{live_instance / 'ambon.db'}"), action="import.coverage_upload")
    seen = [(e["action"], e["target"], e["detail"]["file"]) for e in events[:3]]
    assert seen == [("import.coverage_upload.refused", "obstacles", "gedung.csv"), ("import.coverage_upload", "candidates", "<b>tiang</b>.csv"),
                    ("import.coverage_upload.refused", "demand", "tiang.geojson")]
    assert page.errors == []
