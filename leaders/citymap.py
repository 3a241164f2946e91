"""The city map of the board and the report, drawn without a map library: kecamatan polygons in
page coordinates, coloured by a figure, with the classes for a legend. Coordinates come in WGS84
(EPSG:4326) and are projected to UTM 52S (EPSG:32752, metres) before scaling to the box."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from shapely.geometry import MultiPolygon, Polygon

PALETTE = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")
"""Light to dark: few to many."""
NO_DATA = "#d9d9d9"


@dataclass(frozen=True)
class Area:
    name: str
    value: float | None
    colour: str
    rings: list[list[tuple[float, float]]]
    """Outer rings in the box's coordinates (x right, y down)."""


def classes(values: list[float], n: int = len(PALETTE)) -> list[float]:
    """Upper bounds of `n` equal-width classes from 0 to the largest value (at least 1)."""
    top = max([v for v in values if v is not None] + [1.0])
    return [top * (i + 1) / n for i in range(n)]


def colour_of(value: float | None, bounds: list[float]) -> str:
    if value is None:
        return NO_DATA
    for bound, colour in zip(bounds, PALETTE):
        if value <= bound:
            return colour
    return PALETTE[-1]


def areas_in_box(frame: gpd.GeoDataFrame, values: dict[str, float], width: float, height: float,
                 margin: float = 4.0) -> tuple[list[Area], list[float]]:
    """Each row of `frame` (columns code, name, geometry in EPSG:4326) as an Area scaled into a
    width × height box keeping the aspect ratio; `values` by code (missing: no data). Returns the
    areas and the legend's class bounds."""
    if frame.empty:
        return [], classes([])
    projected = frame.set_crs(4326, allow_override=True).to_crs(32752) if frame.crs is None or frame.crs.to_epsg() != 32752 else frame
    minx, miny, maxx, maxy = projected.total_bounds
    scale = min((width - 2 * margin) / max(maxx - minx, 1.0), (height - 2 * margin) / max(maxy - miny, 1.0))
    bounds = classes(list(values.values()))
    areas = []
    for record, geometry in zip(frame.itertuples(index=False), projected.geometry):
        parts = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry] if isinstance(geometry, Polygon) else []
        rings = []
        for part in parts:
            xy = np.asarray(part.simplify(20).exterior.coords)
            rings.append([(margin + (x - minx) * scale, margin + (maxy - y) * scale) for x, y in xy])
        value = values.get(record.code)
        areas.append(Area(record.name, value, colour_of(value, bounds), rings))
    return areas, bounds


def svg(areas: list[Area], width: float, height: float, title: str) -> str:
    """The areas as an SVG document (no script), each with its name and value as a tooltip."""
    from xml.sax.saxutils import escape, quoteattr

    paths = []
    for area in areas:
        d = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + " Z" for ring in area.rings)
        label = f"{area.name}: {'-' if area.value is None else int(area.value)}"
        paths.append(f'<path d="{d}" fill="{area.colour}" stroke="#333" stroke-width="0.8"><title>{escape(label)}</title></path>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label={quoteattr(title)}>'
            f"<title>{escape(title)}</title>{''.join(paths)}</svg>")
