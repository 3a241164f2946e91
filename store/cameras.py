"""The camera list as the camera readers need it, read from the data store on every sync, so that
adding, editing or removing a camera takes effect without a restart; and those edits (admin page)."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import orjson
import shapely
from sqlalchemy import Engine, delete, insert, select, update

from config.cameras import AddressPolicy, CameraSettings, ConfigError, check_address, parse_spec, split_credentials
from geo.boundaries import WATERFRONT_M, assign_areas
from geo.crs import WGS84
from geo.geojson import to_geojson_bytes
from geo.sectors import camera_sectors
from store import layers
from store.models import AdminArea, Camera

WATERFRONT_DEG = 2 * WATERFRONT_M / 111_000
"""The waterfront distance in degrees of longitude or latitude, doubled for room (near the equator, as Ambon is, a degree is about 111 km either way)."""


def camera_specs(engine: Engine) -> list[dict]:
    """One dict per camera with the fields cameras.parse_spec reads (kecamatan by name)."""
    query = (
        select(Camera.id, Camera.uid, Camera.name, Camera.kind, Camera.stream_url, Camera.stream_username, Camera.stream_password, Camera.group,
               Camera.heading_deg, Camera.fov_deg, Camera.range_m, AdminArea.name.label("kecamatan"))
        .outerjoin(AdminArea, (AdminArea.code == Camera.kecamatan_code) & (AdminArea.level == "kecamatan"))
        .order_by(Camera.id)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


CAMERA_PROPERTIES = ["id", "name", "kind", "status", "heading_deg", "fov_deg", "range_m", "desa_code", "kecamatan_code", "desa", "kecamatan"]


def camera_points(engine: Engine, bbox: layers.BBox | None = None) -> gpd.GeoDataFrame:
    """Camera positions (EPSG:4326) with their spec and the names of their desa and kecamatan,
    inside `bbox` (all when None)."""
    cameras = layers.read_features(engine, Camera, bbox=bbox)
    names = layers.area_names(engine)
    return cameras.assign(desa=cameras["desa_code"].map(names), kecamatan=cameras["kecamatan_code"].map(names))


def camera_geojson(engine: Engine, status_by_id: dict[int, str]) -> dict:
    """The camera markers' FeatureCollection with each camera's current health status."""
    cameras = camera_points(engine)
    cameras["status"] = cameras["id"].map(status_by_id).fillna("unknown")
    return orjson.loads(to_geojson_bytes(cameras, CAMERA_PROPERTIES))


def selected_sector_geojson(engine: Engine, camera_id: int) -> dict:
    """The field-of-view cone of one camera, to highlight it while its live view is open."""
    camera = camera_points(engine).query("id == @camera_id")
    return orjson.loads(to_geojson_bytes(camera.set_geometry(camera_sectors(camera)), ["id", "kind"]))


CAMERA_FIELDS = ("name", "kind", "group", "lon", "lat", "heading_deg", "fov_deg", "range_m", "stream_url")
GROUP_PATTERN = re.compile(r"^[a-z0-9_]{1,40}$")


def list_cameras(engine: Engine) -> list[dict]:
    """Every camera with the fields an admin edits, by id (the stream URL without its credentials)."""
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(Camera.id, *(getattr(Camera, f) for f in CAMERA_FIELDS)).order_by(Camera.id))]


MAX_NAME = Camera.name.type.length
MAX_URL = Camera.stream_url.type.length


def validate_camera(fields: dict, media_root: Path | None, address_policy: AddressPolicy | None = None) -> dict:
    """The fields of a camera to store, checked: name, kind, group (a-z, 0-9, _), lon/lat in degrees
    (WGS 84), heading/FOV in degrees, range in metres, and a stream URL the camera readers accept
    (config.cameras: rtsp, rtsps, http, https, demo, and files only under the media folder; no
    whitespace or control characters; an address `address_policy` allows, names looked up now).
    User name and password in the URL come back apart (`stream_username`, `stream_password`).
    Raises ConfigError with the reason (a code of config.cameras.REFUSAL_TEXT and its figures)."""
    spec = parse_spec({**fields, "id": 0}, CameraSettings(media_root=media_root, address_policy=address_policy))
    if any(unicodedata.category(ch) == "Cc" for ch in spec.name):
        raise ConfigError(None, "control_characters", field="name")
    if len(spec.name) > MAX_NAME:
        raise ConfigError(None, "too_long", field="name", limit=MAX_NAME)
    check_address(0, spec.stream_url, address_policy, resolve=True)
    stream_url, username, password = split_credentials(spec.stream_url)
    if len(stream_url) > MAX_URL:
        raise ConfigError(None, "too_long", field="stream_url", limit=MAX_URL)
    if len(username or "") > Camera.stream_username.type.length or len(password or "") > Camera.stream_password.type.length:
        raise ConfigError(None, "too_long", field="stream_url", limit=MAX_URL)
    group = str(fields.get("group") or "").strip()
    if not GROUP_PATTERN.match(group):
        raise ConfigError(None, "bad_group")
    try:
        lon, lat = float(fields.get("lon")), float(fields.get("lat"))
    except (TypeError, ValueError):
        raise ConfigError(None, "lonlat_not_numbers") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ConfigError(None, "lonlat_range")
    return {"name": spec.name, "kind": spec.kind, "group": group, "lon": lon, "lat": lat, "heading_deg": spec.heading_deg,
            "fov_deg": spec.fov_deg, "range_m": spec.range_m, "stream_url": stream_url,
            **({"stream_username": username, "stream_password": password} if username or password else {})}


def _area_codes(conn, lon: float, lat: float) -> dict:
    """The desa and kecamatan a point lies in, by the one rule of :func:`geo.boundaries.assign_areas`
    (the smaller of overlapping neighbours, the nearest within its waterfront distance offshore;
    None farther out). Only desa whose box comes within that distance are read."""
    margin = WATERFRONT_DEG
    rows = conn.execute(select(AdminArea.code, AdminArea.parent_code, AdminArea.geom_wkb).where(
        AdminArea.level == "desa", AdminArea.min_lon <= lon + margin, AdminArea.max_lon >= lon - margin,
        AdminArea.min_lat <= lat + margin, AdminArea.max_lat >= lat - margin)).all()
    desa = gpd.GeoDataFrame({"code": [r.code for r in rows], "parent_code": [r.parent_code for r in rows]},
                            geometry=shapely.from_wkb([r.geom_wkb for r in rows]), crs=WGS84)
    placed = assign_areas(gpd.GeoSeries([shapely.Point(lon, lat)], crs=WGS84), desa).iloc[0]
    return {"desa_code": placed["desa_code"], "kecamatan_code": placed["kecamatan_code"]}


def _storable_id(camera_id) -> bool:
    """Whether `camera_id` (from the browser) is an id a camera row can have: a 64-bit integer."""
    return isinstance(camera_id, int) and not isinstance(camera_id, bool) and 0 < camera_id < 2**63


def save_camera(engine: Engine, camera_id: int | None, values: dict) -> int:
    """Insert (camera_id None) or update a camera with validated `values`; returns its id. Stored
    credentials stay when `values` brings none (the admin form shows the URL without them)."""
    if camera_id is not None and not _storable_id(camera_id):
        raise ConfigError(None, "no_such_camera")
    with engine.begin() as conn:
        values = {**values, **_area_codes(conn, values["lon"], values["lat"])}
        if camera_id is None:
            return conn.execute(insert(Camera).values(**values, status="unknown").returning(Camera.id)).scalar_one()
        if conn.execute(update(Camera).where(Camera.id == camera_id).values(**values)).rowcount == 0:
            raise ConfigError(camera_id, "no_such_camera")
        return camera_id


def delete_camera(engine: Engine, camera_id: int) -> str | None:
    """Remove a camera; returns its permanent uid (its evidence stays filed under it, for admins),
    None when there was no such camera."""
    if not _storable_id(camera_id):
        return None
    with engine.begin() as conn:
        uid = conn.scalar(select(Camera.uid).where(Camera.id == camera_id))
        if uid is not None:
            conn.execute(delete(Camera).where(Camera.id == camera_id))
        return uid
