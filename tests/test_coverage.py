import numpy as np
import geopandas as gpd
import pytest
import shapely

from geo.coverage import coverage_matrix, coverage_pairs, covered_mask, line_of_sight_blocked, points_xy
from geo.crs import AMBON_UTM, WGS84

X0, Y0 = 410_000.0, 9_597_000.0


def test_circle_coverage_matrix_exact():
    demand = np.array([[0, 0], [100, 0], [150, 0], [151, 0], [0, -120]], float) + [X0, Y0]
    sites = np.array([[0, 0], [300, 0]], float) + [X0, Y0]
    A = coverage_matrix(demand, sites, 150.0)
    assert A.shape == (5, 2)
    assert A.toarray().tolist() == [[True, False], [True, False], [True, True], [False, True], [True, False]]


def test_per_site_range_and_sectors():
    demand = np.array([[0, 50], [50, 0], [0, -50], [0, 90]], float) + [X0, Y0]
    sites = np.array([[0, 0], [0, 0]], float) + [X0, Y0]
    # site 0 looks north with 60 deg FOV and 100 m; site 1 is a 60 m PTZ (unknown heading)
    A = coverage_matrix(demand, sites, np.array([100.0, 60.0]), heading_deg=np.array([0.0, np.nan]),
                        fov_deg=np.array([60.0, np.nan]))
    assert A.toarray().tolist() == [[True, True], [False, True], [False, True], [True, False]]


def test_nan_coordinates_cover_nothing():
    demand = np.array([[X0, Y0], [np.nan, np.nan]])
    sites = np.array([[X0, Y0], [np.nan, Y0]])
    di, si = coverage_pairs(demand, sites, 10.0)
    assert di.tolist() == [0] and si.tolist() == [0]


def test_obstacle_blocks_line_of_sight():
    # camera at origin, a building between x=40 and x=60 straddling the x axis
    building = shapely.box(X0 + 40, Y0 - 10, X0 + 60, Y0 + 10)
    demand = np.array([[30, 0], [80, 0], [80, 30], [-80, 0]], float) + [X0, Y0]
    sites = np.array([[X0, Y0]])
    A = coverage_matrix(demand, sites, 100.0, obstacles=[building])
    assert A.toarray()[:, 0].tolist() == [True, False, True, True]
    # a hill polygon given as a GeoSeries works the same
    A2 = coverage_matrix(demand, sites, 100.0, obstacles=gpd.GeoSeries([building], crs=AMBON_UTM))
    assert (A2 != A).nnz == 0


def test_obstacle_holding_the_camera_does_not_block_it():
    roof = shapely.box(X0 - 5, Y0 - 5, X0 + 5, Y0 + 5)
    blocked = line_of_sight_blocked(np.array([[X0, Y0]]), np.array([[X0 + 50, Y0]]), [roof])
    assert blocked.tolist() == [False]


def test_covered_mask_and_points_xy_projects_lonlat():
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([128.18, 128.1805], [-3.69, -3.69]), crs=WGS84)
    xy = points_xy(pts)
    assert np.isclose(np.hypot(*(xy[1] - xy[0])), 55.6, atol=1.0)  # 0.0005 deg of longitude near the equator
    assert covered_mask(xy, xy[:1], 50.0).tolist() == [True, False]
    with pytest.raises(ValueError):
        points_xy(gpd.GeoDataFrame(geometry=gpd.points_from_xy([1], [2])))


def test_points_xy_reduces_polygons_to_a_point_inside():
    g = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 10, Y0 + 10), None], crs=AMBON_UTM)
    xy = points_xy(g)
    assert shapely.contains_xy(g.iloc[0], *xy[0]) and np.isnan(xy[1]).all()
