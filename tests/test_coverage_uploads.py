"""Uploaded files (type from content, zip traversal and bombs, bad CRS), the store of results and
uploads (diskcache and Redis), and the download route that re-checks what the browser asks for."""
import base64
import io
import json

import geopandas as gpd
import pandas as pd
import pytest
from flask import Flask

from geo.crs import AMBON_UTM, WGS84
from planning.artifacts import ArtifactStore
from planning.uploads import MAX_UPLOAD_BYTES, UploadError, decode_contents, polygons_only, read_upload, sniff
from routes.coverage import init_coverage_routes
from tests.conftest import REDIS_URL, require_redis
from tests.helpers.archives import zip_bytes


def points(lons=(128.18, 128.19), lats=(-3.69, -3.70)) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"weight": [2.0, 1.0][: len(lons)], "name": ["a", "b"][: len(lons)]},
                            geometry=gpd.points_from_xy(lons, lats), crs=WGS84)


def refused(data: bytes) -> UploadError:
    with pytest.raises(UploadError) as caught:
        read_upload(data, "demand")
    return caught.value


def shapefile_parts(tmp_path, layer: gpd.GeoDataFrame) -> dict[str, bytes]:
    layer.to_file(tmp_path / "poles.shp")
    return {f"data/poles{ext}": (tmp_path / f"poles{ext}").read_bytes() for ext in (".shp", ".shx", ".dbf", ".prj")}


def test_each_accepted_type_is_read_from_its_content(tmp_path):
    geojson = points().to_json().encode()
    assert sniff(geojson) == "geojson" and len(read_upload(geojson, "demand")) == 2
    csv = b"lon,lat,weight\n128.18,-3.69,2\n128.19,-3.70,1\n"
    assert sniff(csv) == "csv" and list(read_upload(csv, "demand")["weight"]) == [2, 1]
    points().to_crs(AMBON_UTM).to_file(tmp_path / "p.gpkg")
    gpkg = (tmp_path / "p.gpkg").read_bytes()
    assert sniff(gpkg) == "gpkg" and len(read_upload(gpkg, "candidates")) == 2
    shp = zip_bytes(shapefile_parts(tmp_path, points()))
    assert sniff(shp) == "zip" and len(read_upload(shp, "candidates")) == 2


def test_refusals_have_a_code(tmp_path):
    assert refused(b"").code == "empty"
    assert refused(b"\x89PNG\r\n\x1a\n\x00\x00binary").code == "unknown_type"
    assert refused(json.dumps({"type": "FeatureCollection", "features": []}).encode()).code == "empty"
    assert refused(b"name,count\nx,1\n").code == "no_geometry"
    swapped = points(lons=(-3.69, -3.70), lats=(128.18, 128.19)).to_json().encode()
    error = refused(swapped)
    assert error.code == "outside_region" and error.details == {"count": 2, "total": 2, "lon": -3.69, "lat": 128.18}
    assert error.text("id") == ("2 dari 2 objek berada jauh di luar Ambon (yang pertama di bujur -3,69000, lintang 128,18000): "
                                "lon/lat tertukar atau CRS salah?")
    # UTM metres declared as lon/lat: a wrong CRS lands far outside Ambon too
    wrong_crs = points().to_crs(AMBON_UTM).set_crs(WGS84, allow_override=True)
    assert refused(wrong_crs.to_json().encode()).code == "outside_region"
    with pytest.warns(UserWarning, match="crs"):
        points().set_crs(None, allow_override=True).to_file(tmp_path / "nocrs.gpkg")
    assert refused((tmp_path / "nocrs.gpkg").read_bytes()).code == "no_crs"
    assert refused(b"{not json").code == "unreadable"


def test_obstacles_must_be_polygons():
    with pytest.raises(UploadError) as caught:
        polygons_only(points())
    assert caught.value.code == "not_polygons"
    square = points().to_crs(AMBON_UTM).buffer(10).to_crs(WGS84)
    mixed = pd.concat([points(), gpd.GeoDataFrame(geometry=square, crs=WGS84)], ignore_index=True)
    assert list(polygons_only(mixed).geom_type) == ["Polygon", "Polygon"]


