import math

import numpy as np
import geopandas as gpd
import pytest
import shapely

from geo.crs import AMBON_UTM, WGS84
from geo.sectors import bearing_deg, camera_sectors, in_sector, sector_polygons

# A point in Ambon city, in UTM 52S metres
X0, Y0 = 410_000.0, 9_597_000.0


def test_bearing_convention_north_zero_clockwise():
    dx = np.array([0, 1, 0, -1, 1])
    dy = np.array([1, 0, -1, 0, 1])
    assert np.allclose(bearing_deg(dx, dy), [0, 90, 180, 270, 45])


def test_in_sector_heading_and_fov():
    # camera looking east (90 deg) with 90 deg FOV, 100 m range
    pts = {"east": (50, 0), "north": (0, 50), "northeast_edge": (30, 30), "east_far": (150, 0),
           "west": (-50, 0), "southeast_inside": (40, -20)}
    dx = np.array([p[0] for p in pts.values()], float)
    dy = np.array([p[1] for p in pts.values()], float)
    got = dict(zip(pts, in_sector(dx, dy, 90.0, 90.0, 100.0)))
    assert got == {"east": True, "north": False, "northeast_edge": True, "east_far": False,
                   "west": False, "southeast_inside": True}


def test_in_sector_wraps_around_north():
    # heading 350 with 40 deg FOV covers bearings 330..10
    b = np.radians([335, 355, 5, 9, 15, 325])
    got = in_sector(10 * np.sin(b), 10 * np.cos(b), 350.0, 40.0, 20.0)
    assert got.tolist() == [True, True, True, True, False, False]


def test_in_sector_full_circle_when_unknown_or_360():
    dx, dy = np.array([0.0, -30.0, 0.0]), np.array([40.0, 0.0, -49.0])
    for heading, fov in [(np.nan, 60.0), (90.0, np.nan), (90.0, 360.0), (0.0, 400.0)]:
        assert in_sector(dx, dy, heading, fov, 50.0).all()
    assert not in_sector(0.0, 51.0, np.nan, np.nan, 50.0)


def test_in_sector_broadcasts_pairs():
    # 3 points x 2 cameras at the origin with different headings
    dx = np.array([[10.0], [-10.0], [0.0]])
    dy = np.array([[0.0], [0.0], [10.0]])
    got = in_sector(dx, dy, np.array([90.0, 270.0]), np.array([60.0, 60.0]), np.array([20.0, 20.0]))
    assert got.tolist() == [[True, False], [False, True], [False, False]]


def test_sector_polygon_matches_point_test():
    poly = sector_polygons([X0], [Y0], [45.0], [90.0], [100.0], arc_points=128)[0]
    assert poly.is_valid
    # quarter-disk area
    assert poly.area == pytest.approx(math.pi * 100**2 / 4, rel=2e-3)
    rng = np.random.default_rng(0)
    dx, dy = rng.uniform(-120, 120, 2000), rng.uniform(-120, 120, 2000)
    inside = in_sector(dx, dy, 45.0, 90.0, 100.0)
    # points clearly inside or outside agree (ignore a thin band along the chorded arc)
    pts = shapely.points(X0 + dx, Y0 + dy)
    contains = shapely.contains(poly, pts)
    far_from_edge = shapely.distance(shapely.boundary(poly), pts) > 1.0
    assert (inside[far_from_edge] == contains[far_from_edge]).all()
    # north of the camera is the sector's left edge: points due east and due north are on the edges
    assert shapely.intersects(poly, shapely.Point(X0 + 50, Y0))
    assert not shapely.intersects(poly, shapely.Point(X0 - 10, Y0 - 10))


def test_camera_sectors_geographic_roundtrip_and_defaults():
    cams = gpd.GeoDataFrame(
        {"heading_deg": [0.0, np.nan, 180.0], "fov_deg": [60.0, 90.0, 360.0], "range_m": [80.0, np.nan, 30.0]},
        geometry=gpd.points_from_xy([128.18, 128.19, 128.20], [-3.69, -3.70, -3.71]),
        crs=WGS84,
        index=[10, 11, 12],
    )
    s = camera_sectors(cams, default_radius_m=40.0)
    assert s.crs == cams.crs and list(s.index) == [10, 11, 12]
    m = s.to_crs(AMBON_UTM)
    assert m.iloc[0].area == pytest.approx(math.pi * 80**2 / 6, rel=0.01)
    assert m.iloc[1].area == pytest.approx(math.pi * 40**2, rel=0.01)  # NaN heading -> circle, NaN range -> default
    assert m.iloc[2].area == pytest.approx(math.pi * 30**2, rel=0.01)  # fov 360 -> circle
    # the first camera looks north: its sector lies north of the camera
    cam0 = cams.to_crs(AMBON_UTM).geometry.iloc[0]
    minx, miny, maxx, maxy = m.iloc[0].bounds
    assert miny == pytest.approx(cam0.y, abs=1e-6) and maxy == pytest.approx(cam0.y + 80, abs=0.5)


def test_camera_sectors_missing_columns_mean_circles():
    cams = gpd.GeoDataFrame(geometry=gpd.points_from_xy([X0], [Y0]), crs=AMBON_UTM)
    s = camera_sectors(cams)
    assert s.iloc[0].area == pytest.approx(math.pi * 50**2, rel=0.01)


def test_camera_sectors_requires_crs():
    with pytest.raises(ValueError):
        camera_sectors(gpd.GeoDataFrame(geometry=gpd.points_from_xy([X0], [Y0])))


def test_zero_range_is_empty():
    poly = sector_polygons([X0], [Y0], [0.0], [90.0], [0.0])[0]
    assert poly.is_empty
