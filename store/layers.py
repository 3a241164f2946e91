"""The one place where data moves between the store and GeoDataFrames.

Every function takes or returns GeoDataFrames in EPSG:4326. Callbacks and routes call these; they
never write SQL of their own.
"""
from __future__ import annotations


from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine, and_, delete, func, insert, select, text

from geo.crs import WGS84
from store.models import (
    AdminArea,
    Complaint,
    PointMixin,
)

BBox = tuple[float, float, float, float]
"""(min_lon, min_lat, max_lon, max_lat)."""


def _is_point_model(model) -> bool:
    return issubclass(model, PointMixin)


def write_features(engine: Engine, model, features: gpd.GeoDataFrame) -> list[int]:
    """Insert `features` (any CRS; reprojected to lon/lat) as rows of `model`; returns the new ids.

    Columns that are not attributes of the model are ignored; `id`, when present, is kept.
    """
    with engine.begin() as conn:
        return insert_features(conn, model, features)


def replace_features(engine: Engine, model, features: gpd.GeoDataFrame) -> list[int]:
    """Every row of `model` replaced by `features`, in one transaction: readers see the old rows
    or the new ones, never an empty table."""
    with engine.begin() as conn:
        conn.execute(delete(model))
        return insert_features(conn, model, features)


def insert_features(conn, model, features: gpd.GeoDataFrame) -> list[int]:
    """:func:`write_features` inside the caller's transaction ``conn``."""
    if features.crs is None:
        raise ValueError("features have no CRS")
    features = features.to_crs(WGS84)
    columns = [c for c in features.columns if c != "geometry" and c in model.__table__.columns]
    rows = pd.DataFrame(features[columns])
    geoms = features.geometry.values
    if _is_point_model(model):
        rows["lon"], rows["lat"] = shapely.get_x(geoms), shapely.get_y(geoms)
    else:
        rows["geom_wkb"] = shapely.to_wkb(geoms)
        bounds = shapely.bounds(geoms)
        rows["min_lon"], rows["min_lat"], rows["max_lon"], rows["max_lat"] = bounds.T
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    if not records:
        return []
    if "id" in rows:
        conn.execute(insert(model), records)
        if conn.dialect.name == "postgresql":
            # explicit ids do not advance the serial sequence; later inserts would collide
            table = model.__tablename__
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        return [int(i) for i in rows["id"]]
    return [row.id for row in conn.execute(insert(model).returning(model.id), records)]


def _bbox_clause(model, bbox: BBox | None):
    if bbox is None:
        return True
    min_lon, min_lat, max_lon, max_lat = bbox
    if _is_point_model(model):
        return and_(model.lon >= min_lon, model.lon <= max_lon, model.lat >= min_lat, model.lat <= max_lat)
    return and_(model.max_lon >= min_lon, model.min_lon <= max_lon, model.max_lat >= min_lat, model.min_lat <= max_lat)


def _to_frame(engine: Engine, statement, model) -> gpd.GeoDataFrame:
    with engine.connect() as conn:
        frame = pd.read_sql(statement, conn)
    if _is_point_model(model):
        geometry = gpd.points_from_xy(frame.pop("lon"), frame.pop("lat"))
    else:
        geometry = shapely.from_wkb(frame.pop("geom_wkb").to_numpy())
        frame = frame.drop(columns=["min_lon", "min_lat", "max_lon", "max_lat"])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)


