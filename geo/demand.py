"""Weighted demand points: what cameras should watch, built from the map's own layers.

Every builder returns a GeoDataFrame of points in UTM 52S (EPSG:32752, metres) with the
demand columns:

* ``weight``   float, the planner's weight of that point (>= 0);
* ``layer``    the source layer ("road", "complaint", "tps", "flood", "business", or any name);
* ``kind``     road class / complaint category / other sub-type (str, may be "");
* ``name``     a name for reasons in words (road name, site name; may be "");
* ``length_m`` metres of line this point stands for (0 for point demand);
* ``area_m2``  square metres of polygon this point stands for (0 otherwise).

Weights of lines are per 100 m of line, of polygons per hectare, of points per point, so a
weight table reads naturally ("primary road: 3 per 100 m, crime complaint: 3, TPS site: 4").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import geopandas as gpd
import shapely

from geo.crs import AMBON_UTM

__all__ = [
    "DEMAND_COLUMNS",
    "DEFAULT_ROAD_WEIGHTS",
    "sample_lines",
    "sample_line_points",
    "weighted_points",
    "sample_polygons",
    "combine_demand",
]

DEMAND_COLUMNS = ["weight", "layer", "kind", "name", "length_m", "area_m2"]

DEFAULT_ROAD_WEIGHTS = {
    "motorway": 3.0, "trunk": 3.0, "primary": 3.0, "secondary": 2.0, "tertiary": 1.5,
    "residential": 1.0, "unclassified": 1.0, "living_street": 1.0, "service": 0.5,
    "pedestrian": 1.0, "footway": 0.3, "path": 0.2, "track": 0.2, "steps": 0.2,
}
"""Weight per 100 m of road by OSM ``highway`` class (``*_link`` roads use their class)."""


def _metric(gdf: gpd.GeoDataFrame | gpd.GeoSeries, crs=AMBON_UTM):
    if gdf.crs is None:
        raise ValueError("layer has no CRS")
    return gdf.to_crs(crs) if gdf.crs != crs else gdf


def _text(gdf, col, n):
    if col and col in gdf.columns:
        return gdf[col].astype(object).where(gdf[col].notna(), "").astype(str).to_numpy()
    return np.full(n, "", dtype=object)


def _frame(points, weight, layer, kind, name, length_m=0.0, area_m2=0.0, crs=AMBON_UTM):
    n = len(points)
    return gpd.GeoDataFrame(
        {
            "weight": np.broadcast_to(np.asarray(weight, float), (n,)).copy(),
            "layer": np.broadcast_to(np.asarray(layer, dtype=object), (n,)).copy(),
            "kind": np.broadcast_to(np.asarray(kind, dtype=object), (n,)).copy(),
            "name": np.broadcast_to(np.asarray(name, dtype=object), (n,)).copy(),
            "length_m": np.broadcast_to(np.asarray(length_m, float), (n,)).copy(),
            "area_m2": np.broadcast_to(np.asarray(area_m2, float), (n,)).copy(),
        },
        geometry=gpd.GeoSeries(points, crs=crs).values,
        crs=crs,
    )


def _weights_for(kinds: np.ndarray, table: dict | None, default: float, strip_link: bool = False) -> np.ndarray:
    keys = pd.Series(kinds, dtype=object).astype(str).str.lower()
    if strip_link:
        keys = keys.str.replace(r"_link$", "", regex=True)
    table = {str(k).lower(): float(v) for k, v in (table or {}).items()}
    return keys.map(table).fillna(float(default)).to_numpy(dtype=float)


def sample_line_points(lines, spacing_m: float):
    """Points every ~``spacing_m`` metres along lines (shapely array in a metric CRS).

    Each part of length L gets ``max(1, round(L / spacing_m))`` points at the middles of equal
    pieces. Returns ``(points, source_index, piece_length_m)``: the points, the index of the line
    each came from, and the metres of line each stands for (they add up to the line length).
    """
    lines = np.asarray(lines, dtype=object)
    if spacing_m <= 0:
        raise ValueError("spacing_m must be positive")
    ok = ~shapely.is_missing(lines) & ~shapely.is_empty(lines)
    parts, src = shapely.get_parts(lines[ok], return_index=True)
    src = np.flatnonzero(ok)[src]
    lin = np.isin(shapely.get_type_id(parts), [1, 2])  # LineString, LinearRing
    parts, src = parts[lin], src[lin]
    length = shapely.length(parts)
    count = np.maximum(1, np.rint(length / spacing_m)).astype(np.int64)
    piece = length / count
    rep = np.repeat(np.arange(len(parts)), count)
    within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    dist = (within + 0.5) * piece[rep]
    pts = shapely.line_interpolate_point(parts[rep], dist)
    return pts, src[rep], piece[rep]


def sample_lines(lines: gpd.GeoDataFrame, *, spacing_m: float = 25.0, class_col: str | None = "highway",
                 name_col: str | None = "name", weights: dict | None = None, default_weight: float = 1.0,
                 layer: str = "road") -> gpd.GeoDataFrame:
    """Demand points sampled every ~``spacing_m`` metres along lines (roads, river banks).

    ``weights`` maps the value of ``class_col`` (e.g. OSM ``highway``) to a weight per 100 m
    (default :data:`DEFAULT_ROAD_WEIGHTS` for layer "road"; ``*_link`` uses its class);
    unknown classes get ``default_weight``. Each point's ``weight`` = class weight x
    ``length_m`` / 100. Output in UTM 52S.
    """
    g = _metric(lines)
    if weights is None and layer == "road":
        weights = DEFAULT_ROAD_WEIGHTS
    pts, src, piece = sample_line_points(g.geometry.values, spacing_m)
    n = len(g)
    kinds = _text(g, class_col, n)
    per100 = _weights_for(kinds, weights, default_weight, strip_link=True)
    names = _text(g, name_col, n)
    return _frame(pts, per100[src] * piece / 100.0, layer, kinds[src], names[src], length_m=piece)


def weighted_points(points: gpd.GeoDataFrame, *, layer: str, category_col: str | None = None,
                    weights: dict | None = None, default_weight: float = 1.0, weight_col: str | None = None,
                    name_col: str | None = None) -> gpd.GeoDataFrame:
    """Point demand (complaints, TPS sites, businesses, uploaded points) with per-category weights.

    Weight of a point = ``weights[category]`` (``default_weight`` when unknown or no category),
    multiplied by the point's own ``weight_col`` value when given (e.g. a business's visitors).
    Non-point geometries are reduced to a point inside them. Rows without geometry are dropped.
    Output in UTM 52S.
    """
    g = _metric(points)
    g = g[~g.geometry.is_empty & g.geometry.notna()]
    n = len(g)
    geom = g.geometry.values
    arr = np.asarray(geom, dtype=object)
    not_pt = shapely.get_type_id(arr) != 0
    if not_pt.any():
        arr = arr.copy()
        arr[not_pt] = shapely.point_on_surface(arr[not_pt])
    kinds = _text(g, category_col, n)
    w = _weights_for(kinds, weights, default_weight)
    if weight_col:
        w = w * g[weight_col].to_numpy(dtype=float, na_value=0.0)
    return _frame(arr, w, layer, kinds, _text(g, name_col, n))


def sample_polygons(polygons: gpd.GeoDataFrame, *, layer: str, spacing_m: float = 50.0,
                    weight_per_ha: float = 1.0, weight_col: str | None = None, kind_col: str | None = None,
                    name_col: str | None = None) -> gpd.GeoDataFrame:
    """Demand points on a ``spacing_m`` metre grid inside polygons (flood zones, markets, uploads).

    Each polygon's weight is ``weight_per_ha`` (or its ``weight_col`` value, per hectare) times
    its area in hectares, split equally over its grid points; a polygon too small to hold a grid
    point gets one point inside it. Output in UTM 52S.
    """
    g = _metric(polygons)
    g = g[g.geometry.notna() & ~g.geometry.is_empty]
    n = len(g)
    geoms = np.asarray(g.geometry.values, dtype=object)
    area = shapely.area(geoms)
    if n == 0:
        return _frame(np.empty(0, dtype=object), 0.0, layer, "", "")
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    xs = np.arange(np.floor(minx / spacing_m) * spacing_m + spacing_m / 2, maxx, spacing_m)
    ys = np.arange(np.floor(miny / spacing_m) * spacing_m + spacing_m / 2, maxy, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    grid = shapely.points(gx.ravel(), gy.ravel())
    tree = shapely.STRtree(grid)
    poly_idx, pt_idx = tree.query(geoms, predicate="contains")
    empty = np.setdiff1d(np.arange(n), poly_idx)
    pts = np.concatenate([grid[pt_idx], shapely.point_on_surface(geoms[empty])])
    src = np.concatenate([poly_idx, empty])
    per_ha = (g[weight_col].to_numpy(dtype=float, na_value=0.0) if weight_col
              else np.full(n, float(weight_per_ha)))
    count = np.bincount(src, minlength=n)
    share = area[src] / count[src]
    return _frame(pts, per_ha[src] * share / 10_000.0, layer, _text(g, kind_col, n)[src],
                  _text(g, name_col, n)[src], area_m2=share)


def combine_demand(*layers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Concatenate demand layers (already built by the functions above) into one frame,
    in UTM 52S, index 0..n-1 (the row numbers of the coverage matrix)."""
    frames = [_metric(f) for f in layers if f is not None and len(f)]
    if not frames:
        return _frame(np.empty(0, dtype=object), 0.0, "", "", "")
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=AMBON_UTM)
