"""Kecamatan and desa boundaries from real files (../shared/geodata): codes checked, points put in
their desa (overlapping neighbours, waterfront places), the store replaced whole or not at all,
and the map's layers revalidated after an import."""
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.conftest import build_app
from config import Settings
from demo.seed import write_demo_city
from geo.boundaries import BadBoundaries, assign_areas, normalise_admin_areas
from geo.crs import AMBON_UTM, WGS84
from store.boundaries import area_counts, import_admin_areas
from store.layers import read_admin_areas, read_features
from store.models import Complaint
from tests.conftest import login_client

ROOT = Path(__file__).resolve().parents[1]
SQUARE = shapely.box(128.18, -3.70, 128.19, -3.69)


def areas(rows: dict, geoms=None) -> gpd.GeoDataFrame:
    n = len(next(iter(rows.values())))
    return gpd.GeoDataFrame(rows, geometry=geoms or [SQUARE] * n, crs=WGS84)


def refusal(layer, level) -> BadBoundaries:
    with pytest.raises(BadBoundaries) as caught:
        normalise_admin_areas(layer, level)
    return caught.value


def test_codes_are_checked_and_written_with_dots():
    desa = normalise_admin_areas(areas({"KODE_DESA": ["8171021011"], "NAMA": [" Rijali "], "JENIS": ["Kelurahan"]}), "desa")
    assert desa.iloc[0][["code", "name", "kind", "parent_code", "level"]].tolist() == ["81.71.02.1011", "Rijali", "kelurahan", "81.71.02", "desa"]
    assert refusal(areas({"kode": ["81.71.01"], "nama": ["Nusaniwe"]}), "desa").code == "other_level"  # a kecamatan file as desa
    assert refusal(areas({"kode": ["81.71.01.1"], "nama": ["Nusaniwe"]}), "desa").code == "bad_codes"
    other = refusal(areas({"kode": ["74.71.01.1001"], "nama": ["Ambon?"]}), "desa")  # another city's codes
    assert other.code == "other_city" and other.examples == ("74.71.01.1001",)
    assert refusal(areas({"kode": ["81.71.01", "81.71.01"], "nama": ["A", "B"]}), "kecamatan").code == "duplicate_codes"
    assert refusal(areas({"kode": ["81.71.01"], "nama": [None]}), "kecamatan").code == "no_name"
    assert refusal(areas({"nama": ["Sirimau"]}), "kecamatan").code == "no_code"
    assert refusal(areas({"kode": ["81.71.01"], "nama": ["x"]}, [shapely.Point(128.18, -3.69)]), "kecamatan").code == "no_polygons"


def test_a_point_where_neighbours_overlap_goes_to_the_smaller_and_one_offshore_to_the_nearest():
    big, small = shapely.box(0, 0, 1000, 1000), shapely.box(900, 0, 1100, 200)  # they overlap by 100 m x 200 m
    desa = gpd.GeoDataFrame({"code": ["81.71.99.0001", "81.71.99.0002"], "parent_code": ["81.71.99"] * 2},
                            geometry=[shapely.affinity.translate(g, 410_000, 9_590_000) for g in (big, small)], crs=AMBON_UTM)
    points = gpd.GeoSeries([shapely.Point(410_950, 9_590_100), shapely.Point(410_500, 9_589_900), shapely.Point(410_500, 9_589_500)],
                           crs=AMBON_UTM, index=[7, 8, 9])
    placed = assign_areas(points, desa)
    assert placed.index.tolist() == [7, 8, 9]
    assert placed["desa_code"].tolist() == ["81.71.99.0002", "81.71.99.0001", None]  # overlap; 100 m offshore; 500 m offshore


def test_real_places_land_in_the_desa_the_reference_names(shared_geodata):
    desa = normalise_admin_areas(gpd.read_file(shared_geodata / "ambon_desa_kelurahan_wb.geojson"), "desa")
    places = gpd.read_file(shared_geodata / "ambon_reference_points.geojson")
    placed = assign_areas(places.geometry, desa)
    inside = places["dist_to_nearest_desa_m"] == 0
    assert (placed.loc[inside, "desa_code"] == places.loc[inside, "desa_kode"]).all()
    assert placed["kecamatan_code"].dropna().str.len().eq(8).all()
    by_name = placed.assign(name=places["name"]).set_index("name")["desa_code"]
    assert by_name["Pasar Mardika"] is not None  # 0.5 m outside every polygon, on the waterfront
    assert by_name["Jembatan Merah Putih (Merah Putih Bridge)"] is not None  # a bridge end 165 m out over the bay
    assert by_name["Jembatan Merah Putih (app POI)"] is None  # 232 m out: too far to guess


