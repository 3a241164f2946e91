"""Every importable layer written out as GeoJSON, GeoPackage, CSV or XLSX, in the columns its import
reads back (so an export re-imports to the same layer). Times are written in WIT with their offset
(+09:00); a CSV or XLSX holds points as lon/lat columns and lines and polygons as WKT."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from sqlalchemy import Engine

from imports.prepare import LOCAL_UTC_OFFSET
from imports.specs import SPECS
from store.layers import read_features

FORMATS = {"geojson": ("application/geo+json", "geojson"), "gpkg": ("application/geopackage+sqlite3", "gpkg"),
           "csv": ("text/csv", "csv"), "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")}
"""Format -> (media type, file extension)."""


def layer_frame(engine: Engine, layer: str, drop: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """The stored layer (EPSG:4326) with its import's columns (and desa/kecamatan codes where kept),
    without the columns in ``drop`` (what a role may not see)."""
    spec = SPECS[layer]
    names = [f.name for f in spec.fields] + (["desa_code", "kecamatan_code"] if spec.in_areas else [])
    frame = read_features(engine, spec.model, columns=["id", *names])
    return frame.drop(columns=["id", *[c for c in drop if c in frame.columns]])


def _local_times(frame: pd.DataFrame, layer: str) -> pd.DataFrame:
    frame = frame.copy()
    for field in SPECS[layer].fields:
        if field.kind == "datetime" and field.name in frame:
            times = pd.to_datetime(frame[field.name]) + LOCAL_UTC_OFFSET
            frame[field.name] = times.map(lambda t: None if pd.isna(t) else t.isoformat() + "+09:00").astype(object)
    return frame


def export_bytes(frame: gpd.GeoDataFrame, layer: str, fmt: str) -> bytes:
    """``frame`` (from :func:`layer_frame`) as a file of format ``fmt`` (a key of :data:`FORMATS`)."""
    frame = _local_times(frame, layer)
    if fmt in ("csv", "xlsx"):
        table = pd.DataFrame(frame.drop(columns="geometry"))
        if SPECS[layer].geometry == "point":
            table.insert(0, "lat", frame.geometry.y)
            table.insert(0, "lon", frame.geometry.x)
        else:
            table["wkt"] = shapely.to_wkt(frame.geometry.to_numpy(), rounding_precision=-1)
        buffer = io.BytesIO()
        if fmt == "csv":
            buffer.write(table.to_csv(index=False).encode("utf-8"))
        else:
            table.to_excel(buffer, index=False, sheet_name=layer)
        return buffer.getvalue()
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = Path(folder) / f"{layer}.{FORMATS[fmt][1]}"
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GeoJSON" if fmt == "geojson" else "GPKG", promote_to_multi=False)
        return path.read_bytes()
