"""Map files people upload (a planner's extra demand layer or candidate sites, an admin's road
network), checked before anything reads them.

Files are read by the one reader every importer shares (:mod:`geo.reader`: the type from the
bytes, never from the name the browser sent; zip archives checked against traversal and bombs),
then checked by :func:`geo.recommend.check_layer`, which refuses a file without geometry and points
far outside Ambon (swapped lon/lat, wrong CRS).

Every refusal is an :class:`UploadError` with a ``code`` (and ``details``) for the page to explain.
"""
from __future__ import annotations

import geopandas as gpd

from uploads import UploadRejected, decode_data_url
from geo.recommend import InputError, check_layer
from i18n import t
from i18n.format import number
from geo import reader
from geo.reader import ImportRefused

MAX_UPLOAD_BYTES = reader.PAGE_UPLOAD_BYTES
"""Largest file accepted (the request carrying it, base64-encoded, stays under the 16 MB body cap)."""
MAX_FEATURES = 50_000


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
    """"zip", "gpkg", "geojson", "kml" or "csv" from the content (the shared reader's sniff);
    UploadError("empty"/"unknown_type")."""
    if not data.strip():
        raise UploadError("empty")
    try:
        return reader.sniff(data)
    except ImportRefused as refused:
        raise UploadError(refused.code, **refused.details) from None


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
    try:
        layer = check_layer(reader.read_bytes(data, max_bytes=MAX_UPLOAD_BYTES), what, "upload")
    except ImportRefused as refused:
        raise UploadError(refused.code, **refused.details) from None
    except InputError as error:
        raise UploadError(error.code, **error.details) from None
    layer = layer[layer.geometry.notna() & ~layer.geometry.is_empty].reset_index(drop=True)
    if len(layer) > MAX_FEATURES:
        raise UploadError("too_many", limit=MAX_FEATURES)
    return layer
