"""The city's kecamatan and desa/kelurahan boundaries in the store, replaced from a file (the demo's
are approximate), with every point feature put in its desa again after a desa import.

Command line, into the database the app uses (DATABASE_URL, as the app reads it):

    python -m store.boundaries kecamatan|desa FILE

Bad input exits with status 2 and one line on standard error; the stored boundaries stay.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, bindparam, delete, func, select, update

from geo.boundaries import BadBoundaries, assign_areas, normalise_admin_areas
from store.importing import import_file
from store.layers import insert_features, read_admin_areas
from store.models import AdminArea, Business, Camera, Complaint, TpsSite

PLACED_MODELS = (Camera, Complaint, TpsSite, Business)
"""Point tables that carry the desa and kecamatan they lie in."""


@dataclass(frozen=True)
class BoundaryImport:
    """What an import did: areas stored (and before), points placed in a desa again, and those no
    desa holds or lies near (their codes are now empty)."""

    level: str
    areas: int
    before: int
    points: int = 0
    unplaced: int = 0


def area_counts(engine: Engine) -> dict[str, int]:
    """How many areas of each level the store holds."""
    with engine.connect() as conn:
        rows = conn.execute(select(AdminArea.level, func.count()).group_by(AdminArea.level)).all()
    return {level: count for level, count in rows}


def import_admin_areas(engine: Engine, layer: gpd.GeoDataFrame, level: str) -> BoundaryImport:
    """Replace the stored areas of ``level`` by the polygons of ``layer``, in one transaction; a desa
    import also puts every camera, complaint, TPS site and business in its desa again. A desa's
    population stays when the file has none for it. Raises :class:`geo.boundaries.BadBoundaries`
    (and stores nothing)."""
    areas = normalise_admin_areas(layer, level)
    old = read_admin_areas(engine, level)
    known = old.set_index("code")["population"] if len(old) else pd.Series(dtype=float)
    areas["population"] = areas["population"].fillna(areas["code"].map(known)).astype("Int64")
    with engine.begin() as conn:
        conn.execute(delete(AdminArea).where(AdminArea.level == level))
        insert_features(conn, AdminArea, areas)
        if level != "desa":
            return BoundaryImport(level, len(areas), len(old))
        points = unplaced = 0
        for model in PLACED_MODELS:
            rows = pd.read_sql(select(model.id, model.lon, model.lat), conn)
            placed = assign_areas(gpd.GeoSeries(gpd.points_from_xy(rows.lon, rows.lat), crs="EPSG:4326"), areas)
            records = [{"row_id": int(i), "desa": d, "kecamatan": k}
                       for i, d, k in zip(rows["id"], placed["desa_code"], placed["kecamatan_code"])]
            if records:
                conn.execute(update(model).where(model.id == bindparam("row_id"))
                             .values(desa_code=bindparam("desa"), kecamatan_code=bindparam("kecamatan")), records)
            points += len(rows)
            unplaced += int(placed["desa_code"].isna().sum())
    return BoundaryImport(level, len(areas), len(old), points, unplaced)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m store.boundaries", description="Load kecamatan or desa boundaries into the store.")
    parser.add_argument("level", choices=("kecamatan", "desa"))
    parser.add_argument("file", help="any polygon file geopandas reads (GeoJSON, GeoPackage, zipped Shapefile)")
    args = parser.parse_args(argv)
    done = import_file(args.file, args.level, lambda engine, layer: import_admin_areas(engine, layer, args.level), (BadBoundaries,))
    if done is None:
        return 2
    line = f"{done.areas} {args.level} stored (before: {done.before})"
    if args.level == "desa":
        line += f"; {done.points} points placed in their desa, {done.unplaced} outside every desa"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
