"""A city's road network from any line layer: OSM classes normalised, grouped for planners and the
map legend, and everything that is not a road line refused with a reason.

Planners weigh five groups, not OSM's twenty-odd classes: :data:`ROAD_GROUPS` maps each group to
the OSM ``highway`` values in it; any other value (and a road without a class) is "minor".
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import AMBON_UTM, WGS84

ROAD_GROUPS = {
    "primary": ("motorway", "trunk", "primary"),
    "secondary": ("secondary",),
    "tertiary": ("tertiary",),
    "local": ("residential", "unclassified", "living_street", "pedestrian", "road"),
    "minor": ("service", "track", "path", "footway", "cycleway", "steps", "bridleway", "corridor"),
}
"""Road groups, major first, with the OSM ``highway`` classes in each."""
GROUP_OF_CLASS = {cls: group for group, classes in ROAD_GROUPS.items() for cls in classes}
OTHER_GROUP = "minor"
UNKNOWN_CLASS = "road"
"""The class of a line that has none (OSM's own word for an unknown road)."""
NOT_BUILT = {"proposed", "construction", "abandoned", "disused", "razed", "platform", "raceway"}
"""OSM ``highway`` values that are not roads a camera could watch."""
CLASS_COLUMNS = ("highway", "fclass", "class", "kelas", "jenis")
"""Where a file keeps the road class: OSM exports ("highway"), Geofabrik shapefiles ("fclass"), local data."""
NAME_COLUMNS = ("name", "nama", "nama_jalan")
MAX_NAME = 200
OSM_CREDIT = "© OpenStreetMap contributors"
OSM_COLUMNS = {"highway", "osm_id", "fclass"}
"""Columns only OpenStreetMap exports carry: their roads must credit OSM (ODbL)."""


class NoRoads(ValueError):
    """The layer holds no road lines (only points or polygons, or only roads not built yet)."""


def road_class(values: pd.Series) -> pd.Series:
    """OSM ``highway`` values in lower case, ``*_link`` as its class, blank as "road"."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip().str.lower()
    text = text.str.replace(r"_link$", "", regex=True)
    return text.where(text != "", UNKNOWN_CLASS)


def road_group(classes: pd.Series) -> pd.Series:
    """The planner's group (:data:`ROAD_GROUPS`) of each normalised class."""
    return classes.map(GROUP_OF_CLASS).fillna(OTHER_GROUP)


def _column(layer: gpd.GeoDataFrame, names: tuple[str, ...]) -> pd.Series | None:
    by_lower = {str(c).lower(): c for c in layer.columns if c != layer.geometry.name}
    found = next((by_lower[n] for n in names if n in by_lower), None)
    return layer[found] if found is not None else None


def default_source(layer: gpd.GeoDataFrame) -> str | None:
    """The credit a layer needs when none is given: OpenStreetMap's for an OSM export."""
    return OSM_CREDIT if OSM_COLUMNS & {str(c).lower() for c in layer.columns} else None


def normalise_roads(layer: gpd.GeoDataFrame, source: str | None = None) -> gpd.GeoDataFrame:
    """The road lines of ``layer`` (any CRS) as ``name``, ``highway``, ``source`` and geometry in WGS 84.

    Points and polygons are dropped, as are roads not built (:data:`NOT_BUILT`); blank names
    become None; a blank ``source`` becomes :func:`default_source`. Raises :class:`NoRoads` when
    no line is left.
    """
    source = (source or "").strip()[:MAX_NAME] or default_source(layer)
    kinds = layer.geometry.geom_type.fillna("")
    lines = layer[kinds.isin(["LineString", "MultiLineString"]) & ~layer.geometry.is_empty]
    classes = _column(lines, CLASS_COLUMNS)
    classes = road_class(classes) if classes is not None else pd.Series(UNKNOWN_CLASS, index=lines.index)
    built = ~classes.isin(NOT_BUILT)
    lines, classes = lines[built], classes[built]
    if len(lines) == 0:
        raise NoRoads("the layer has no road lines")
    names = _column(lines, NAME_COLUMNS)
    if names is None:
        names = pd.Series(None, index=lines.index, dtype=object)
    names = names.astype(object).where(names.notna(), "").astype(str).str.strip().str.slice(0, MAX_NAME)
    return gpd.GeoDataFrame(
        {"name": names.where(names != "", None).to_numpy(), "highway": classes.to_numpy(),
         "source": np.full(len(lines), source, dtype=object)},
        geometry=lines.geometry.to_crs(WGS84).to_numpy(), crs=WGS84,
    ).reset_index(drop=True)


def length_km_by_group(roads: gpd.GeoDataFrame) -> dict[str, float]:
    """Kilometres of road per group, major first (groups without roads left out)."""
    km = roads.geometry.to_crs(AMBON_UTM).length.groupby(road_group(roads["highway"]).to_numpy()).sum() / 1000.0
    return {group: float(km[group]) for group in ROAD_GROUPS if group in km.index}
