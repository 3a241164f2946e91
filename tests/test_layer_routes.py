"""Layer and detail routes through the real app (Flask test client, SQLite store seeded with the demo)."""
import gzip
import re

import orjson
import pytest

from tests.conftest import build_app
from config import Settings
from tests.conftest import login_client


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0"}))
    return login_client(app.server.test_client(), "operator")


def _features(response):
    body = gzip.decompress(response.data) if response.headers.get("Content-Encoding") == "gzip" else response.data
    return orjson.loads(body)["features"]


@pytest.mark.parametrize("layer", ["cameras", "camera_sectors", "tps", "rivers", "flood_zones", "businesses", "kecamatan", "desa", "land", "roads"])
def test_every_layer_serves_features(client, layer):
    response = client.get(f"/api/layers/{layer}.geojson")
    assert response.status_code == 200
    assert _features(response)


def test_complaints_ship_compact_points_gzipped(client):
    response = client.get("/api/layers/complaints.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    features = _features(response)
    assert len(features) == 5000
    assert set(features[0]["properties"]) == {"id", "s", "c", "d"}  # d: deadline state (overdue, due soon, on time, none)


def test_the_overdue_filter_keeps_only_complaints_past_their_deadline(client):
    overdue = _features(client.get("/api/layers/complaints.geojson?overdue=1"))
    assert overdue and {f["properties"]["d"] for f in overdue} == {0}


def test_complaint_filter_applies_server_side(client):
    features = _features(client.get("/api/layers/complaints.geojson?status=baru"))
    assert features and {f["properties"]["s"] for f in features} == {0}


def test_hostile_filter_values_are_ignored(client):
    response = client.get("/api/layers/complaints.geojson?status=<script>&category=1%27%20OR%201=1")
    assert response.status_code == 200
    assert len(_features(response)) == 5000


def test_unknown_layer_is_404(client):
    assert client.get("/api/layers/secrets.geojson").status_code == 404


def test_details_behind_a_click(client):
    complaint = client.get("/api/complaints/1").get_json()
    assert complaint["ticket"].startswith("AMB-") and complaint["agency"]
    assert re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d WIT", complaint["created_at_text"])  # as every page writes it
    assert complaint["desa"] and not complaint["desa"].startswith("81.71")  # the desa's name, not its code
    assert client.get("/api/complaints/999999").status_code == 404


def test_language_switch_sets_cookie_and_never_redirects_off_site(client):
    response = client.get("/bahasa/en", headers={"Referer": "https://evil.example/phish"})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "/phish")
    assert "bahasa=en" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    hostile = client.get("/bahasa/<script>")
    assert "bahasa=id" in hostile.headers["Set-Cookie"]


def test_flood_readings_endpoint_is_mounted_and_closed_without_a_key(client):
    response = client.post("/api/flood/readings", json=[{"gauge": "x", "time": "2026-11-01T00:00:00", "level_cm": 10}])
    assert response.status_code == 401


def test_the_map_shows_businesses_without_their_tax_figures(client):
    """Taxpayer figures are for the tax office (/pajak): the map layer every role sees holds none."""
    features = _features(client.get("/api/layers/businesses.geojson"))
    assert len(features) == 400 and {key for f in features for key in f["properties"]} == {"id", "name", "category"}
    assert b"amount" not in client.get("/api/businesses/1").data


def test_complaints_by_zoom_come_as_groups_that_count_every_complaint(client):
    whole_city = _features(client.get("/api/layers/complaints.geojson?z=12"))
    assert 0 < len(whole_city) < 1000
    assert sum(f["properties"]["point_count"] for f in whole_city) == 5000
    assert all(f["properties"]["id"] > 0 for f in whole_city if not f["properties"]["cluster"])  # a lone complaint keeps its popup
    # a street's view: few enough complaints to get them one by one
    street = _features(client.get("/api/layers/complaints.geojson?z=18&bbox=128.180,-3.700,128.182,-3.698"))
    assert len(street) < 1000 and all(set(f["properties"]) == {"id", "s", "c", "d"} for f in street)
    assert client.get("/api/layers/complaints.geojson?z=x&bbox=1,2,nan,4").status_code == 200  # bad view: the default one
