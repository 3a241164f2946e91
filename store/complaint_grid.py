"""Complaints for the map by zoom and view: grid aggregates computed in the database, single points only
where a cell holds one complaint or the whole view holds few.

A million complaints as GeoJSON would be about 120 MB; the browser instead gets one feature per grid
cell of `CELL_PX` screen pixels at the zoom it shows (a few hundred features for the whole city). The
database does the binning (GROUP BY on integer cell numbers), so only the cells travel to Python.

Cells are square in degrees (lon and lat binned alike): at Ambon's latitude (3.7° S) Web Mercator
stretches latitude by 0.2 %, so a cell is, on screen, square to within a pixel.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine, Integer, case, cast, func, select

from geo.crs import WGS84
from store.layers import BBox, ComplaintFilter, _bbox_clause
from store.models import Complaint
from store.vocabulary import COMPLAINT_STATUSES

CELL_PX = 64
"""Edge of one grid cell in screen pixels (256-pixel tiles)."""
POINTS_MAX = 1000
"""A view holding at most this many complaints gets them one by one (with id, category)."""
MIN_ZOOM, MAX_ZOOM = 0, 22
SNAP_TILES = 4
"""A view's bbox is widened to a block of SNAP_TILES x SNAP_TILES tiles: panning inside it reuses one URL
(and one cached payload) instead of one per pixel moved."""
DUE_SOON = timedelta(days=1)


def cell_degrees(zoom: int) -> float:
    """Edge of one grid cell at `zoom`, in degrees."""
    return 360.0 / (256 * 2 ** zoom) * CELL_PX


def clamp_zoom(zoom) -> int | None:
    """`zoom` as a whole zoom level within MIN_ZOOM..MAX_ZOOM, or None when it is not a number."""
    try:
        value = float(zoom)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    return int(min(MAX_ZOOM, max(MIN_ZOOM, round(value))))


def snap_bbox(bbox: BBox, zoom: int) -> BBox:
    """`bbox` (min_lon, min_lat, max_lon, max_lat) widened outwards to whole blocks of SNAP_TILES tiles at
    `zoom`, so that every view inside one block asks for (and caches) the same area."""
    step = 360.0 / 2 ** zoom * SNAP_TILES
    min_lon, min_lat, max_lon, max_lat = bbox
    snapped = (math.floor(min_lon / step) * step, math.floor(min_lat / step) * step,
               math.ceil(max_lon / step) * step, math.ceil(max_lat / step) * step)
    return tuple(round(v, 9) for v in snapped)  # type: ignore[return-value]


def deadline_state(now: datetime):
    """SQL: a complaint's deadline state as its index in layouts.styles.DEADLINE_COLOURS (overdue, due
    within a day, on time, no running deadline)."""
    due = Complaint.next_due_at
    return case((due.is_(None), 3), (due < now, 0), (due < now + DUE_SOON, 1), else_=2)


def _cell(engine: Engine, column, origin: float, size: float):
    shifted = (column - origin) / size  # always positive: truncation is floor
    return func.floor(shifted) if engine.dialect.name == "postgresql" else cast(shifted, Integer)


def complaint_cells(engine: Engine, complaint_filter: ComplaintFilter, zoom: int, bbox: BBox | None, now: datetime) -> pd.DataFrame:
    """The complaints matching the filter inside `bbox` (all when None), one row per grid cell at `zoom`:
    lon, lat (the mean position of its complaints, degrees), n (how many), s (index in
    COMPLAINT_STATUSES of its most frequent status), d (its most urgent deadline state, so that an overdue
    complaint never hides in a green group) and id (the complaint's id when n is 1, else -1)."""
    size = cell_degrees(zoom)
    cx, cy = _cell(engine, Complaint.lon, -180.0, size).label("cx"), _cell(engine, Complaint.lat, -90.0, size).label("cy")
    d = deadline_state(now).label("d")
    statement = (
        select(cx, cy, Complaint.status, d, func.count().label("n"), func.sum(Complaint.lon).label("sum_lon"),
               func.sum(Complaint.lat).label("sum_lat"), func.min(Complaint.id).label("min_id"))
        .where(complaint_filter.clause(), _bbox_clause(Complaint, bbox))
        .group_by(cx, cy, Complaint.status, d)
    )
    with engine.connect() as conn:
        parts = pd.DataFrame(conn.execute(statement).all(), columns=["cx", "cy", "status", "d", "n", "sum_lon", "sum_lat", "min_id"])
    if parts.empty:
        return pd.DataFrame({"lon": [], "lat": [], "n": [], "s": [], "d": [], "id": []})
    parts["s"] = parts.status.map({s: i for i, s in enumerate(COMPLAINT_STATUSES)}).fillna(-1).astype(int)
    by_status = parts.groupby(["cx", "cy", "s"], as_index=False).n.sum()
    dominant = by_status.sort_values("n", ascending=False).drop_duplicates(["cx", "cy"]).set_index(["cx", "cy"]).s
    cells = parts.groupby(["cx", "cy"]).agg(n=("n", "sum"), sum_lon=("sum_lon", "sum"), sum_lat=("sum_lat", "sum"),
                                             d=("d", "min"), min_id=("min_id", "min"))
    return pd.DataFrame({
        "lon": (cells.sum_lon / cells.n).to_numpy(), "lat": (cells.sum_lat / cells.n).to_numpy(),
        "n": cells.n.to_numpy(dtype=np.int64), "s": dominant.reindex(cells.index).to_numpy(dtype=np.int64),
        "d": cells.d.to_numpy(dtype=np.int64), "id": np.where(cells.n.to_numpy() == 1, cells.min_id.to_numpy(), -1),
    })


def cells_geojson(cells: pd.DataFrame) -> gpd.GeoDataFrame:
    """Cells as map features: a group (cluster, point_count) where n > 1, a complaint (id) where n is 1."""
    frame = gpd.GeoDataFrame(
        {"cluster": cells.n.to_numpy() > 1, "point_count": cells.n.to_numpy(), "s": cells.s.to_numpy(), "d": cells.d.to_numpy(),
         "id": cells.id.to_numpy()},
        geometry=gpd.points_from_xy(cells.lon, cells.lat), crs=WGS84)
    return frame
