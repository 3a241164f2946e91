"""One rule decides which desa a point is in, wherever a point is placed (camera saved on /admin,
imports, complaints): the smaller of overlapping neighbours, the nearest within 200 m offshore."""
import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity

from geo.boundaries import assign_areas
from geo.crs import AMBON_UTM
from geo.gaps import gap_by_area
from store.cameras import save_camera
from store.layers import read_features, write_features
from store.models import AdminArea, Camera

BIG, SMALL = shapely.box(0, 0, 1000, 1000), shapely.box(900, 0, 1100, 200)  # overlapping by 100 m x 200 m
OVERLAP, NEAR_SHORE, FAR_OFFSHORE = shapely.Point(950, 100), shapely.Point(500, -100), shapely.Point(500, -500)


def _in_ambon(*geometries) -> gpd.GeoSeries:
    return gpd.GeoSeries([shapely.affinity.translate(g, 410_000, 9_590_000) for g in geometries], crs=AMBON_UTM).to_crs(4326)


def _desa() -> gpd.GeoDataFrame:
    # the big desa is written first, so "the first polygon containing it" would pick it
    return gpd.GeoDataFrame({"level": "desa", "code": ["81.71.99.0001", "81.71.99.0002"], "name": ["Besar", "Kecil"],
                             "parent_code": "81.71.99"}, geometry=_in_ambon(BIG, SMALL).to_numpy(), crs=4326)


def test_a_camera_saved_on_admin_lands_in_the_desa_an_import_would_give_it(engine):
    write_features(engine, AdminArea, _desa())
    points = _in_ambon(OVERLAP, NEAR_SHORE, FAR_OFFSHORE)
    for number, point in enumerate(points):
        save_camera(engine, None, {"name": f"Kamera {number}", "kind": "road", "group": "lalu_lintas", "lon": point.x,
                                   "lat": point.y, "heading_deg": 0, "fov_deg": 60, "range_m": 50, "stream_url": "demo://x"})
    saved = read_features(engine, Camera, columns=["id", "desa_code", "kecamatan_code"]).sort_values("id")
    expected = ["81.71.99.0002", "81.71.99.0001", None]  # overlap: the smaller; 100 m offshore: nearest; 500 m: none
    assert saved["desa_code"].tolist() == expected == assign_areas(points, _desa())["desa_code"].tolist()
    assert saved["kecamatan_code"].tolist() == ["81.71.99", "81.71.99", None]


def test_gap_totals_count_a_point_where_areas_overlap_in_the_smaller_area():
    areas = gpd.GeoDataFrame({"name": ["Besar", "Kecil"]}, geometry=_in_ambon(BIG, SMALL).to_numpy(), crs=4326)
    demand = gpd.GeoDataFrame({"layer": "complaint", "kind": "", "name": "", "length_m": 0.0, "area_m2": 0.0, "weight": 1.0},
                              index=[0], geometry=_in_ambon(OVERLAP).to_crs(AMBON_UTM).to_numpy(), crs=AMBON_UTM)
    per = gap_by_area(demand, np.array([False]), areas, name_col="name")
    assert per.set_index("area_name")["count"].to_dict() == {"Besar": 0, "Kecil": 1}
