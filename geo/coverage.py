"""Sparse coverage matrices: which demand points each camera (or candidate site) sees.

All coordinates are metres in one metric CRS (UTM 52S, EPSG:32752, for Ambon); use
:func:`points_xy` to get them from a GeoDataFrame. A matrix has one row per demand point and
one column per camera/site (``scipy.sparse.csr_matrix`` of bool). Sites are found by a
``cKDTree`` radius search, then filtered by the sector test (:func:`geo.sectors.in_sector`) and,
when obstacles are given, by line of sight (segments queried against an ``STRtree``).
"""

from __future__ import annotations

import numpy as np
import geopandas as gpd
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree

from geo.crs import AMBON_UTM
from geo.sectors import in_sector, is_full_circle

__all__ = ["points_xy", "coverage_pairs", "coverage_matrix", "covered_mask", "line_of_sight_blocked"]


def points_xy(gdf: gpd.GeoDataFrame | gpd.GeoSeries, crs=AMBON_UTM) -> np.ndarray:
    """(n, 2) float array of point coordinates in metres of ``crs`` (default UTM 52S).

    Non-point geometries are reduced to a representative point; missing/empty ones give NaN.
    """
    g = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    if g.crs is None:
        raise ValueError("geometry has no CRS")
    if g.crs != crs:
        g = g.to_crs(crs)
    arr = np.asarray(g.values, dtype=object)
    if len(arr) == 0:
        return np.empty((0, 2))
    not_pt = (shapely.get_type_id(arr) != 0) & ~shapely.is_missing(arr) & ~shapely.is_empty(arr)
    if not_pt.any():
        arr = arr.copy()
        arr[not_pt] = shapely.point_on_surface(arr[not_pt])
    xy = np.full((len(arr), 2), np.nan)
    ok = ~shapely.is_missing(arr) & ~shapely.is_empty(arr)
    xy[ok, 0] = shapely.get_x(arr[ok])
    xy[ok, 1] = shapely.get_y(arr[ok])
    return xy


def _as_obstacle_array(obstacles):
    if obstacles is None:
        return None
    if isinstance(obstacles, (gpd.GeoDataFrame, gpd.GeoSeries)):
        arr = np.asarray(obstacles.geometry.values if isinstance(obstacles, gpd.GeoDataFrame) else obstacles.values,
                         dtype=object)
    else:
        arr = np.asarray(obstacles, dtype=object)
    arr = arr[~shapely.is_missing(arr) & ~shapely.is_empty(arr)]
    return arr if len(arr) else None


def line_of_sight_blocked(site_xy: np.ndarray, demand_xy: np.ndarray, obstacles) -> np.ndarray:
    """For pairs (site_xy[i], demand_xy[i]) in metres: True where the segment between them
    crosses an obstacle polygon (building footprint, hill mask) in the same metric CRS.

    An obstacle that contains the camera itself (a camera on a roof) does not block that camera.
    A demand point inside an obstacle is blocked (it cannot be seen from outside).
    """
    obs = _as_obstacle_array(obstacles)
    n = len(site_xy)
    if obs is None or n == 0:
        return np.zeros(n, dtype=bool)
    segs = shapely.linestrings(np.stack([site_xy, demand_xy], axis=1))
    tree = shapely.STRtree(obs)
    seg_idx, obs_idx = tree.query(segs, predicate="intersects")
    if len(seg_idx) == 0:
        return np.zeros(n, dtype=bool)
    cams = shapely.points(site_xy[seg_idx])
    shapely.prepare(obs)
    holds_camera = shapely.intersects(obs[obs_idx], cams)
    blocked = np.zeros(n, dtype=bool)
    blocked[seg_idx[~holds_camera]] = True
    return blocked


