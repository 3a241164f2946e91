"""Map files people upload (a planner's extra demand layer or candidate sites, an admin's road
network), checked before anything reads them.

The type is decided from the bytes, never from the name the browser sent: a zip archive (a zipped
Shapefile), a GeoPackage (an SQLite file), GeoJSON (JSON text) or CSV with lon/lat columns. Zip
archives pass the shared checks of auth.uploads (absolute paths and `..` refused; unpacked size,
compression ratio and number of entries capped against zip bombs) and are unpacked into a fresh folder. The layer
is then read by :func:`geo.recommend.read_layer`, which refuses a file without features, geometry
or CRS and points far outside Ambon (swapped lon/lat, wrong CRS).

Every refusal is an :class:`UploadError` with a ``code`` (and ``details``) for the page to explain.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path, PurePosixPath

import geopandas as gpd

from auth.uploads import UploadRejected, decode_data_url, open_zip, read_member
from i18n import t
from i18n.format import number
from geo.recommend import InputError, read_layer

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
"""Largest file accepted (the request carrying it, base64-encoded, stays under the 16 MB body cap)."""
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_ENTRIES = 50
MAX_FEATURES = 50_000
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"}


class UploadError(Exception):
    """A refused upload. ``code``: "too_large", "not_base64", "unknown_type", "unsafe_zip", "zip_bomb",
    "no_shapefile", "too_many", "not_polygons", or a :class:`geo.recommend.InputError` code ("empty", "unreadable",
    "no_geometry", "no_crs", "outside_region")."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details

    def text(self, lang: str) -> str:
        """Why, in ``lang`` (i18n key "upload.<code>"), its figures written as the reader writes numbers."""
        figures = {key: number(value, lang, 0 if isinstance(value, int) else 5) if isinstance(value, (int, float)) else value
                   for key, value in self.details.items()}
        return t(f"upload.{self.code}", lang).format(**figures)


def decode_contents(contents: str) -> bytes:
    """The bytes of a `dcc.Upload` value ("data:<type>;base64,<data>"), size-checked before decoding."""
    try:
        return decode_data_url(contents, MAX_UPLOAD_BYTES)
    except UploadRejected as refused:
        raise _refusal(refused) from None


def _refusal(refused: UploadRejected) -> UploadError:
    """The shared upload checks' refusal as this page's UploadError."""
    if refused.code == "too_large":
        return UploadError("too_large", limit_mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    if refused.code == "unsafe_zip":
        return UploadError("unsafe_zip", name=str(refused)[:80])
    code = {"not_upload": "not_base64", "unreadable_zip": "unreadable", "damaged": "unreadable", "empty": "empty"}.get(refused.code, refused.code)
    return UploadError(code)


def sniff(data: bytes) -> str:
    """"zip", "gpkg", "geojson" or "csv" from the content; UploadError("empty"/"unknown_type")."""
    if not data.strip():
        raise UploadError("empty")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError("unknown_type") from None
    if text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
            raise UploadError("unreadable") from None
        if not isinstance(parsed, dict) or "type" not in parsed:
            raise UploadError("unknown_type")
        return "geojson"
    if "\x00" in text or "," not in text.split("\n", 1)[0] and ";" not in text.split("\n", 1)[0]:
        raise UploadError("unknown_type")
    return "csv"


def unzip_shapefile(data: bytes, folder: Path) -> Path:
    """Unpack a zipped Shapefile into ``folder`` safely; the path of its .shp file."""
    try:
        archive = open_zip(data, max_members=MAX_ZIP_ENTRIES, max_unzipped_bytes=MAX_UNZIPPED_BYTES, max_ratio=MAX_ZIP_RATIO)
        members = [m for m in archive.infolist() if not m.is_dir()]
        shapefiles = [m for m in members if PurePosixPath(m.filename).suffix.lower() == ".shp"]
        if len(shapefiles) != 1:
            raise UploadError("no_shapefile")
        stem = PurePosixPath(shapefiles[0].filename.replace("\\", "/")).with_suffix("")
        for member in members:
            path = PurePosixPath(member.filename.replace("\\", "/"))
            if path.with_suffix("") == stem and path.suffix.lower() in SHAPEFILE_PARTS:
                (folder / ("layer" + path.suffix.lower())).write_bytes(read_member(archive, member.filename, MAX_UNZIPPED_BYTES))
    except UploadRejected as refused:
        raise _refusal(refused) from None
    return folder / "layer.shp"


def polygons_only(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The polygons of ``layer`` (obstacles to a camera's view); UploadError("not_polygons") when none."""
    polygons = layer[layer.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(polygons) == 0:
        raise UploadError("not_polygons")
    return polygons.reset_index(drop=True)


def read_upload(data: bytes, what: str) -> gpd.GeoDataFrame:
    """The layer in an uploaded file (see the module docstring), rows in file order.

    Rows without geometry are dropped. Raises :class:`UploadError`.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError("too_large", limit_mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    kind = sniff(data)
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        folder = Path(folder)
        if kind == "zip":
            path = unzip_shapefile(data, folder)
        else:
            path = folder / f"layer.{kind}"
            path.write_bytes(data)
        try:
            layer = read_layer(str(path), what)
        except InputError as error:
            raise UploadError(error.code, **error.details) from None
    layer = layer[layer.geometry.notna() & ~layer.geometry.is_empty].reset_index(drop=True)
    if len(layer) > MAX_FEATURES:
        raise UploadError("too_many", limit=MAX_FEATURES)
    return layer
