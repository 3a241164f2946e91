"""Citizens' reports as the public may see them: counted per desa, by category and status, never
a text, a name or an exact position. Map shapes are SVG paths in a box of `width` px."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import shapely
from sqlalchemy import Engine, func, select

from store.layers import read_admin_areas
from store.models import Complaint

OPEN_STATUSES = ("baru", "diteruskan", "diproses")


def report_counts(engine: Engine, now: datetime, days: int = 90) -> dict:
    """Reports received in the last `days` days: `by_desa` {desa code: {"open": n, "closed": n}},
    `by_category` {category: {status: n}}, `total`."""
    since = now - timedelta(days=days)
    by_desa: dict[str, dict[str, int]] = {}
    by_category: dict[str, dict[str, int]] = {}
    total = 0
    with engine.connect() as conn:
        rows = conn.execute(select(Complaint.desa_code, Complaint.category, Complaint.status, func.count())
                            .where(Complaint.created_at >= since).group_by(Complaint.desa_code, Complaint.category, Complaint.status))
        for desa, category, status, n in rows:
            total += n
            bucket = by_desa.setdefault(desa or "", {"open": 0, "closed": 0})
            bucket["open" if status in OPEN_STATUSES else "closed"] += n
            by_category.setdefault(category, {}).setdefault(status, 0)
            by_category[category][status] += n
    return {"by_desa": by_desa, "by_category": by_category, "total": total, "days": days}


def desa_shapes(engine: Engine, width: float = 360.0, tolerance_deg: float = 0.0004) -> dict:
    """The desa polygons as SVG paths: {"width", "height", "desa": [{"code", "name", "path"}]}.
    Lon/lat are drawn equirectangular with x shrunk by cos(latitude), so shapes keep their proportions."""
    desa = read_admin_areas(engine, "desa")
    if desa.empty:
        return {"width": width, "height": 0, "desa": []}
    min_lon, min_lat, max_lon, max_lat = desa.total_bounds
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = width / ((max_lon - min_lon) * x_scale)
    height = (max_lat - min_lat) * scale
    shapes = []
    for code, name, geometry in zip(desa.code, desa.name, desa.geometry):
        simple = shapely.simplify(geometry, tolerance_deg, preserve_topology=True)
        parts = []
        for polygon in getattr(simple, "geoms", [simple]):
            for ring in [polygon.exterior, *polygon.interiors]:
                points = " ".join(f"{(x - min_lon) * x_scale * scale:.1f},{(max_lat - y) * scale:.1f}" for x, y in ring.coords[:-1])
                parts.append(f"M{points}Z")
        shapes.append({"code": code, "name": name, "path": "".join(parts)})
    return {"width": width, "height": round(height, 1), "desa": shapes}


def shade_bounds(highest: int, classes: int = 4) -> list[tuple[int, int]]:
    """(lowest, highest) report count of each colour class 1..`classes`, equal steps up to `highest`;
    classes that would hold no whole number are left out."""
    bounds, low = [], 1
    for k in range(1, classes + 1):
        high = math.ceil(highest * k / classes)
        if high >= low:
            bounds.append((low, high))
            low = high + 1
    return bounds


def shade(count: int, bounds: list[tuple[int, int]]) -> int:
    """Colour class of a desa with `count` reports: 0 for none, else the class of `shade_bounds` holding it."""
    for k, (_low, high) in enumerate(bounds, start=1):
        if 0 < count <= high:
            return k
    return 0