def coverage_pairs(demand_xy: np.ndarray, site_xy: np.ndarray, range_m, *, heading_deg=None, fov_deg=None,
                   obstacles=None) -> tuple[np.ndarray, np.ndarray]:
    """(demand_index, site_index) pairs where site sees demand point, both int64 arrays.

    ``demand_xy`` (n, 2) and ``site_xy`` (m, 2) in metres of one metric CRS; ``range_m`` scalar or
    (m,) metres; ``heading_deg``/``fov_deg`` None (full circles) or (m,) arrays with NaN for
    unknown (see :mod:`geo.sectors`); ``obstacles`` polygons in the same CRS or None.
    Rows with NaN coordinates cover/are covered by nothing.
    """
    demand_xy = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    site_xy = np.asarray(site_xy, dtype=float).reshape(-1, 2)
    m = len(site_xy)
    rng = np.broadcast_to(np.asarray(range_m, dtype=float), (m,)).copy()
    empty = (np.empty(0, np.int64), np.empty(0, np.int64))
    d_ok = np.flatnonzero(np.isfinite(demand_xy).all(axis=1))
    s_ok = np.flatnonzero(np.isfinite(site_xy).all(axis=1) & np.isfinite(rng) & (rng >= 0))
    if len(d_ok) == 0 or len(s_ok) == 0:
        return empty
    rmax = float(rng[s_ok].max())
    dtree = cKDTree(demand_xy[d_ok])
    stree = cKDTree(site_xy[s_ok])
    # all pairs within the largest range (zero distances included), as arrays: no Python loop
    res = stree.sparse_distance_matrix(dtree, rmax * (1 + 1e-12) + 1e-9, output_type="ndarray")
    si, di = s_ok[res["i"].astype(np.int64)], d_ok[res["j"].astype(np.int64)]
    dist = res["v"]
    keep = dist <= rng[si] * (1 + 1e-12)
    si, di = si[keep], di[keep]
    if heading_deg is not None and fov_deg is not None:
        h = np.broadcast_to(np.asarray(heading_deg, dtype=float), (m,))
        f = np.broadcast_to(np.asarray(fov_deg, dtype=float), (m,))
        sect = ~is_full_circle(h[si], f[si])
        if sect.any():
            d = demand_xy[di[sect]] - site_xy[si[sect]]
            ok = in_sector(d[:, 0], d[:, 1], h[si[sect]], f[si[sect]], rng[si[sect]])
            keep = np.ones(len(si), dtype=bool)
            keep[np.flatnonzero(sect)[~ok]] = False
            si, di = si[keep], di[keep]
    if obstacles is not None and len(si):
        blocked = line_of_sight_blocked(site_xy[si], demand_xy[di], obstacles)
        si, di = si[~blocked], di[~blocked]
    order = np.lexsort((si, di))
    return di[order], si[order]


def coverage_matrix(demand_xy: np.ndarray, site_xy: np.ndarray, range_m, *, heading_deg=None, fov_deg=None,
                    obstacles=None) -> sp.csr_matrix:
    """Boolean coverage matrix A (n demand x m sites, CSR): A[i, j] = site j sees demand i.

    Arguments as in :func:`coverage_pairs` (metres, one metric CRS).
    """
    n = len(np.asarray(demand_xy).reshape(-1, 2))
    m = len(np.asarray(site_xy).reshape(-1, 2))
    di, si = coverage_pairs(demand_xy, site_xy, range_m, heading_deg=heading_deg, fov_deg=fov_deg,
                            obstacles=obstacles)
    return sp.csr_matrix((np.ones(len(di), dtype=bool), (di, si)), shape=(n, m))


def covered_mask(demand_xy: np.ndarray, site_xy: np.ndarray, range_m, **kw) -> np.ndarray:
    """Bool (n,) mask: demand point seen by at least one of the sites (see :func:`coverage_pairs`)."""
    n = len(np.asarray(demand_xy).reshape(-1, 2))
    di, _ = coverage_pairs(demand_xy, site_xy, range_m, **kw)
    out = np.zeros(n, dtype=bool)
    out[di] = True
    return out
