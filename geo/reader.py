"""The one reader of map files people bring: every importer (the admin's layer import, the planner's
uploads, the import commands) turns bytes or a path into a :class:`RawLayer` here.

The type is decided from the content, never from a name: GeoJSON, GeoPackage, a zipped Shapefile,
KML or KMZ (Google My Maps exports, folders and styles included), CSV and XLSX with coordinate
columns (read as text by :mod:`table_files`, the one table reader). Coordinates in a table may be decimal degrees with a
point or a decimal comma, degrees-minutes-seconds (``3°41'52"S``), or a single "lat, lon" column;
longitude and latitude given the wrong way round are read as they are (the import swaps such rows
back and says so; a caller that checks the region refuses them).

CRS: what a file declares is honoured (WGS 84, UTM 52S EPSG:32752, DGN95 EPSG:4755, ...); a
caller's ``crs`` is used for files that declare none. A spatial file without a CRS, or a table whose
coordinates are not degrees, is refused with code ``no_crs`` (the caller asks; nothing is guessed).
Degrees in a table are WGS 84 unless ``crs`` says otherwise. GeoJSON is WGS 84 by its standard.

Safety: the size is checked before the file is read whole (:data:`MAX_IMPORT_BYTES`), zip archives
(Shapefile, KMZ, XLSX) pass :func:`uploads.open_zip` (bombs, unsafe paths) and members are read
with a hard cap. Every refusal is an :class:`ImportRefused` with a ``code`` and figures.
"""
from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

import uploads
from uploads import UploadRejected, open_zip, read_member
from geo.crs import WGS84
from table_files import TableRefused, read_csv, read_xlsx

MAX_IMPORT_BYTES = 50 * 1024 * 1024
PAGE_UPLOAD_BYTES = 11 * 1024 * 1024
"""Largest file any page takes (its base64 form stays under the 16 MB request cap); larger files go
through `python -m imports.load`. The one figure the pages' upload hints and README quote."""
"""Largest file read at all (bytes); a larger one is refused from its size alone."""
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_ENTRIES = 50
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"}
KINDS = ("geojson", "gpkg", "shapefile", "kml", "kmz", "csv", "xlsx")

LON_NAMES = ("lon", "lng", "long", "longitude", "bujur", "x", "easting", "koordinatx", "koordinatbujur", "bt")
LAT_NAMES = ("lat", "latitude", "lintang", "y", "northing", "koordinaty", "koordinatlintang", "ls")
WKT_NAMES = ("wkt", "geometry", "geom", "geometri")
"""A column holding each row's geometry as WKT (how lines and polygons travel in a CSV)."""
PAIR_NAMES = ("koordinat", "coordinates", "coordinate", "latlon", "latlong", "lokasi", "location", "titikkoordinat")
"""A single column holding "lat, lon" (as Google Maps copies a place)."""
KML_NOISE = ("id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon", "snippet")


class ImportRefused(ValueError):
    """A file that cannot be imported at all. ``code``: too_large, empty, unknown_type, unreadable,
    unsafe_zip, zip_bomb, no_shapefile, no_geometry, no_crs, bad_crs; ``details`` the figures."""

    def __init__(self, code: str, message: str, **details):
        super().__init__(message)
        self.code = code
        self.details = details


@dataclass
class RawLayer:
    """A file as read: its rows in file order (geometry None where a row has none), in the file's CRS.

    ``row_numbers``: what a person calls each row (the spreadsheet line of a table, the feature's
    position from 1 in a spatial file). ``repairs``/``problems``: per row index, what reading fixed
    ("ring_closed", "dms", "decimal_comma") or found wrong ("bad_coordinate", "empty_row").
    """

    frame: gpd.GeoDataFrame
    kind: str
    row_numbers: np.ndarray
    repairs: dict[int, list[str]] = field(default_factory=dict)
    problems: dict[int, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != self.frame.geometry.name]


