"""The road network: normalising any line layer, storing it whole or not at all, the command line
on real OpenStreetMap roads of Ambon (../shared/geodata) and on the traps of real files."""
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.crs import WGS84
from geo.roads import OSM_CREDIT, NoRoads, normalise_roads, road_group
from store.db import make_engine
from store.layers import fingerprint
from store.models import Road
from store.roads import import_roads, read_roads, road_count, road_summary

ROOT = Path(__file__).resolve().parents[1]
LINE = shapely.LineString([(128.18, -3.69), (128.181, -3.691)])


def layer(rows: dict, geoms) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=list(geoms), crs=WGS84)


def test_classes_names_and_what_is_not_a_road():
    raw = layer({"highway": ["primary_link", " Residential ", None, "proposed", "bus_stop"],
                 "name": ["Jl. Pattimura", "  ", None, "Jl. Baru", "Halte"]},
                [LINE, LINE, LINE, LINE, shapely.Point(128.18, -3.69)])
    roads = normalise_roads(raw)
    assert list(roads["highway"]) == ["primary", "residential", "road"]  # *_link as its class, blank as "road"
    assert list(roads["name"]) == ["Jl. Pattimura", None, None]
    assert list(road_group(roads["highway"])) == ["primary", "local", "local"]
    assert set(roads["source"]) == {OSM_CREDIT}  # a "highway" column: an OSM export, which must be credited


def test_other_files_keep_their_own_credit_and_class_column():
    geofabrik = layer({"fclass": ["secondary"], "NAMA": ["Jl. Sultan Hairun"]}, [LINE])
    roads = normalise_roads(geofabrik, source="Dinas PUPR Kota Ambon")
    assert roads.iloc[0][["highway", "name", "source"]].tolist() == ["secondary", "Jl. Sultan Hairun", "Dinas PUPR Kota Ambon"]
    local = normalise_roads(layer({"kode": ["A1"]}, [LINE]))
    assert local.iloc[0]["highway"] == "road" and local.iloc[0]["source"] is None


def test_a_layer_without_road_lines_is_refused_and_the_stored_network_stays(engine):
    import_roads(engine, layer({"highway": ["tertiary"], "name": ["Jl. Rijali"]}, [LINE]))
    before = fingerprint(engine, Road)
    with pytest.raises(NoRoads):
        import_roads(engine, layer({"name": ["TPS"]}, [shapely.Point(128.18, -3.69)]))
    with pytest.raises(NoRoads):
        import_roads(engine, layer({"highway": ["construction"]}, [LINE]))
    assert road_count(engine) == 1 and fingerprint(engine, Road) == before


def test_real_osm_roads_replace_the_network_on_each_backend(engine, shared_geodata):
    osm = gpd.read_file(shared_geodata / "ambon_roads_osm.geojson")
    import_roads(engine, layer({"highway": ["tertiary"]}, [LINE]))
    before = fingerprint(engine, Road)
    summary = import_roads(engine, osm)
    assert summary.segments == len(osm) == road_count(engine)  # replaced, not added to
    assert summary.total_km == pytest.approx(osm.to_crs(32752).length.sum() / 1000, rel=1e-6)
    assert list(summary.km_by_group) == ["primary", "secondary", "tertiary", "local", "minor"]  # major first
    assert summary.sources == (OSM_CREDIT,) and fingerprint(engine, Road) != before
    stored = read_roads(engine)
    assert stored["name"].notna().sum() == osm["name"].notna().sum() == 350
    assert road_summary(engine).km_by_group == pytest.approx(summary.km_by_group)


def run_cli(*args, database_url: str):
    return subprocess.run([sys.executable, "-m", "store.roads", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}, timeout=120)


def test_command_line_loads_real_roads_and_refuses_the_traps_of_real_files(tmp_path, shared_geodata):
    url = f"sqlite:///{tmp_path / 'ambon.db'}"
    done = run_cli(shared_geodata / "ambon_roads_osm.geojson", database_url=url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("5848 road segments stored, 858.3 km (primary 60.1 km")

    osm = json.loads((shared_geodata / "ambon_roads_osm.geojson").read_text())
    some = osm["features"][:20]
    swapped = [{**f, "geometry": {**f["geometry"], "coordinates": [[y, x] for x, y in f["geometry"]["coordinates"]]}} for f in some]
    france = [{**f, "geometry": {**f["geometry"], "coordinates": [[x - 127.3, y + 50.5] for x, y in f["geometry"]["coordinates"]]}}
              for f in some]  # the same shapes near Ambon... in France
    points = [{"type": "Feature", "properties": {"name": "Pasar Mardika"}, "geometry": {"type": "Point", "coordinates": [128.185, -3.694]}}]
    for name, features, expected in (("swapped", swapped, "swapped lon/lat"), ("france", france, "outside the Ambon region"),
                                     ("points", points, "no road lines")):
        path = tmp_path / f"{name}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        refused = run_cli(path, database_url=url)
        assert refused.returncode == 2 and expected in refused.stderr and len(refused.stderr.strip().splitlines()) == 1, refused.stderr

    no_crs = tmp_path / "tanpa_crs.shp"
    gpd.GeoDataFrame({"highway": ["primary"]}, geometry=[LINE]).to_file(no_crs)  # a Shapefile without its .prj
    refused = run_cli(no_crs, database_url=url)
    assert refused.returncode == 2 and "no CRS" in refused.stderr
    assert road_count(make_engine(url)) == 5848  # every refusal left the network as it was


def test_the_credit_an_admin_typed_is_shown_as_text():
    from layouts.map_page import Basemap, credits

    prefix = credits("id", Basemap("", "", '<img src=x onerror="alert(1)">PUPR')).prefix
    assert "<img" not in prefix and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;PUPR" in prefix