def test_importing_real_desa_puts_every_point_in_its_desa_again(engine, demo_city, shared_geodata):
    write_demo_city(engine, demo_city)
    population = read_admin_areas(engine, "desa").set_index("code")["population"]
    real = gpd.read_file(shared_geodata / "ambon_desa_kelurahan_wb.geojson")
    done = import_admin_areas(engine, real, "desa")
    assert (done.areas, done.before) == (50, 50) and area_counts(engine) == {"desa": 50, "kecamatan": 5}
    assert done.points == 37 + 5000 + 30 + 400 and done.unplaced < done.points * 0.01
    stored = read_admin_areas(engine, "desa").set_index("code")
    assert stored["population"].equals(population.reindex(stored.index))  # the file has none: the known ones stay
    complaints = read_features(engine, Complaint, columns=["id", "desa_code", "kecamatan_code"])
    recomputed = assign_areas(complaints.geometry, real.rename(columns={"kode": "code", "kode_kec": "parent_code"}))
    assert complaints["desa_code"].tolist() == recomputed["desa_code"].tolist()
    assert (complaints["kecamatan_code"].dropna() == complaints["desa_code"].dropna().str.slice(0, 8)).all()

    before = read_admin_areas(engine, "desa")
    with pytest.raises(BadBoundaries):
        import_admin_areas(engine, gpd.read_file(shared_geodata / "ambon_kecamatan_wb.geojson"), "desa")
    pd.testing.assert_frame_equal(read_admin_areas(engine, "desa"), before)  # a refused file changes nothing


def test_the_map_revalidates_boundaries_and_sees_an_import_at_once(tmp_path, shared_geodata):
    app = build_app(Settings.from_env({"INSTANCE_DIR": str(tmp_path), "TILE_URL": "", "CAMERA_READERS": "0"}))
    client = login_client(app.server.test_client(), "viewer")
    first = client.get("/api/layers/desa.geojson")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    assert client.get("/api/layers/desa.geojson", headers={"If-None-Match": etag}).status_code == 304
    from store.db import make_engine

    import_admin_areas(make_engine(f"sqlite:///{tmp_path / 'ambon.db'}"), gpd.read_file(shared_geodata / "ambon_desa_kelurahan_wb.geojson"), "desa")
    fresh = client.get("/api/layers/desa.geojson", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag


def run_cli(*args, database_url: str):
    return subprocess.run([sys.executable, "-m", "store.boundaries", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}, timeout=120)


def test_command_line_refuses_the_traps_of_real_boundary_files(tmp_path, shared_geodata):
    url = f"sqlite:///{tmp_path / 'ambon.db'}"
    done = run_cli("kecamatan", shared_geodata / "ambon_kecamatan_wb.geojson", database_url=url)
    assert done.returncode == 0 and done.stdout.startswith("5 kecamatan stored"), done.stderr
    real = json.loads((shared_geodata / "ambon_kecamatan_wb.geojson").read_text())

    def rings(transform):
        features = []
        for feature in real["features"]:
            geometry = shapely.geometry.shape(feature["geometry"])
            features.append({**feature, "geometry": shapely.geometry.mapping(shapely.transform(geometry, transform))})
        return {"type": "FeatureCollection", "features": features}

    swapped = rings(lambda xy: xy[:, ::-1])  # rings stored as [lat, lon]
    france = rings(lambda xy: xy + [-127.3, 50.5])  # the same shapes, in France
    for name, collection, expected in (("swapped", swapped, "swapped lon/lat"), ("france", france, "outside the Ambon region")):
        path = tmp_path / f"{name}.geojson"
        path.write_text(json.dumps(collection))
        refused = run_cli("kecamatan", path, database_url=url)
        assert refused.returncode == 2 and expected in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    as_desa = run_cli("desa", shared_geodata / "ambon_kecamatan_wb.geojson", database_url=url)
    assert as_desa.returncode == 2 and "codes of the other level, not desa codes like 81.71.01.1006" in as_desa.stderr