def normalise_name(name: object) -> str:
    """A column name reduced for matching: lower case, accents and everything but letters and digits dropped."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", text)


def read_path(path: str | Path, *, crs: str | None = None, max_bytes: int = MAX_IMPORT_BYTES) -> RawLayer:
    """:func:`read_bytes` on a file, its size checked before anything of it is read."""
    path = Path(path)
    if not path.is_file():
        raise ImportRefused("missing", f"{path} does not exist")
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportRefused("too_large", f"file is {size:,} bytes; at most {max_bytes:,} are accepted", limit_mb=max_bytes // 2**20)
    if path.suffix.lower() == ".shp":  # a Shapefile on disk comes with its sidecar files (.dbf, .prj, ...)
        if crs is not None:
            _check_crs(crs)
        return _finish(_read_spatial(path), "shapefile", crs)
    return read_bytes(path.read_bytes(), crs=crs, max_bytes=max_bytes)


def sniff(data: bytes) -> str:
    """The kind of file (one of :data:`KINDS`, "zip" for an archive not yet opened) from its content,
    by the shared upload check (uploads.sniff) refined for map files."""
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    kind = uploads.sniff(data)
    if kind == "zip":
        return "zip"
    if kind == "json":
        return "geojson"
    if kind is None and b"\x00" not in data[:4096] and uploads.sniff(data[:4096].decode("cp1252", errors="replace").encode()) == "text":
        kind = "text"  # a spreadsheet's CSV export in Windows-1252, not UTF-8
    if kind != "text":
        raise ImportRefused("unknown_type", f"file content is {kind or 'of an unknown type'}")
    head = data[:4096].decode("utf-8-sig", errors="ignore").lstrip()
    if head.startswith("<"):
        if "<kml" in head:
            return "kml"
        raise ImportRefused("unknown_type", "an XML or HTML file that is not KML")
    return "csv"


def read_bytes(data: bytes, *, crs: str | None = None, max_bytes: int = MAX_IMPORT_BYTES) -> RawLayer:
    """The layer in ``data`` (see the module docstring). Raises :class:`ImportRefused`."""
    if len(data) > max_bytes:
        raise ImportRefused("too_large", f"file is {len(data):,} bytes; at most {max_bytes:,} are accepted", limit_mb=max_bytes // 2**20)
    if not data.strip():
        raise ImportRefused("empty", "file is empty")
    if crs is not None:
        _check_crs(crs)
    kind = sniff(data)
    if kind == "zip":
        return _read_zip(data, crs)
    if kind == "csv":
        return _from_table(read_csv, data, crs)
    if kind == "kml":
        return _finish(_read_kml(data), "kml", crs)
    repairs = {}
    if kind == "geojson":
        data, repairs = _close_rings(data)
    # GDAL would parse GeoJSON times and keep only milliseconds; the import reads them itself
    layer = _finish(_read_spatial(data, DATE_AS_STRING="YES") if kind == "geojson" else _read_spatial(data), kind, crs)
    layer.repairs.update(repairs)
    return layer


def _check_crs(crs: str) -> None:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(crs)
    except CRSError:
        raise ImportRefused("bad_crs", f"{crs!r} is not a coordinate reference system", crs=str(crs)[:40]) from None


def _refused(rejected: UploadRejected) -> ImportRefused:
    code = {"unreadable_zip": "unreadable", "damaged": "unreadable"}.get(rejected.code, rejected.code)
    return ImportRefused(code, str(rejected), name=str(rejected)[:80])


def _read_zip(data: bytes, crs: str | None) -> RawLayer:
    try:
        archive = open_zip(data, max_members=MAX_ZIP_ENTRIES, max_unzipped_bytes=MAX_UNZIPPED_BYTES, max_ratio=MAX_ZIP_RATIO)
        members = [m for m in archive.infolist() if not m.is_dir()]
        names = {PurePosixPath(m.filename.replace("\\", "/")).suffix.lower(): m for m in members}
        if any(m.filename == "xl/workbook.xml" for m in members):
            return _from_table(read_xlsx, data, crs)
        kml = [m for m in members if m.filename.lower().endswith(".kml")]
        if ".shp" not in names and kml:
            return _finish(_read_kml(read_member(archive, kml[0].filename, MAX_UNZIPPED_BYTES)), "kmz", crs)
        shapefiles = [m for m in members if m.filename.lower().endswith(".shp")]
        if len(shapefiles) != 1:
            raise ImportRefused("no_shapefile", "a zip must hold exactly one Shapefile (.shp), a KML or be an XLSX workbook")
        stem = PurePosixPath(shapefiles[0].filename.replace("\\", "/")).with_suffix("")
        with tempfile.TemporaryDirectory(prefix="import-") as folder:
            for member in members:
                path = PurePosixPath(member.filename.replace("\\", "/"))
                if path.with_suffix("") == stem and path.suffix.lower() in SHAPEFILE_PARTS:
                    (Path(folder) / ("layer" + path.suffix.lower())).write_bytes(read_member(archive, member.filename, MAX_UNZIPPED_BYTES))
            frame = _read_spatial(Path(folder) / "layer.shp")
    except UploadRejected as rejected:
        raise _refused(rejected) from None
    return _finish(frame, "shapefile", crs)


def _read_spatial(source, **open_options) -> gpd.GeoDataFrame:
    try:
        layers = pyogrio.list_layers(source)
        # one layer: read it unnamed (a nameless GeoJSON in memory gets a new name on each opening)
        frame = pyogrio.read_dataframe(source, layer=layers[0][0] if len(layers) > 1 else None, **open_options)
    except Exception as error:  # noqa: BLE001 - GDAL's many errors all mean "cannot be read"
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ImportRefused("unreadable", f"cannot be read as map data: {message}") from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise ImportRefused("no_geometry", "the file has no geometry")
    return frame


def _read_kml(data: bytes) -> gpd.GeoDataFrame:
    """Every folder of a KML document as one frame, the folder's name in column ``folder``; the
    styling columns GDAL adds (icon, draw order, ...) dropped when they say nothing."""
    try:
        layers = pyogrio.list_layers(data)
        frames = []
        for name, _ in layers:
            frame = pyogrio.read_dataframe(data, layer=name)
            if len(frame):
                frames.append(frame.assign(folder=name))
    except Exception as error:  # noqa: BLE001
        raise ImportRefused("unreadable", f"cannot be read as KML: {str(error).splitlines()[0] if str(error) else error}") from None
    if not frames:
        raise ImportRefused("empty", "the KML holds no placemark")
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
    noise = [c for c in KML_NOISE if c in frame.columns and (frame[c].isna() | (frame[c].astype(str).isin(["", "0", "-1", "None", "nan"]))).all()]
    frame = frame.drop(columns=noise).rename(columns={"Name": "name"})
    frame[frame.geometry.name] = shapely.force_2d(frame.geometry.to_numpy())
    return frame


def _finish(frame: gpd.GeoDataFrame, kind: str, crs: str | None) -> RawLayer:
    frame = frame.reset_index(drop=True)
    if len(frame) == 0:
        raise ImportRefused("empty", "the file holds no features")
    if frame.crs is None:
        if crs is None:
            raise ImportRefused("no_crs", "the file does not say its coordinate reference system")
        frame = frame.set_crs(crs)
    geometry = frame.geometry.to_numpy()
    if shapely.has_z(geometry[~shapely.is_missing(geometry)]).any():
        frame[frame.geometry.name] = shapely.force_2d(geometry)
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    return RawLayer(frame, kind, np.arange(1, len(frame) + 1))


def _close_rings(data: bytes) -> tuple[bytes, dict[int, list[str]]]:
    """A GeoJSON with every polygon ring ending where it starts (GDAL refuses the whole file over one
    open ring), and the features whose rings were closed (the row report says so)."""
    try:
        parsed = json.loads(data)
    except ValueError:
        return data, {}
    except RecursionError:  # nested deeper than the parser goes: no map file is
        raise ImportRefused("unreadable", "cannot be read as map data: JSON nested too deeply") from None
    features = parsed.get("features") if isinstance(parsed, dict) else None
    if not isinstance(features, list):
        return data, {}
    repaired: dict[int, list[str]] = {}
    for index, feature in enumerate(features):
        geometry = (feature or {}).get("geometry") or {} if isinstance(feature, dict) else {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
        try:
            for polygon in polygons or []:
                for ring in polygon:
                    if len(ring) > 2 and ring[0] != ring[-1]:
                        ring.append(list(ring[0]))
                        repaired[index] = ["ring_closed"]
        except (TypeError, AttributeError):
            continue
    return (json.dumps(parsed).encode() if repaired else data), repaired


def _from_table(read, data: bytes, crs: str | None) -> RawLayer:
    """A CSV or XLSX through the one table reader, its refusals in this module's codes."""
    try:
        table = read(data)
    except TableRefused as refused:
        code = {"no_header": "no_geometry", "not_table": "unknown_type"}.get(refused.code, refused.code)
        raise ImportRefused(code, str(refused)) from None
    return _read_table(table.frame, table.kind, header_line=table.header_line, crs=crs)


