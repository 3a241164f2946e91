"""Camera view sectors: geometry and the array-level point-in-sector test.

Conventions used everywhere in ``geo``:

* headings are compass bearings in degrees: 0 = north, 90 = east, clockwise;
* a camera's field of view (FOV) is centred on its heading;
* distances are metres in a metric CRS (:data:`geo.crs.AMBON_UTM` for Ambon);
* a camera whose heading or FOV is unknown (NaN), or whose FOV is >= 360 degrees,
  sees a full circle (a PTZ camera); an unknown range falls back to a default radius.

The polygon builder is for display and export; coverage tests never need polygons:
:func:`in_sector` decides with distances and bearings on numpy arrays.
"""

from __future__ import annotations

import numpy as np
import geopandas as gpd
import shapely

from geo.crs import AMBON_UTM

__all__ = [
    "bearing_deg",
    "is_full_circle",
    "in_sector",
    "sector_polygons",
    "camera_sectors",
    "camera_arrays",
]


def bearing_deg(dx, dy):
    """Compass bearing in degrees [0, 360) of the vector (dx east, dy north), metres.

    0 = north, 90 = east (clockwise). A zero vector has bearing 0.
    """
    return np.mod(np.degrees(np.arctan2(dx, dy)), 360.0)


def is_full_circle(heading_deg, fov_deg):
    """True where a camera sees all around: NaN heading or FOV, or FOV >= 360 degrees."""
    heading_deg = np.asarray(heading_deg, dtype=float)
    fov_deg = np.asarray(fov_deg, dtype=float)
    return np.isnan(heading_deg) | np.isnan(fov_deg) | (fov_deg >= 360.0)


def in_sector(dx, dy, heading_deg, fov_deg, range_m):
    """Vectorised test: does a point at offset (dx, dy) metres from a camera lie in its sector?

    All arguments broadcast together (numpy arrays or scalars): ``dx``/``dy`` are the point's
    east/north offsets from the camera in metres, ``heading_deg`` the compass heading
    (0 = north, clockwise), ``fov_deg`` the full opening angle, ``range_m`` the radius in metres.
    NaN heading or FOV, or FOV >= 360, means a full circle. The boundary is included; the
    camera's own position is always covered when range >= 0.
    """
    dx = np.asarray(dx, dtype=float)
    dy = np.asarray(dy, dtype=float)
    range_m = np.asarray(range_m, dtype=float)
    within = dx * dx + dy * dy <= range_m * range_m * (1.0 + 1e-12)
    full = is_full_circle(heading_deg, fov_deg)
    # signed angular difference in (-180, 180]
    diff = np.mod(bearing_deg(dx, dy) - np.nan_to_num(np.asarray(heading_deg, dtype=float)) + 180.0, 360.0) - 180.0
    half = 0.5 * np.nan_to_num(np.asarray(fov_deg, dtype=float), nan=360.0)
    in_angle = np.abs(diff) <= half + 1e-9
    at_camera = (dx == 0) & (dy == 0)
    return within & (full | in_angle | at_camera)


