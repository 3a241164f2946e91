"""Map layers as compact GeoJSON by URL, and the details behind a clicked feature.

The map fetches layers here rather than through callback payloads: the browser caches them, the
server caches the encoded bytes (flask-caching, shared between workers when Redis is configured),
and gzip cuts 100,000 complaints to about a megabyte.
"""
from __future__ import annotations

import gzip
import time
from datetime import datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from flask import Blueprint, Flask, Response, abort, jsonify, request
from flask_caching import Cache
from sqlalchemy import Engine

from routes.auth import current_account
from geo.ambon import island_outline
from geo.geojson import to_geojson_bytes
from geo.roads import road_group
from geo.sectors import camera_sectors
from i18n.format import wit_time
from store import complaint_grid, layers
from store.layers import fingerprint
from store.cameras import CAMERA_PROPERTIES, camera_points
from store.filters import complaint_filter_query, parse_complaint_filter
from store.layers import ComplaintFilter
from store.roads import read_roads
from store.models import AdminArea, Business, Camera, FloodZone, River, Road, TpsSite
from store.vocabulary import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES

STATIC_LAYER_SECONDS = 600
LIVE_LAYER_SECONDS = 15
"""Cameras and complaints change while the app runs; rivers and flood zones do not."""
IMPORTED_LAYERS = {"kecamatan": AdminArea, "desa": AdminArea, "land": AdminArea, "roads": Road}
"""Layers an admin's import replaces: served with their data's fingerprint as ETag and revalidated
by the browser on every load (an unchanged layer costs a 304), so nobody sees the old ones."""


def _complaint_scope() -> str | None:
    """The only agency whose complaints the logged-in account may see (None: all)."""
    account = current_account()
    return account.complaint_scope if account else None


def _complaint_filter() -> ComplaintFilter:
    """The request's complaint filter, within the account's agency."""
    complaint_filter, _ = parse_complaint_filter(request.args.to_dict(flat=False))
    return complaint_filter.within_agency(_complaint_scope())


def complaint_view() -> tuple[int | None, layers.BBox | None]:
    """The request's map view: (zoom, bbox snapped to its block of tiles). No `z`: every complaint as a
    point (the layer's original form); `z` without a usable `bbox`: the whole filtered set at that zoom."""
    zoom = complaint_grid.clamp_zoom(request.args.get("z"))
    if zoom is None:
        return None, None
    try:
        values = [float(v) for v in request.args.get("bbox", "").split(",")]
    except ValueError:
        return zoom, None
    if len(values) != 4 or not all(np.isfinite(values)) or values[0] > values[2] or values[1] > values[3]:
        return zoom, None
    return zoom, complaint_grid.snap_bbox(tuple(values), zoom)


def _complaints_payload(engine: Engine) -> bytes:
    zoom, bbox = complaint_view()
    return complaints_layer(engine, _complaint_filter(), zoom, bbox, datetime.utcnow())


def complaints_layer(engine: Engine, complaint_filter: ComplaintFilter, zoom: int | None, bbox: layers.BBox | None, now: datetime) -> bytes:
    """The complaints layer as GeoJSON bytes: grid groups at `zoom` (store.complaint_grid) when the view
    holds more than POINTS_MAX complaints, else each complaint as a point; every complaint when `zoom` is None."""
    if zoom is not None:
        cells = complaint_grid.complaint_cells(engine, complaint_filter, zoom, bbox, now)
        if int(cells.n.sum()) > complaint_grid.POINTS_MAX:
            return to_geojson_bytes(complaint_grid.cells_geojson(cells), ["cluster", "point_count", "id", "s", "d"], decimals=5)
    points = layers.read_complaints(engine, complaint_filter, bbox=bbox, columns=("id", "status", "category", "next_due_at"))
    # status, category and deadline state travel as indexes into their vocabularies: a few bytes per point
    points["s"] = points.status.map({s: i for i, s in enumerate(COMPLAINT_STATUSES)})
    points["c"] = points.category.map({c: i for i, c in enumerate(COMPLAINT_CATEGORIES)})
    points["d"] = deadline_index(points.next_due_at, now)
    return to_geojson_bytes(points, ["id", "s", "c", "d"], decimals=5)


def deadline_index(next_due_at: pd.Series, now: datetime, soon: timedelta = timedelta(days=1)) -> np.ndarray:
    """Each complaint's deadline state as its index in layouts.styles.DEADLINE_COLOURS: overdue,
    due within `soon`, on time, no running deadline."""
    due = pd.to_datetime(next_due_at)
    return np.select([due.isna(), due < now, due < now + soon], [3, 0, 1], default=2)