def _find_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    normalised = {normalise_name(c): c for c in columns}
    for name in names:
        if name in normalised:
            return normalised[name]
    for name in names:
        if len(name) > 2:
            for key, column in normalised.items():
                if key.endswith(name) or key.startswith(name):
                    return column
    return None


DMS = re.compile(r"""^\s*([NSEWUTB+-])?\s*(\d+(?:[.,]\d+)?)\s*(?:°|º|d|\s)\s*(?:(\d+(?:[.,]\d+)?)\s*(?:'|′|m|\s)?\s*)?"""
                 r"""(?:(\d+(?:[.,]\d+)?)\s*(?:"|″|''|s)?\s*)?([NSEWUTB])?\s*$""", re.IGNORECASE)
NEGATIVE_HEMISPHERES = {"S", "W", "B"}
"""South, West, and Indonesian "Barat" (west); "LS"/"BT" (lintang selatan, bujur timur) end in S and T."""


def parse_coordinate(value: str) -> tuple[float, str | None]:
    """(degrees, repair) from one cell: "128.18", "-3,6952" (a decimal comma), "3°41'52\"S", "3 41 52 LS".
    NaN when the cell holds no coordinate."""
    text = str(value).strip().upper().replace("LS", "S").replace("LU", "N").replace("BT", "E").replace("BB", "W")
    if not text:
        return np.nan, None
    try:
        return float(text), None
    except ValueError:
        pass
    if re.fullmatch(r"-?\d+,\d+", text):
        return float(text.replace(",", ".")), "decimal_comma"
    match = DMS.match(text)
    if not match:
        return np.nan, None
    before, degrees, minutes, seconds, after = match.groups()
    value = float(degrees.replace(",", ".")) + float((minutes or "0").replace(",", ".")) / 60 + float((seconds or "0").replace(",", ".")) / 3600
    hemisphere = (after or before or "").upper()
    if hemisphere in NEGATIVE_HEMISPHERES or hemisphere == "-":
        value = -value
    return value, "dms"


