"""City data in a real Chromium: the road network drawn on the offline basemap with its legend; an
admin replacing it from a real OpenStreetMap file and the desa boundaries from a real boundary file
(wrong files refused in Indonesian, changing nothing)."""
from __future__ import annotations

import gzip
import json
import urllib.request

import pytest

from tests.conftest import login, login_opener, serve_app

pytestmark = pytest.mark.browser

ROAD_PATHS = "document.querySelectorAll('.leaflet-pane.leaflet-land-pane path').length"


@pytest.fixture(scope="module")
def roads_app(tmp_path_factory):
    with serve_app(tmp_path_factory.mktemp("roads-instance")) as base:
        yield base


def test_demo_roads_are_drawn_beneath_everything_and_explained(page, roads_app):
    login(page, roads_app, "viewer")
    page.goto(roads_app + "/")
    page.wait_for_function(f"{ROAD_PATHS} > 100", timeout=20_000)  # land and the demo's roads, no tiles needed
    legend = page.locator("#map-legend").text_content()  # folded or not
    assert "Jalan arteri" in legend and "Jalan lingkungan" in legend
    assert page.errors == []


def test_admin_replaces_the_roads_with_a_real_file_and_a_wrong_file_changes_nothing(page, roads_app, shared_geodata):
    login(page, roads_app, "admin")
    page.goto(roads_app + "/admin")
    summary = page.locator("#admin-data-summary")
    summary.get_by_text("ruas jalan").wait_for(timeout=15_000)
    demo_summary = summary.inner_text()

    osm = (shared_geodata / "ambon_roads_osm.geojson").read_bytes()
    features = json.loads(osm)["features"][:5]
    swapped = [{**f, "geometry": {**f["geometry"], "coordinates": [[y, x] for x, y in f["geometry"]["coordinates"]]}} for f in features]
    upload = "#admin-data-upload input[type=file]"
    message = page.locator("#admin-data-message")
    page.set_input_files(upload, files=[{"name": "jalan.geojson", "mimeType": "application/geo+json",
                                         "buffer": json.dumps({"type": "FeatureCollection", "features": swapped}).encode()}])
    message.get_by_text("Data tidak diubah").wait_for(timeout=15_000)
    # in Indonesian through and through, its figures with decimal commas
    assert "5 dari 5 objek berada jauh di luar Ambon (yang pertama di bujur -3," in message.inner_text()
    assert "features" not in message.inner_text() and summary.inner_text() == demo_summary

    page.set_input_files(upload, files=[{"name": "ambon_roads_osm.geojson", "mimeType": "application/geo+json", "buffer": osm}])
    message.get_by_text("5.848 ruas jalan").wait_for(timeout=60_000)
    assert "Diimpor dari ambon_roads_osm.geojson" in message.inner_text()
    assert "858,3 km" in summary.inner_text() and "© OpenStreetMap contributors" in summary.inner_text()

    # the map asks for the new network (a new URL, so no cache serves the demo's) and credits OSM
    page.goto(roads_app + "/")
    page.wait_for_function(f"{ROAD_PATHS} > 5000", timeout=30_000)
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()

    page.goto(roads_app + "/admin")  # and the import is in the audit log, with its file
    page.locator("#admin-data-kind input[value='desa']").check()  # the real desa boundaries, then a wrong file as desa
    page.locator("#admin-data-source").wait_for(state="hidden", timeout=5_000)  # a credit field for roads only
    page.set_input_files(upload, files=[{"name": "desa.geojson", "mimeType": "application/geo+json",
                                         "buffer": (shared_geodata / "ambon_desa_kelurahan_wb.geojson").read_bytes()}])
    message.get_by_text("50 desa/kelurahan (sebelumnya 50)").wait_for(timeout=60_000)
    assert "5.467 titik ditempatkan lagi di desanya" in message.inner_text()
    page.set_input_files(upload, files=[{"name": "kecamatan.geojson", "mimeType": "application/geo+json",
                                         "buffer": (shared_geodata / "ambon_kecamatan_wb.geojson").read_bytes()}])
    message.get_by_text('Berkas ini berisi kode kecamatan (81.71.01, 81.71.02, 81.71.03), bukan kode desa/kelurahan: pilih "Batas kecamatan".').wait_for(timeout=15_000)
    assert "Data tidak diubah." in message.inner_text() and "5 kecamatan, 50 desa/kelurahan" in summary.inner_text()

    page.fill("#admin-audit-action", "data.import")
    page.click("#admin-audit-search")
    # the table drawn with the page predates the kecamatan refusal: wait for the search's own answer
    page.locator("#admin-audit-table td", has_text="file: kecamatan.geojson").wait_for(timeout=10_000)
    assert page.locator("#admin-audit-table td", has_text="file: ambon_roads_osm.geojson · segments: 5848").count() == 1
    refusals = page.locator("#admin-audit-table tr", has_text="Data impor ditolak")  # data.import.refused, in words
    assert refusals.count() == 2 and "kecamatan.geojson" in refusals.first.inner_text()  # refused files are logged too
    assert page.errors == []


def test_the_road_layer_is_compact_on_the_wire(roads_app):
    """The layer travels gzip-compressed with only a name and a style group per road."""
    opener = login_opener(roads_app, "viewer")
    request = urllib.request.Request(roads_app + "/api/layers/roads.geojson?v=x", headers={"Accept-Encoding": "gzip"})
    with opener.open(request) as response:
        body = response.read()
        assert response.headers["Content-Encoding"] == "gzip"
    collection = json.loads(gzip.decompress(body))
    assert set(collection["features"][0]["properties"]) == {"name", "g"}
