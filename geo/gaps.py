"""The gap view: which demand today's cameras cover, totals per layer and per area.

Inputs are demand frames from :mod:`geo.demand` (points with ``weight``, ``layer``, ``kind``,
``length_m``, ``area_m2``) and a boolean ``covered`` mask per demand row (from
:func:`demand_covered`). Areas (kecamatan, desa, hex grid) are polygons in any CRS.
Percentages are 0-100 (NaN where the total is 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import geopandas as gpd
import shapely

from geo.boundaries import smallest_containing
from geo.coverage import covered_mask, points_xy
from geo.crs import AMBON_UTM
from geo.sectors import camera_arrays

__all__ = ["demand_covered", "gap_by_layer", "gap_by_area", "area_assignment", "hex_grid"]


def demand_covered(demand: gpd.GeoDataFrame, cameras: gpd.GeoDataFrame, *, default_radius_m: float = 50.0,
                   obstacles=None, heading_col="heading_deg", fov_col="fov_deg", range_col="range_m") -> np.ndarray:
    """Bool mask (one per demand row): seen by at least one camera's sector.

    Cameras and obstacles in any CRS (projected to UTM 52S); camera columns as in
    :func:`geo.sectors.camera_sectors`.
    """
    if len(demand) == 0:
        return np.zeros(0, dtype=bool)
    if cameras is None or len(cameras) == 0:
        return np.zeros(len(demand), dtype=bool)
    x, y, h, f, r = camera_arrays(cameras, heading_col=heading_col, fov_col=fov_col, range_col=range_col,
                                  default_radius_m=default_radius_m)
    obs = None
    if obstacles is not None and len(obstacles):
        obs = (obstacles.to_crs(AMBON_UTM) if obstacles.crs != AMBON_UTM else obstacles).geometry.values
    return covered_mask(points_xy(demand), np.c_[x, y], r, heading_deg=h, fov_deg=f, obstacles=obs)


def _totals(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    d = df.assign(
        count=1,
        covered_count=df["_cov"].astype(int),
        covered_weight=df["weight"] * df["_cov"],
        covered_length_m=df["length_m"] * df["_cov"],
        covered_area_m2=df["area_m2"] * df["_cov"],
    ).rename(columns={"weight": "total_weight", "length_m": "total_length_m", "area_m2": "total_area_m2"})
    cols = ["count", "covered_count", "total_weight", "covered_weight", "total_length_m", "covered_length_m",
            "total_area_m2", "covered_area_m2"]
    out = d.groupby(by, dropna=False, sort=True)[cols].sum().reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pct_weight"] = 100.0 * out["covered_weight"] / out["total_weight"].replace(0, np.nan)
        out["pct_count"] = 100.0 * out["covered_count"] / out["count"].replace(0, np.nan)
        out["pct_length"] = 100.0 * out["covered_length_m"] / out["total_length_m"].replace(0, np.nan)
    return out


def gap_by_layer(demand: pd.DataFrame, covered: np.ndarray, *, by_kind: bool = True) -> pd.DataFrame:
    """Covered and total weight, count, metres and square metres per layer (and kind).

    One row per ``layer`` (and ``kind`` when ``by_kind``) with ``count``, ``covered_count``,
    ``total_weight``, ``covered_weight``, ``total_length_m``, ``covered_length_m``,
    ``total_area_m2``, ``covered_area_m2`` and percentages ``pct_weight``, ``pct_count``,
    ``pct_length`` (0-100).
    """
    df = pd.DataFrame(demand.drop(columns="geometry", errors="ignore")).copy()
    df["_cov"] = np.asarray(covered, dtype=bool)
    return _totals(df, ["layer", "kind"] if by_kind else ["layer"])


def area_assignment(demand: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(demand positions, area positions): each demand point in the smallest area containing it
    (:func:`geo.boundaries.smallest_containing`; points outside every area are left out)."""
    if areas.crs is None:
        raise ValueError("areas have no CRS")
    a_metric = areas.to_crs(AMBON_UTM) if areas.crs != AMBON_UTM else areas
    return smallest_containing(shapely.points(points_xy(demand)), np.asarray(a_metric.geometry.values, dtype=object))


def gap_by_area(demand: gpd.GeoDataFrame, covered: np.ndarray, areas: gpd.GeoDataFrame, *,
                name_col: str | None = None, by_layer: bool = False,
                assignment: tuple[np.ndarray, np.ndarray] | None = None) -> gpd.GeoDataFrame:
    """Gap totals per area polygon (kecamatan, desa, hex cell): the areas with the columns of
    :func:`gap_by_layer` added (per layer too when ``by_layer``; then one row per area and layer).

    Areas keep their CRS and index; a demand point is counted in the smallest area containing it
    (``assignment``: :func:`area_assignment`'s answer when already known; points outside every area
    are left out). Areas without demand get zero totals.
    """
    pi, ai = area_assignment(demand, areas) if assignment is None else assignment
    df = pd.DataFrame(demand.drop(columns="geometry")).iloc[pi].copy()
    df["_cov"] = np.asarray(covered, dtype=bool)[pi]
    df["_area"] = ai
    by = ["_area", "layer"] if by_layer else ["_area"]
    tot = _totals(df, by)
    base = pd.DataFrame({"_area": np.arange(len(areas))})
    tot = base.merge(tot, on="_area", how="left")
    if not by_layer:
        num = [c for c in tot.columns if c not in ("_area", "pct_weight", "pct_count", "pct_length")]
        tot[num] = tot[num].fillna(0)
    out = areas.reset_index().iloc[tot["_area"].to_numpy()].reset_index(drop=True)
    tot = tot.drop(columns="_area").reset_index(drop=True)
    keep = [c for c in out.columns if c not in tot.columns]
    if name_col:
        out = out.rename(columns={name_col: "area_name"})
        keep = [("area_name" if c == name_col else c) for c in keep]
    return gpd.GeoDataFrame(pd.concat([out[keep], tot], axis=1), geometry=areas.geometry.name, crs=areas.crs)


def hex_grid(bounds, size_m: float, crs=AMBON_UTM) -> gpd.GeoDataFrame:
    """Flat-topped hexagons of circumradius ``size_m`` metres tiling ``bounds``
    (minx, miny, maxx, maxy in metres of the metric ``crs``). Columns: ``hex_id``, geometry."""
    minx, miny, maxx, maxy = bounds
    r = float(size_m)
    dx, dy = 1.5 * r, np.sqrt(3) * r
    cols = np.arange(-1, int(np.ceil((maxx - minx) / dx)) + 2)
    rows = np.arange(-1, int(np.ceil((maxy - miny) / dy)) + 2)
    ci, ri = np.meshgrid(cols, rows)
    cx = minx + ci.ravel() * dx
    cy = miny + ri.ravel() * dy + np.where(np.abs(ci.ravel()) % 2 == 1, dy / 2, 0.0)
    ang = np.radians(np.arange(0, 360, 60))
    ring = np.stack([cx[:, None] + r * np.cos(ang), cy[:, None] + r * np.sin(ang)], axis=-1)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    hexes = shapely.polygons(ring)
    keep = shapely.intersects(hexes, shapely.box(minx, miny, maxx, maxy))
    return gpd.GeoDataFrame({"hex_id": np.arange(keep.sum())}, geometry=hexes[keep], crs=crs)
