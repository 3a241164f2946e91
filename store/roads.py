"""The city's road network in the store: replaced whole from an imported layer, read back for the
map and the coverage analysis, summarised for the admin page.

Command line, for loading a city's road file (an OpenStreetMap export, a zipped Shapefile, ...)
into the database the app uses (DATABASE_URL, as the app reads it):

    python -m store.roads FILE [--source "© OpenStreetMap contributors"]

Bad input exits with status 2 and one line on standard error; the roads already stored stay.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import geopandas as gpd
from sqlalchemy import Engine, func, select

from geo.roads import NoRoads, length_km_by_group, normalise_roads
from store.importing import import_file
from store.layers import BBox, read_features, replace_features
from store.models import Road


@dataclass(frozen=True)
class RoadSummary:
    """What the store holds: segments, kilometres per road group (major first) and the credits."""

    segments: int
    km_by_group: dict[str, float]
    sources: tuple[str, ...]

    @property
    def total_km(self) -> float:
        return sum(self.km_by_group.values())


def import_roads(engine: Engine, layer: gpd.GeoDataFrame, source: str | None = None) -> RoadSummary:
    """Replace the stored network by the road lines of ``layer`` (see :func:`geo.roads.normalise_roads`).
    Raises :class:`geo.roads.NoRoads` (and stores nothing) when the layer has no road line."""
    roads = normalise_roads(layer, source)
    replace_features(engine, Road, roads)
    return _summary(roads)


def read_roads(engine: Engine, bbox: BBox | None = None) -> gpd.GeoDataFrame:
    return read_features(engine, Road, bbox=bbox, columns=["id", "name", "highway"])


def road_sources(engine: Engine) -> tuple[str, ...]:
    """The credits the stored roads ask for (shown as the road layer's attribution)."""
    with engine.connect() as conn:
        return tuple(conn.execute(select(Road.source).distinct().where(Road.source.is_not(None)).order_by(Road.source)).scalars())


def road_count(engine: Engine) -> int:
    """How many road segments the store holds."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Road)).scalar_one()


def road_summary(engine: Engine) -> RoadSummary:
    count = road_count(engine)
    if count == 0:
        return RoadSummary(0, {}, ())
    return RoadSummary(count, length_km_by_group(read_roads(engine)), road_sources(engine))


def _summary(roads: gpd.GeoDataFrame) -> RoadSummary:
    sources = tuple(sorted({s for s in roads["source"] if s}))
    return RoadSummary(len(roads), length_km_by_group(roads), sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m store.roads", description="Load the city's road network into the store.")
    parser.add_argument("file", help="any file geopandas reads (GeoJSON, GeoPackage, zipped Shapefile)")
    parser.add_argument("--source", help="credit the data asks for (OpenStreetMap's is added by itself for OSM exports)")
    args = parser.parse_args(argv)
    summary = import_file(args.file, "roads", lambda engine, layer: import_roads(engine, layer, args.source), (NoRoads,))
    if summary is None:
        return 2
    groups = ", ".join(f"{group} {km:.1f} km" for group, km in summary.km_by_group.items())
    print(f"{summary.segments} road segments stored, {summary.total_km:.1f} km ({groups})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
