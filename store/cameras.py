"""The camera list as the camera readers need it, read from the data store on every sync, so that
adding, editing or removing a camera takes effect without a restart; and those edits (admin page)."""
from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import orjson
import shapely
from sqlalchemy import Engine, delete, insert, select, update

from cameras.config import CameraSettings, ConfigError, parse_spec
from geo.geojson import to_geojson_bytes
from geo.sectors import camera_sectors
from store import layers
from store.models import AdminArea, Camera


def camera_specs(engine: Engine) -> list[dict]:
    """One dict per camera with the fields cameras.parse_spec reads (kecamatan by name)."""
    query = (
        select(Camera.id, Camera.name, Camera.kind, Camera.stream_url, Camera.heading_deg, Camera.fov_deg,
               Camera.range_m, AdminArea.name.label("kecamatan"))
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
    with engine.connect() as conn:
        names = dict(conn.execute(select(AdminArea.code, AdminArea.name)).all())
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
    """Every camera with the fields an admin edits, by id."""
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(Camera.id, *(getattr(Camera, f) for f in CAMERA_FIELDS)).order_by(Camera.id))]


def validate_camera(fields: dict, media_root: Path | None) -> dict:
    """The fields of a camera to store, checked: name, kind, group (a-z, 0-9, _), lon/lat in degrees
    (WGS 84), heading/FOV in degrees, range in metres, and a stream URL the camera readers accept
    (cameras.config: rtsp, rtsps, http, https, demo, and files only under the media folder).
    Raises ConfigError with the reason (a code of cameras.config.REFUSAL_TEXT and its figures)."""
    spec = parse_spec({**fields, "id": 0}, CameraSettings(media_root=media_root))
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
            "fov_deg": spec.fov_deg, "range_m": spec.range_m, "stream_url": spec.stream_url}


def _area_codes(conn, lon: float, lat: float) -> dict:
    """The desa and kecamatan a point lies in (None outside every desa)."""
    rows = conn.execute(select(AdminArea.code, AdminArea.parent_code, AdminArea.geom_wkb).where(
        AdminArea.level == "desa", AdminArea.min_lon <= lon, AdminArea.max_lon >= lon,
        AdminArea.min_lat <= lat, AdminArea.max_lat >= lat))
    point = shapely.Point(lon, lat)
    for code, parent, wkb in rows:
        if shapely.from_wkb(wkb).contains(point):
            return {"desa_code": code, "kecamatan_code": parent}
    return {"desa_code": None, "kecamatan_code": None}


def save_camera(engine: Engine, camera_id: int | None, values: dict) -> int:
    """Insert (camera_id None) or update a camera with validated `values`; returns its id."""
    with engine.begin() as conn:
        values = {**values, **_area_codes(conn, values["lon"], values["lat"])}
        if camera_id is None:
            return conn.execute(insert(Camera).values(**values, status="unknown").returning(Camera.id)).scalar_one()
        if conn.execute(update(Camera).where(Camera.id == camera_id).values(**values)).rowcount == 0:
            raise ConfigError(camera_id, "no_such_camera")
        return camera_id


def delete_camera(engine: Engine, camera_id: int) -> bool:
    with engine.begin() as conn:
        return conn.execute(delete(Camera).where(Camera.id == camera_id)).rowcount > 0
