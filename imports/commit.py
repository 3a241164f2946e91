"""Storing a prepared import, and undoing it.

A commit runs in one transaction: the layer as it was is kept (gzipped JSON rows in
:class:`imports.models.LayerImport`), rows whose key the layer already holds are updated in place
(their id stays, so readings, deposits and alerts still point at them), new rows are inserted, and
in "replace" mode the rows the file no longer has are deleted unless something still refers to
them (those are kept and counted). Any failure rolls everything back: the store is as it was.
Undo puts the kept rows back the same way. Both are written to the audit log.
"""
from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine, bindparam, delete, insert, select, text, update

from auth import audit
from geo.boundaries import assign_areas
from imports.models import LayerImport
from imports.prepare import Prepared
from geo.reader import ImportRefused
from imports.specs import SPECS
from store.layers import read_admin_areas
from store.models import Base, PointMixin


@dataclass(frozen=True)
class Committed:
    """What an import or an undo did: its import id, rows inserted, updated, deleted, and rows the
    file did not have that were kept because something refers to them."""

    import_id: int
    inserted: int
    updated: int
    deleted: int
    kept_referenced: int


def commit(engine: Engine, prepared: Prepared, *, username: str | None, source_name: str | None = None,
           all_or_nothing: bool = False, mode: str | None = None, progress=None, ip: str | None = None) -> Committed:
    """Store ``prepared`` (see the module docstring). ``all_or_nothing``: refuse the whole file when
    any row is refused. ``progress(done, total)`` is called as rows are written. Raises
    :class:`ImportRefused` ("rows_refused", "nothing_taken"), storing nothing."""
    spec = prepared.spec
    counts = prepared.counts
    if all_or_nothing and counts["refused"]:
        raise ImportRefused("rows_refused", f"{counts['refused']} rows refused; nothing stored", count=counts["refused"])
    features = prepared.features
    if len(features) == 0:
        raise ImportRefused("nothing_taken", "no row could be taken; nothing stored")
    mode = mode or spec.mode
    model = spec.model
    if spec.in_areas:
        features = pd.concat([features, assign_areas(features.geometry, read_admin_areas(engine, "desa"))], axis=1)
    with engine.begin() as conn:
        previous = _table_rows(conn, model)
        existing = {} if spec.key is None else {row[spec.key]: row["id"] for row in previous}
        ids = features[spec.key].map(existing) if spec.key else pd.Series(np.nan, index=features.index)
        matched = ids.notna().to_numpy()
        records = _records(model, features)
        for record, row_id in zip(records, ids):
            record["id"] = None if pd.isna(row_id) else int(row_id)
        updated_records = [r for r, m in zip(records, matched) if m]
        new_records = [{k: v for k, v in r.items() if k != "id"} for r, m in zip(records, matched) if not m]
        _update(conn, model, updated_records)
        _insert(conn, model, new_records, progress, len(records))
        deleted = kept = 0
        if mode == "replace":
            stale = {row["id"] for row in previous} - {r["id"] for r in updated_records}
            deleted, kept = _delete_unreferenced(conn, model, stale)
        import_id = conn.execute(insert(LayerImport).values(
            layer=spec.name, created_at=datetime.utcnow(), username=username, source_name=(source_name or "")[:200] or None, mode=mode,
            mapping=prepared.mapping, counts=counts, previous=_pack(previous)).returning(LayerImport.id)).scalar_one()
    result = Committed(import_id, len(new_records), len(updated_records), deleted, kept)
    audit.record(engine, f"import.{spec.name}", username=username, target=source_name, ip=ip,
                 detail={**counts, "import": import_id, "mode": mode, "inserted": result.inserted, "updated": result.updated,
                         "deleted": result.deleted})
    return result


def undo(engine: Engine, import_id: int, *, username: str | None, ip: str | None = None) -> Committed:
    """Put the layer back as it was before import ``import_id``, the layer's latest import not yet
    undone; ImportRefused("not_latest"/"unknown_import") otherwise."""
    with engine.begin() as conn:
        row = conn.execute(select(LayerImport.__table__).where(LayerImport.id == import_id)).mappings().first()
        if row is None or row["undone_at"] is not None:
            raise ImportRefused("unknown_import", f"no import {import_id} to undo")
        latest = conn.execute(select(LayerImport.id).where(LayerImport.layer == row["layer"], LayerImport.undone_at.is_(None))
                              .order_by(LayerImport.id.desc()).limit(1)).scalar_one()
        if latest != import_id:
            raise ImportRefused("not_latest", "a later import of this layer must be undone first", later=latest)
        model = SPECS[row["layer"]].model
        restored = _unpack(row["previous"], model)
        current = {r["id"] for r in _table_rows(conn, model)}
        back = [r for r in restored if r["id"] in current]
        again = [r for r in restored if r["id"] not in current]
        _update(conn, model, back)
        _insert(conn, model, again, None, len(again), keep_ids=True)
        deleted, kept = _delete_unreferenced(conn, model, current - {r["id"] for r in restored})
        conn.execute(update(LayerImport).where(LayerImport.id == import_id).values(undone_at=datetime.utcnow()))
    audit.record(engine, f"import.{row['layer']}.undo", username=username, target=row["source_name"], ip=ip, detail={"import": import_id})
    return Committed(import_id, len(again), len(back), deleted, kept)


