"""Map layers as compact GeoJSON by URL, and the details behind a clicked feature.

The map fetches layers here rather than through callback payloads: the browser caches them, the
server caches the encoded bytes (flask-caching, shared between workers when Redis is configured),
and gzip cuts 100,000 complaints to about a megabyte.
"""
from __future__ import annotations

import gzip

import geopandas as gpd
import shapely
from flask import Blueprint, Flask, Response, abort, jsonify, request
from flask_caching import Cache
from sqlalchemy import Engine

from auth.web import current_account
from geo.ambon import island_outline
from geo.geojson import to_geojson_bytes
from geo.roads import road_group
from geo.sectors import camera_sectors
from store import layers
from store.layers import fingerprint
from store.cameras import CAMERA_PROPERTIES, camera_points
from store.filters import parse_complaint_filter
from store.roads import read_roads
from store.models import AdminArea, Business, Camera, FloodZone, River, Road, TpsSite
from store.vocabulary import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES
from tax.anomalies import deposit_flags, deposit_summary

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


def _complaints_payload(engine: Engine) -> bytes:
    complaint_filter, _ = parse_complaint_filter(request.args.to_dict(flat=False))
    complaint_filter = complaint_filter.within_agency(_complaint_scope())
    points = layers.read_complaints(engine, complaint_filter)
    # status and category travel as indexes into the vocabularies: a few bytes per point
    points["s"] = points.status.map({s: i for i, s in enumerate(COMPLAINT_STATUSES)})
    points["c"] = points.category.map({c: i for i, c in enumerate(COMPLAINT_CATEGORIES)})
    return to_geojson_bytes(points, ["id", "s", "c"], decimals=5)


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
        return to_geojson_bytes(layers.read_features(engine, TpsSite), ["id", "name", "capacity_m3", "desa_code"])
    if name == "roads":
        roads = read_roads(engine)
        roads["g"] = road_group(roads["highway"]).to_numpy()  # the style group; the class itself is not drawn
        return to_geojson_bytes(roads, ["name", "g"])
    if name == "rivers":
        return to_geojson_bytes(layers.read_features(engine, River), ["id", "name"])
    if name == "flood_zones":
        return to_geojson_bytes(layers.read_features(engine, FloodZone), ["id", "name", "hazard"])
    if name == "businesses":
        businesses = layers.read_features(engine, Business)
        flags = deposit_flags(layers.read_all_deposits(engine)).set_index("business_id")["flag"]
        businesses["flag"] = businesses["id"].map(flags).fillna(0).astype(int)  # unusual deposits to follow up
        return to_geojson_bytes(businesses, ["id", "name", "category", "flag"])
    abort(404, description=f"No map layer named {name!r}")


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
        key = f"layer:{version}:{_complaint_scope() if name == 'complaints' else ''}:{request.full_path}"
        compressed = cache.get(key)
        if compressed is None:
            compressed = gzip.compress(_layer_payload(engine, name), compresslevel=5)
            cache.set(key, compressed, timeout=max_age)
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
        return jsonify({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in record.items()})

    @bp.get("/api/businesses/<int:business_id>")
    def business(business_id: int):
        deposits = layers.read_business_deposits(engine, business_id)
        if deposits.empty:
            abort(404, description="No such business or no deposits")
        return jsonify(deposit_summary(deposits))

    server.register_blueprint(bp)
