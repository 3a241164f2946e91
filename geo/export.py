"""Recommended sites as a GeoDataFrame, and writers for GeoJSON, GeoPackage and CSV.

The recommendation frame has one row per chosen site, in rank order, in WGS 84 (EPSG:4326):
``rank`` (1 = best), ``candidate_index`` (0-based row in the candidate layer),
``marginal_weight`` (demand weight it newly covers, in the weight units of the demand); the reasons in
words are added by the caller (:func:`i18n.reasons.site_reasons`). :func:`recommendation_sectors` gives the proposed view
sectors (polygons) for the map.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import geopandas as gpd

from geo.crs import AMBON_UTM, WGS84
from geo.sectors import sector_polygons

__all__ = ["recommendation_frame", "recommendation_sectors", "to_geojson", "to_geopackage", "to_csv", "write_any"]


def recommendation_frame(candidates: gpd.GeoDataFrame, result, *, keep_columns: list[str] | None = None) -> gpd.GeoDataFrame:
    """Chosen candidates of an :class:`geo.mclp.MCLPResult` as WGS 84 points in rank order.

    ``candidates``: the layer the solver's column indices refer to (row positions, 0-based).
    ``keep_columns`` copies candidate attributes (e.g. a pole id).
    """
    sel = np.asarray(result.selected, dtype=np.int64)
    pts = candidates.geometry.iloc[sel]
    data = {
        "rank": np.arange(1, len(sel) + 1),
        "candidate_index": sel,
        "marginal_weight": np.asarray(result.marginal_weight, float),
    }
    for c in keep_columns or []:
        data[c] = candidates[c].iloc[sel].to_numpy()
    out = gpd.GeoDataFrame(data, geometry=pts.values, crs=candidates.crs)
    return out.to_crs(WGS84) if out.crs is not None and out.crs != WGS84 else out


def recommendation_sectors(sites: gpd.GeoDataFrame, radius_m: float, *, heading_deg=None,
                           fov_deg=None) -> gpd.GeoDataFrame:
    """Proposed view sectors of recommended sites (polygons, WGS 84): full circles of
    ``radius_m`` metres (a PTZ camera) unless per-site ``heading_deg``/``fov_deg`` are given."""
    g = sites.to_crs(AMBON_UTM)
    n = len(g)
    h = np.full(n, np.nan) if heading_deg is None else np.asarray(heading_deg, float)
    f = np.full(n, np.nan) if fov_deg is None else np.asarray(fov_deg, float)
    polys = sector_polygons(g.geometry.x.to_numpy(), g.geometry.y.to_numpy(), h, f, np.full(n, float(radius_m)))
    out = gpd.GeoDataFrame(sites.drop(columns=sites.geometry.name), geometry=polys, crs=AMBON_UTM)
    return out.to_crs(WGS84)


def to_geojson(gdf: gpd.GeoDataFrame, path) -> Path:
    """Write WGS 84 GeoJSON (an empty frame gives an empty FeatureCollection)."""
    path = Path(path)
    g = gdf.to_crs(WGS84) if gdf.crs is not None and gdf.crs != WGS84 else gdf
    path.write_text(g.to_json(drop_id=True, to_wgs84=False), encoding="utf-8")
    return path


def to_geopackage(gdf: gpd.GeoDataFrame, path, layer: str = "recommended_sites") -> Path:
    """Write one layer of a GeoPackage (WGS 84), replacing that layer if it exists."""
    path = Path(path)
    g = gdf.to_crs(WGS84) if gdf.crs is not None and gdf.crs != WGS84 else gdf
    g.to_file(path, layer=layer, driver="GPKG")
    return path


def to_csv(gdf: gpd.GeoDataFrame, path) -> Path:
    """Write CSV with ``lon``/``lat`` columns (WGS 84 degrees; polygons: a point inside)."""
    path = Path(path)
    g = gdf.to_crs(WGS84) if gdf.crs is not None and gdf.crs != WGS84 else gdf
    pts = g.geometry.representative_point()
    df = pd.DataFrame(g.drop(columns=g.geometry.name))
    df["lon"], df["lat"] = pts.x.round(7).to_numpy(), pts.y.round(7).to_numpy()
    df.to_csv(path, index=False)
    return path


def write_any(gdf: gpd.GeoDataFrame, path) -> Path:
    """Write by extension: .gpkg -> GeoPackage, .csv -> CSV, anything else -> GeoJSON."""
    suffix = Path(path).suffix.lower()
    if suffix == ".gpkg":
        return to_geopackage(gdf, path)
    if suffix == ".csv":
        return to_csv(gdf, path)
    return to_geojson(gdf, path)