def sector_polygons(x, y, heading_deg, fov_deg, range_m, *, arc_points: int = 32):
    """Sector polygons (shapely array) for cameras at ``x``, ``y`` in a metric CRS (metres).

    ``heading_deg``/``fov_deg``/``range_m`` are arrays of the same length (see :func:`in_sector`
    for conventions); NaN heading or FOV, or FOV >= 360, gives a circle of ``range_m``.
    ``arc_points`` is the number of vertices on each arc (circles get twice as many).
    A non-positive or NaN range gives an empty polygon.
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    n = x.size
    heading = np.broadcast_to(np.asarray(heading_deg, dtype=float), (n,))
    fov = np.broadcast_to(np.asarray(fov_deg, dtype=float), (n,))
    rng = np.broadcast_to(np.asarray(range_m, dtype=float), (n,))
    out = np.full(n, shapely.Polygon(), dtype=object)
    valid = np.isfinite(x) & np.isfinite(y) & np.isfinite(rng) & (rng > 0)
    full = is_full_circle(heading, fov) & valid
    part = ~is_full_circle(heading, fov) & valid & (fov > 0)

    if full.any():
        k = 2 * arc_points
        ang = np.linspace(0.0, 2 * np.pi, k, endpoint=False)
        r = rng[full][:, None]
        ring = np.stack([x[full][:, None] + r * np.sin(ang), y[full][:, None] + r * np.cos(ang)], axis=-1)
        ring = np.concatenate([ring, ring[:, :1]], axis=1)
        out[full] = shapely.polygons(ring)
    if part.any():
        t = np.linspace(-0.5, 0.5, arc_points)
        ang = np.radians(heading[part][:, None] + fov[part][:, None] * t)  # compass angles
        r = rng[part][:, None]
        cx, cy = x[part][:, None], y[part][:, None]
        arc = np.stack([cx + r * np.sin(ang), cy + r * np.cos(ang)], axis=-1)
        centre = np.stack([cx, cy], axis=-1)
        ring = np.concatenate([centre, arc, centre], axis=1)
        out[part] = shapely.polygons(ring)
    return out


def _column(gdf, name, n):
    if name and name in gdf.columns:
        return gdf[name].to_numpy(dtype=float, na_value=np.nan)
    return np.full(n, np.nan)


def camera_arrays(cameras: gpd.GeoDataFrame, *, heading_col="heading_deg", fov_col="fov_deg",
                  range_col="range_m", default_radius_m=50.0, crs=AMBON_UTM):
    """Camera positions and view parameters as numpy arrays in a metric CRS.

    Returns ``(x, y, heading_deg, fov_deg, range_m)``; x/y in metres of ``crs`` (the input's
    own CRS when it is already projected, else ``crs``, default UTM 52S). Missing columns
    mean unknown values (full circle); NaN range becomes ``default_radius_m``.
    Non-point geometries are reduced to their representative point.
    """
    if cameras.crs is None:
        raise ValueError("cameras have no CRS")
    g = cameras.geometry
    if g.crs.is_geographic:
        g = g.to_crs(crs)
    pts = g.values
    not_pt = shapely.get_type_id(pts) != 0
    if not_pt.any():
        pts = pts.copy()
        pts[not_pt] = shapely.point_on_surface(pts[not_pt])
    n = len(cameras)
    x = shapely.get_x(pts) if n else np.empty(0)
    y = shapely.get_y(pts) if n else np.empty(0)
    rng = _column(cameras, range_col, n)
    rng = np.where(np.isnan(rng), float(default_radius_m), rng)
    return (np.asarray(x, float), np.asarray(y, float), _column(cameras, heading_col, n),
            _column(cameras, fov_col, n), rng)


def camera_sectors(cameras: gpd.GeoDataFrame, *, heading_col: str = "heading_deg", fov_col: str = "fov_deg",
                   range_col: str = "range_m", default_radius_m: float = 50.0,
                   arc_points: int = 32) -> gpd.GeoSeries:
    """View sectors of point cameras, as polygons in the cameras' own CRS.

    ``cameras``: GeoDataFrame of points with a CRS. Columns (optional, may hold NaN):
    ``heading_col`` compass heading in degrees (0 = north, clockwise), ``fov_col`` field of
    view in degrees, ``range_col`` range in metres. Unknown heading/FOV or FOV >= 360 gives a
    full circle; unknown range gives ``default_radius_m`` metres. Geographic input is
    projected to UTM 52S (EPSG:32752) to build the sectors in metres and projected back.
    The result keeps the input's index.
    """
    if cameras.crs is None:
        raise ValueError("cameras have no CRS")
    metric = cameras.crs if not cameras.crs.is_geographic else AMBON_UTM
    x, y, h, f, r = camera_arrays(cameras, heading_col=heading_col, fov_col=fov_col, range_col=range_col,
                                  default_radius_m=default_radius_m, crs=metric)
    polys = sector_polygons(x, y, h, f, r, arc_points=arc_points)
    out = gpd.GeoSeries(polys, index=cameras.index, crs=metric)
    if metric != cameras.crs:
        out = out.to_crs(cameras.crs)
    return out