def _parse_column(cells: pd.Series) -> tuple[np.ndarray, dict[int, str]]:
    """Numbers of a column of text cells, vectorised for plain decimals; the rest one by one."""
    text = cells.astype(str).str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    comma = np.isnan(values) & text.str.fullmatch(r"-?\d+,\d+").to_numpy(dtype=bool)
    values[comma] = pd.to_numeric(text[comma].str.replace(",", ".", regex=False), errors="coerce").to_numpy(dtype=float)
    repairs: dict[int, str] = dict.fromkeys(np.flatnonzero(comma).tolist(), "decimal_comma")
    for position in np.flatnonzero(np.isnan(values) & (text != "").to_numpy()):
        values[position], repair = parse_coordinate(text.iat[position])
        if repair:
            repairs[position] = repair
    return values, repairs


def _read_table(frame: pd.DataFrame, kind: str, *, header_line: int, crs: str | None) -> RawLayer:
    """A table's points from its coordinate columns (see the module docstring)."""
    columns = list(frame.columns)
    row_numbers = np.arange(len(frame)) + header_line + 1
    if len(frame) == 0:
        raise ImportRefused("empty", "the table has no rows")
    wkt_column = next((c for c in columns if normalise_name(c) in WKT_NAMES), None)
    if wkt_column is not None:
        return _read_wkt_table(frame, kind, wkt_column, row_numbers, crs)
    lon_column, lat_column = _find_column(columns, LON_NAMES), _find_column(columns, LAT_NAMES)
    if lon_column is not None and lat_column is not None and lon_column != lat_column:
        x, x_repairs = _parse_column(frame[lon_column])
        y, y_repairs = _parse_column(frame[lat_column])
    else:
        pair = _find_column(columns, PAIR_NAMES)
        if pair is None:
            raise ImportRefused("no_geometry", "the table has no coordinate columns (lon and lat, bujur and lintang, or koordinat)")
        split = frame[pair].astype(str).str.replace(";", ",").str.extract(r"^\s*([^,\s]+(?:\s[^,]+)?)\s*,\s*(.+?)\s*$")
        y, y_repairs = _parse_column(split[0].fillna(""))
        x, x_repairs = _parse_column(split[1].fillna(""))
    repairs: dict[int, list[str]] = {}
    for position, repair in [*x_repairs.items(), *y_repairs.items()]:
        repairs.setdefault(position, [])
        if repair not in repairs[position]:
            repairs[position].append(repair)
    known = ~(np.isnan(x) | np.isnan(y))
    empty = frame.astype(str).apply(lambda column: column.str.strip() == "").all(axis=1).to_numpy()
    problems = {int(p): "bad_coordinate" for p in np.flatnonzero(~known & ~empty)}
    problems.update({int(p): "empty_row" for p in np.flatnonzero(empty)})
    if not known.any():
        raise ImportRefused("no_geometry", "no row has coordinates that can be read")
    # longitude and latitude the wrong way round are still degrees; the import swaps such rows back
    degrees = ((np.abs(x[known]) <= 180) & (np.abs(y[known]) <= 180) & ((np.abs(y[known]) <= 90) | (np.abs(x[known]) <= 90))).all()
    if crs is None and not degrees:
        raise ImportRefused("no_crs", "the coordinates are not degrees: say which coordinate reference system they are in")
    geometry = np.full(len(frame), None, dtype=object)
    geometry[known] = shapely.points(x[known], y[known])
    attributes = frame.drop(columns=[c for c in (lon_column, lat_column) if c is not None and c in frame.columns])
    layer = gpd.GeoDataFrame(attributes.reset_index(drop=True), geometry=geometry, crs=crs or WGS84)
    return RawLayer(layer, kind, row_numbers, repairs, problems)


