"""The real Kota Ambon the project ships in data/ (see data/README.md for sources and licences):
the 5 kecamatan and 50 desa/kelurahan boundaries (cahyadsn/wilayah_boundaries, MIT), Ambon island's
outline (their union over the island), and the OpenStreetMap road network (ODbL). All in EPSG:4326."""
from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import WGS84

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BOUNDARY_CREDIT = "cahyadsn/wilayah_boundaries (MIT)"
OSM_CREDIT = "© OpenStreetMap contributors"


def _read(name: str) -> gpd.GeoDataFrame:
    path = DATA_DIR / name
    data = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    return gpd.read_file(data).set_crs(WGS84, allow_override=True)


def desa_boundaries() -> gpd.GeoDataFrame:
    """The 50 desa/kelurahan: ``code``, ``name``, ``kind`` (kelurahan or desa/negeri), ``parent_code``
    (the kecamatan) from data/ambon_desa.csv, and their real polygons, in the CSV's order."""
    facts = pd.read_csv(DATA_DIR / "ambon_desa.csv", dtype={"code": str, "kecamatan_code": str})
    shapes = _read("ambon_desa.geojson").set_index("code").geometry
    return gpd.GeoDataFrame({"code": facts.code, "name": facts.name, "kind": facts.kind, "parent_code": facts.kecamatan_code},
                            geometry=shapes.loc[facts.code].to_numpy(), crs=WGS84)


def kecamatan_boundaries() -> gpd.GeoDataFrame:
    """The 5 kecamatan: ``code``, ``name`` (data/ambon_kecamatan.csv) and their real polygons."""
    names = pd.read_csv(DATA_DIR / "ambon_kecamatan.csv", dtype=str)
    shapes = _read("ambon_kecamatan.geojson").set_index("code").geometry
    return gpd.GeoDataFrame({"code": names.code, "name": names.name}, geometry=shapes.loc[names.code].to_numpy(), crs=WGS84)


def city_boundary() -> shapely.Geometry:
    """Kota Ambon's boundary (lon/lat), as the same source draws it."""
    return shapely.union_all(_read("ambon_kota.geojson").geometry.to_numpy())


@lru_cache(maxsize=1)
def island_outline() -> shapely.Geometry:
    """Ambon island's land (lon/lat): the city and the Maluku Tengah part (the Hitu coast)."""
    return shapely.union_all(_read("ambon_island.geojson").geometry.to_numpy())


def osm_roads() -> gpd.GeoDataFrame:
    """The island's road network from OpenStreetMap: ``highway``, ``name`` and lines."""
    return _read("ambon_roads_osm.geojson.gz")