def read_features(engine: Engine, model, *, bbox: BBox | None = None, columns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Rows of `model` intersecting `bbox` (all when None) as a GeoDataFrame in EPSG:4326.

    `columns` limits the attribute columns read (geometry always comes along).
    """
    geometry_columns = ["lon", "lat"] if _is_point_model(model) else ["geom_wkb", "min_lon", "min_lat", "max_lon", "max_lat"]
    names = list(columns) if columns is not None else [c.name for c in model.__table__.columns if c.name not in geometry_columns]
    table_columns = model.__table__.columns
    statement = select(*(table_columns[c] for c in [*names, *geometry_columns])).where(_bbox_clause(model, bbox))
    return _to_frame(engine, statement.order_by(table_columns["id"]), model)


def fingerprint(engine: Engine, model) -> str:
    """A short text that changes whenever the rows of ``model`` (a line or polygon table) do: their
    count and summed extents. Map layers an import can replace are served with it as their ETag."""
    with engine.connect() as conn:
        count, total = conn.execute(select(func.count(), func.sum(model.min_lon + model.min_lat + model.max_lon + model.max_lat))).one()
    return f"{count}-{total or 0:.6f}"


def read_admin_areas(engine: Engine, level: str) -> gpd.GeoDataFrame:
    """Kecamatan (`level="kecamatan"`) or desa/kelurahan (`level="desa"`) polygons."""
    statement = select(AdminArea.__table__).where(AdminArea.level == level).order_by(AdminArea.code)
    return _to_frame(engine, statement, AdminArea)


def area_names(engine: Engine) -> dict[str, str]:
    """The name of every kecamatan and desa by its code, for what people read instead of codes."""
    with engine.connect() as conn:
        return dict(conn.execute(select(AdminArea.code, AdminArea.name)).all())


@dataclass(frozen=True)
class ComplaintFilter:
    """What the side panel filters complaints by. Empty tuples mean "all"; dates are inclusive."""

    date_from: date | None = None
    date_to: date | None = None
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    kecamatan_codes: tuple[str, ...] = field(default=())
    overdue: bool = False
    """Only complaints past their running deadline (complaints desk)."""

    def within_agency(self, agency: str | None) -> ComplaintFilter:
        """This filter limited to one agency's complaints (None: unchanged)."""
        return self if agency is None else replace(self, agencies=(agency,))

    def clause(self):
        conditions = []
        if self.date_from is not None:
            conditions.append(Complaint.created_at >= datetime.combine(self.date_from, time.min))
        if self.date_to is not None:
            conditions.append(Complaint.created_at < datetime.combine(self.date_to + timedelta(days=1), time.min))
        for column, values in (
            (Complaint.category, self.categories),
            (Complaint.status, self.statuses),
            (Complaint.agency, self.agencies),
            (Complaint.kecamatan_code, self.kecamatan_codes),
        ):
            if values:
                conditions.append(column.in_(values))
        if self.overdue:
            conditions.append(Complaint.next_due_at < datetime.utcnow())
        return and_(True, *conditions)


COMPLAINT_MAP_COLUMNS = ("id", "status", "category")
"""What the complaints layer ships per point; details come on click."""


def read_complaints(
    engine: Engine,
    complaint_filter: ComplaintFilter,
    *,
    bbox: BBox | None = None,
    columns: Sequence[str] = COMPLAINT_MAP_COLUMNS,
) -> gpd.GeoDataFrame:
    """Complaints matching the filter (and bbox) as points, with only `columns` as attributes."""
    table_columns = Complaint.__table__.columns
    statement = (
        select(*(table_columns[c] for c in columns), Complaint.lon, Complaint.lat)
        .where(complaint_filter.clause(), _bbox_clause(Complaint, bbox))
        .order_by(Complaint.id)
    )
    return _to_frame(engine, statement, Complaint)


def count_complaints_by_status(engine: Engine, complaint_filter: ComplaintFilter, *, bbox: BBox | None = None) -> dict[str, int]:
    """Number of complaints per status that match the filter inside bbox."""
    statement = (
        select(Complaint.status, func.count())
        .where(complaint_filter.clause(), _bbox_clause(Complaint, bbox))
        .group_by(Complaint.status)
    )
    with engine.connect() as conn:
        return {status: count for status, count in conn.execute(statement)}


def count_in_bbox(engine: Engine, model, bbox: BBox | None) -> int:
    """How many rows of `model` intersect bbox."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(_bbox_clause(model, bbox))).scalar_one()


def ids_in_bbox(engine: Engine, model, bbox: BBox | None) -> list[int]:
    """The ids of the rows of `model` intersecting bbox, in id order (no frame built: for a panel
    that only needs to know which rows are in view, every few seconds)."""
    with engine.connect() as conn:
        return list(conn.execute(select(model.id).where(_bbox_clause(model, bbox)).order_by(model.id)).scalars())


def read_complaint(engine: Engine, complaint_id: int) -> dict | None:
    """One complaint's full record (for its popup), or None when there is no such complaint."""
    with engine.connect() as conn:
        row = conn.execute(select(Complaint.__table__).where(Complaint.id == complaint_id)).mappings().first()
    return dict(row) if row else None


def is_empty(engine: Engine) -> bool:
    """True when the store holds no admin areas yet (a fresh database)."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AdminArea)).scalar_one() == 0


def complaint_date_range(engine: Engine) -> tuple[date, date]:
    """First and last day on which complaints were received (today twice when there are none)."""
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(Complaint.created_at), func.max(Complaint.created_at))).one()
    if first is None:
        today = date.today()
        return today, today
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()