def _read_wkt_table(frame: pd.DataFrame, kind: str, column: str, row_numbers: np.ndarray, crs: str | None) -> RawLayer:
    """A table whose geometry is WKT text; degrees are WGS 84 unless ``crs`` says otherwise."""
    text = frame[column].astype(str).str.strip()
    geometry = shapely.from_wkt(text.where(text != "", None).to_numpy(), on_invalid="ignore")
    empty = frame.astype(str).apply(lambda c: c.str.strip() == "").all(axis=1).to_numpy()
    bad = shapely.is_missing(geometry) & ~empty & (text != "").to_numpy()
    problems = {int(p): "bad_coordinate" for p in np.flatnonzero(bad)}
    problems.update({int(p): "empty_row" for p in np.flatnonzero(empty)})
    known = ~shapely.is_missing(geometry)
    if not known.any():
        raise ImportRefused("no_geometry", "no row has a geometry that can be read")
    bounds = shapely.bounds(geometry[known])
    degrees = bool((np.abs(bounds[:, [0, 2]]) <= 180).all() and (np.abs(bounds[:, [1, 3]]) <= 90).all())
    if crs is None and not degrees:
        raise ImportRefused("no_crs", "the coordinates are not degrees: say which coordinate reference system they are in")
    layer = gpd.GeoDataFrame(frame.drop(columns=[column]).reset_index(drop=True), geometry=geometry, crs=crs or WGS84)
    return RawLayer(layer, kind, row_numbers, {}, problems)


def typed_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A table's text columns as numbers where every filled cell is one (as pandas reads a CSV), for
    callers that take the file's columns as they are rather than through an import's mapping."""
    frame = frame.copy()
    for column in frame.columns:
        if column == frame.geometry.name or frame[column].dtype != object:
            continue
        text = frame[column].astype(str).str.strip()
        numbers = pd.to_numeric(text.where(text != "", None), errors="coerce")
        if numbers.notna().sum() == (text != "").sum() and numbers.notna().any():
            frame[column] = numbers
    return frame