def _layer_payload(engine: Engine, name: str) -> bytes:
    if name == "complaints":
        return _complaints_payload(engine)
    if name in ("kecamatan", "desa"):
        return to_geojson_bytes(layers.read_admin_areas(engine, name), ["code", "name", "kind", "parent_code"])
    if name == "land":
        # the whole island, not only the city: roads of the Hitu coast (Maluku Tengah) lie on land too
        kecamatan = layers.read_admin_areas(engine, "kecamatan")
        land = shapely.union_all([kecamatan.union_all(), island_outline()])
        return to_geojson_bytes(gpd.GeoDataFrame(geometry=[land], crs=kecamatan.crs), [])
    if name == "cameras":
        return to_geojson_bytes(camera_points(engine), CAMERA_PROPERTIES)
    if name == "camera_sectors":
        cameras = layers.read_features(engine, Camera, columns=["id", "kind", "heading_deg", "fov_deg", "range_m"])
        return to_geojson_bytes(cameras.set_geometry(camera_sectors(cameras)), ["id", "kind"])
    if name == "tps":
        sites = layers.read_features(engine, TpsSite)
        return to_geojson_bytes(sites.assign(desa=sites["desa_code"].map(layers.area_names(engine))), ["id", "name", "capacity_m3", "desa"])
    if name == "roads":
        roads = read_roads(engine)
        roads["g"] = road_group(roads["highway"]).to_numpy()  # the style group; the class itself is not drawn
        return to_geojson_bytes(roads, ["name", "g"])
    if name == "rivers":
        return to_geojson_bytes(layers.read_features(engine, River), ["id", "name"])
    if name == "flood_zones":
        return to_geojson_bytes(layers.read_features(engine, FloodZone), ["id", "name", "hazard"])
    if name == "businesses":
        # where they are and what they are, never their figures: those are for the tax office (/pajak)
        return to_geojson_bytes(layers.read_features(engine, Business, columns=["id", "name", "category"]), ["id", "name", "category"])
    abort(404, description=f"No map layer named {name!r}")


BUILD_LOCK_SECONDS = 30
"""How long one worker may hold a layer's build before another may try (a crashed build frees it)."""


def single_flight(cache: Cache, key: str, build, timeout: int, *, wait_s: float = BUILD_LOCK_SECONDS, poll_s: float = 0.05) -> bytes:
    """The cached value of `key`, built by `build()` when missing, by one request at a time across every
    worker sharing the cache: concurrent misses wait for the first one's result instead of rebuilding it
    (eight simultaneous misses on 100,000 complaints cost 10 s of CPU before). `cache.add` is atomic in
    Redis and in the in-process cache, so it is the lock."""
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"building:{key}"
    deadline = time.monotonic() + wait_s
    while not cache.add(lock, 1, timeout=int(wait_s)):
        time.sleep(poll_s)
        value = cache.get(key)
        if value is not None:
            return value
        if time.monotonic() > deadline:
            break  # the builder died or is stuck: build it ourselves rather than fail the map
    try:
        value = cache.get(key)  # built between our miss and taking the lock
        if value is None:
            value = build()
            cache.set(key, value, timeout=timeout)
        return value
    finally:
        cache.delete(lock)


LAYER_NAMES = ("complaints", "kecamatan", "desa", "land", "roads", "cameras", "camera_sectors", "tps", "rivers", "flood_zones", "businesses")


def init_layer_routes(server: Flask, engine: Engine, cache: Cache) -> None:
    """Register /api/layers/<name>.geojson and /api/<kind>/<id> details on `server`."""
    bp = Blueprint("layers", __name__)

    @bp.get("/api/layers/<name>.geojson")
    def layer(name: str):
        if name not in LAYER_NAMES:
            abort(404, description=f"No map layer named {name!r}")
        max_age = LIVE_LAYER_SECONDS if name in ("complaints", "cameras", "camera_sectors") else STATIC_LAYER_SECONDS
        version = fingerprint(engine, IMPORTED_LAYERS[name]) if name in IMPORTED_LAYERS else ""
        if version and version in request.if_none_match:
            return Response(status=304, headers={"ETag": f'"{version}"', "Cache-Control": "private, no-cache"})
        # keyed by what the layer depends on, never by the raw query string: ?nocache=1, 2, 3… must not
        # fill the cache with copies of one layer
        variant = f"{complaint_filter_query(_complaint_filter())}:{complaint_view()}" if name == "complaints" else ""
        key = f"layer:{name}:{version}:{variant}"
        compressed = single_flight(cache, key, lambda: gzip.compress(_layer_payload(engine, name), compresslevel=5), max_age)
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = Response(compressed, mimetype="application/geo+json")
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = Response(gzip.decompress(compressed), mimetype="application/geo+json")
        if version:
            response.set_etag(version)
            response.headers["Cache-Control"] = "private, no-cache"
        else:
            response.headers["Cache-Control"] = f"private, max-age={max_age}"
        response.headers["Vary"] = "Accept-Encoding, Cookie"  # what a user may see depends on who is logged in
        return response

    @bp.get("/api/complaints/<int:complaint_id>")
    def complaint(complaint_id: int):
        record = layers.read_complaint(engine, complaint_id)
        if record is None:
            abort(404, description="No such complaint")
        record = current_account().complaint_view(record)
        if record is None:
            abort(403, description="This complaint belongs to another agency")
        names = layers.area_names(engine)
        # what the popup shows, written here so that the map writes times and places as every page does
        shown = {"desa": names.get(record.get("desa_code")), "kecamatan": names.get(record.get("kecamatan_code")),
                 **{f"{key}_text": wit_time(record.get(key)) if record.get(key) else None
                    for key in ("created_at", "responded_at", "closed_at")}}
        return jsonify({**{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in record.items()}, **shown})

    server.register_blueprint(bp)
