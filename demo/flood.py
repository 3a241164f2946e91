"""Demo data for flood warning: the four river gauges and made-up RT contacts along the rivers.

Every contact is fictitious on purpose ("Ketua RT 003 Batu Merah", +62 811-0000-xxxx, a range not
handed to subscribers in the demo's spirit); the same city and seed give the same rows.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import Engine, func, select

from demo.generator import DemoCity
from demo.sketch import GAUGES
from flood.demo import DEMO_GAUGES
from flood.models import Gauge, Rt
from geo.crs import AMBON_UTM
from store.layers import write_features


def build_gauges(city: DemoCity) -> gpd.GeoDataFrame:
    """The gauges of `demo.sketch.GAUGES` with their thresholds and river id (EPSG:4326)."""
    river_ids = dict(zip(city.rivers.name, city.rivers.id))
    rows = [
        {"id": i, "code": code, "name": GAUGES[river][0], "river_id": int(river_ids[river]),
         "normal_cm": normal, "waspada_cm": waspada, "siaga_cm": siaga, "awas_cm": awas}
        for i, (river, (code, normal, waspada, siaga, awas)) in enumerate(DEMO_GAUGES.items(), start=1)
    ]
    points = [shapely.Point(GAUGES[river][1]) for river in DEMO_GAUGES]
    return gpd.GeoDataFrame(rows, geometry=points, crs="EPSG:4326")


def _random_points_in(rng: np.random.Generator, region: shapely.Geometry, n: int) -> np.ndarray:
    """n points uniformly inside `region` (rejection sampling in its bounds); (n, 2) array."""
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    found = np.empty((0, 2))
    while len(found) < n:
        trial = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n + 16, 2))
        found = np.vstack([found, trial[shapely.contains_xy(region, trial[:, 0], trial[:, 1])]])
    return found[:n]


def build_rts(city: DemoCity, seed: int = 11) -> gpd.GeoDataFrame:
    """RT units of the desa touched by flood zones: 3-6 inside the zones and 2 just outside, per desa."""
    rng = np.random.default_rng(seed)
    desa = city.desa.to_crs(AMBON_UTM)
    zones = shapely.union_all(city.flood_zones.to_crs(AMBON_UTM).geometry.to_numpy())
    near = shapely.difference(zones.buffer(400), zones)
    along = desa[desa.intersects(zones) & (desa.intersection(zones).area > 2000)].sort_values("code")
    rows, points = [], []
    for desa_row in along.itertuples():
        inside = shapely.intersection(desa_row.geometry, zones)
        outside = shapely.intersection(desa_row.geometry, near)
        xy = _random_points_in(rng, inside, int(rng.integers(3, 7)))
        if outside.area > 0:
            xy = np.vstack([xy, _random_points_in(rng, outside, 2)])
        for number, (x, y) in enumerate(xy, start=1):
            rw = 1 + (number - 1) // 4
            rows.append({"code": f"{desa_row.code}.{rw:02d}.{number:03d}", "name": f"RT {number:03d}/RW {rw:02d}",
                         "desa_code": desa_row.code, "contact_name": f"Ketua RT {number:03d} {desa_row.name}"})
            points.append(shapely.Point(x, y))
    rts = gpd.GeoDataFrame(rows, geometry=points, crs=AMBON_UTM).to_crs("EPSG:4326")
    rts.insert(0, "id", np.arange(1, len(rts) + 1))
    rts["phone"] = [f"+62 811-0000-{i:04d}" for i in rts.id]
    return rts


def seed_flood_demo(engine: Engine, city: DemoCity) -> bool:
    """Write the demo gauges and RT contacts unless gauges exist already; True when it wrote them.

    The city's rivers must be stored first (gauges refer to them).
    """
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(Gauge)).scalar_one():
            return False
    write_features(engine, Gauge, build_gauges(city))
    write_features(engine, Rt, build_rts(city))
    return True
