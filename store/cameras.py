"""The camera list as the camera readers need it, read from the data store on every sync, so that
adding, editing or removing a camera takes effect without a restart."""
from __future__ import annotations

from sqlalchemy import Engine, select

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
