"""The camera list as the camera readers need it, read from the data store on every sync, so that
adding, editing or removing a camera takes effect without a restart."""
from __future__ import annotations

import geopandas as gpd
import orjson
from sqlalchemy import Engine, select

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


CAMERA_PROPERTIES = ["id", "name", "kind", "status", "heading_deg", "fov_deg", "range_m", "desa_code", "kecamatan_code"]


def camera_points(engine: Engine, bbox: layers.BBox | None = None) -> gpd.GeoDataFrame:
    """Camera positions (EPSG:4326) with their spec, inside `bbox` (all when None)."""
    return layers.read_features(engine, Camera, bbox=bbox)


def camera_geojson(engine: Engine, status_by_id: dict[int, str]) -> dict:
    """The camera markers' FeatureCollection with each camera's current health status."""
    cameras = camera_points(engine)
    cameras["status"] = cameras["id"].map(status_by_id).fillna("unknown")
    return orjson.loads(to_geojson_bytes(cameras, CAMERA_PROPERTIES))


def selected_sector_geojson(engine: Engine, camera_id: int) -> dict:
    """The field-of-view cone of one camera, to highlight it while its live view is open."""
    camera = camera_points(engine).query("id == @camera_id")
    return orjson.loads(to_geojson_bytes(camera.set_geometry(camera_sectors(camera)), ["id", "kind"]))