def history(engine: Engine, layer: str, limit: int = 10) -> list[dict]:
    """The layer's latest imports, newest first (id, created_at, username, source_name, mode, counts, undone_at)."""
    columns = [LayerImport.id, LayerImport.created_at, LayerImport.username, LayerImport.source_name, LayerImport.mode,
               LayerImport.counts, LayerImport.undone_at]
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(*columns).where(LayerImport.layer == layer)
                                               .order_by(LayerImport.id.desc()).limit(limit)).mappings()]


def latest_import(engine: Engine, layer: str) -> int | None:
    """The id of the layer's latest import not yet undone (what Undo undoes), or None."""
    with engine.connect() as conn:
        return conn.execute(select(LayerImport.id).where(LayerImport.layer == layer, LayerImport.undone_at.is_(None))
                            .order_by(LayerImport.id.desc()).limit(1)).scalar_one_or_none()


def remembered_mapping(engine: Engine, layer: str) -> dict[str, str | None]:
    """The column mapping of the layer's last import (empty when it was never imported)."""
    with engine.connect() as conn:
        mapping = conn.execute(select(LayerImport.mapping).where(LayerImport.layer == layer)
                               .order_by(LayerImport.id.desc()).limit(1)).scalar_one_or_none()
    return mapping or {}


def _table_rows(conn, model) -> list[dict]:
    return [dict(r) for r in conn.execute(select(model.__table__).order_by(model.__table__.c.id)).mappings()]


def _records(model, features: gpd.GeoDataFrame) -> list[dict]:
    """Table rows (column -> value) for ``features`` (EPSG:4326): lon/lat for points, WKB and extent otherwise."""
    columns = [c for c in features.columns if c != "geometry" and c in model.__table__.columns and c != "id"]
    rows = pd.DataFrame(features[columns])
    geometry = features.geometry.to_numpy()
    if issubclass(model, PointMixin):
        rows["lon"], rows["lat"] = shapely.get_x(geometry), shapely.get_y(geometry)
    else:
        rows["geom_wkb"] = shapely.to_wkb(geometry)
        rows["min_lon"], rows["min_lat"], rows["max_lon"], rows["max_lat"] = shapely.bounds(geometry).T
    return rows.astype(object).where(rows.notna(), None).to_dict("records")


CHUNK = 5000


def _insert(conn, model, records: list[dict], progress, total: int, keep_ids: bool = False) -> None:
    for start in range(0, len(records), CHUNK):
        conn.execute(insert(model), records[start:start + CHUNK])
        if progress:
            progress(min(start + CHUNK, len(records)), total)
    if keep_ids and records and conn.dialect.name == "postgresql":
        table = model.__tablename__
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def _update(conn, model, records: list[dict]) -> None:
    if not records:
        return
    names = [k for k in records[0] if k != "id"]
    statement = update(model.__table__).where(model.__table__.c.id == bindparam("row_id")).values(
        {name: bindparam(f"v_{name}") for name in names})
    conn.execute(statement, [{"row_id": r["id"], **{f"v_{n}": r.get(n) for n in names}} for r in records])


def _delete_unreferenced(conn, model, stale: set[int]) -> tuple[int, int]:
    """Delete the rows ``stale`` of ``model`` that no other table refers to; (deleted, kept)."""
    if not stale:
        return 0, 0
    referenced: set[int] = set()
    for table in Base.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            if foreign_key.column.table is model.__table__:
                referenced |= set(conn.execute(select(foreign_key.parent).distinct().where(foreign_key.parent.is_not(None))).scalars())
    doomed = sorted(stale - referenced)
    for start in range(0, len(doomed), CHUNK):
        conn.execute(delete(model).where(model.id.in_(doomed[start:start + CHUNK])))
    return len(doomed), len(stale) - len(doomed)


def _encode(value):
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, (bytes, memoryview)):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    raise TypeError(f"cannot keep {type(value).__name__}")


def _decode(obj: dict):
    if "$dt" in obj:
        return datetime.fromisoformat(obj["$dt"])
    if "$d" in obj:
        return date.fromisoformat(obj["$d"])
    if "$b" in obj:
        return base64.b64decode(obj["$b"])
    return obj


def _pack(rows: list[dict]) -> bytes:
    return gzip.compress(json.dumps(rows, default=_encode).encode(), compresslevel=5)


def _unpack(data: bytes, model) -> list[dict]:
    columns = set(model.__table__.columns.keys())
    return [{k: v for k, v in row.items() if k in columns} for row in json.loads(gzip.decompress(data), object_hook=_decode)]