def test_zip_archives_are_checked_before_unpacking(tmp_path):
    parts = shapefile_parts(tmp_path, points())
    assert refused(zip_bytes({"../../etc/evil.shp": b"x", **parts})).code == "unsafe_zip"
    assert refused(zip_bytes({"/abs/poles.shp": b"x"})).code == "unsafe_zip"
    assert refused(zip_bytes({"bomb.txt": b"\0" * (20 * 1024 * 1024), **parts})).code == "zip_bomb"
    assert refused(zip_bytes({f"f{i}.txt": b"x" for i in range(60)})).code == "zip_bomb"
    assert refused(zip_bytes({"readme.txt": b"no shapefile here"})).code == "no_shapefile"


def test_upload_contents_are_size_checked_before_decoding():
    assert decode_contents("data:application/json;base64," + base64.b64encode(b"{}").decode()) == b"{}"
    too_big = "data:application/octet-stream;base64," + "A" * (MAX_UPLOAD_BYTES * 4 // 3 + 8)
    with pytest.raises(UploadError) as caught:
        decode_contents(too_big)
    assert caught.value.code == "too_large" and caught.value.details["limit_mb"] == MAX_UPLOAD_BYTES // 2**20 == 11  # the limit the README states
    with pytest.raises(UploadError):
        decode_contents("data:text/plain;base64,***")


@pytest.fixture(params=["diskcache", "redis"])
def artifacts(request, tmp_path):
    if request.param == "redis":
        require_redis(REDIS_URL)
    return ArtifactStore(tmp_path / "artifacts", REDIS_URL if request.param == "redis" else None)


def sites() -> gpd.GeoDataFrame:
    frame = points()
    return gpd.GeoDataFrame({"rank": [1, 2], "candidate_index": [7, 3], "marginal_weight": [9.5, 4.0],
                             "reason_id": ["mencakup 3 aduan", "mencakup 1 lokasi TPS"],
                             "reason_en": ["covers 3 complaints", "covers 1 TPS site"]}, geometry=frame.geometry, crs=WGS84)


def test_artifacts_round_trip(artifacts):
    artifact_id = artifacts.put(sites().to_crs(AMBON_UTM))
    back = artifacts.get(artifact_id)
    assert back.crs.to_epsg() == 4326 and list(back["rank"]) == [1, 2]
    assert back.geometry.x.tolist() == pytest.approx([128.18, 128.19])
    for bad in ("0" * 32, "../../etc/passwd", None, 5, "A" * 32):
        assert artifacts.get(bad) is None


def test_download_route_checks_every_parameter(artifacts):
    server = Flask(__name__)
    init_coverage_routes(server, artifacts)
    client = server.test_client()
    artifact_id = artifacts.put(sites())
    geojson = client.get(f"/api/coverage/{artifact_id}.geojson?lang=en")
    assert geojson.status_code == 200 and geojson.mimetype == "application/geo+json"
    assert "new-camera-sites.geojson" in geojson.headers["Content-Disposition"]
    features = geojson.get_json()["features"]
    assert features[0]["properties"] == {"rank": 1, "candidate_index": 7, "added_weight_points": 9.5, "reason": "covers 3 complaints"}
    csv = client.get(f"/api/coverage/{artifact_id}.csv?lang=<script>")  # unknown language: Indonesian
    table = pd.read_csv(io.BytesIO(csv.data))
    assert list(table.columns) == ["peringkat", "indeks_kandidat", "bobot_tambahan_poin", "alasan", "lon", "lat"]
    assert list(table["alasan"]) == ["mencakup 3 aduan", "mencakup 1 lokasi TPS"]
    gpkg = client.get(f"/api/coverage/{artifact_id}.gpkg")
    assert gpkg.status_code == 200 and gpkg.data.startswith(b"SQLite format 3\x00")
    assert client.get(f"/api/coverage/{artifact_id}.exe").status_code == 404
    assert client.get(f"/api/coverage/{'f' * 32}.csv").status_code == 404
    assert client.get("/api/coverage/..%2f..%2fetc.csv").status_code == 404
