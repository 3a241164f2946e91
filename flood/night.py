"""A long flood night in the store, for the benchmark and the tests that must show the page keeps up.

`seed_flood_night` writes, over the demo city's gauges, flood zones and RT (write the demo city
first), as many RT units and alerts as a bad night on Ambon's rivers leaves: alerts every few
minutes over the last hours, each with its CAP message and one warning per RT in its zones, two
days of readings (cm, every 10 minutes) at every gauge, and a share of the alerts already closed.
Deterministic for a given `now` and seed. Times naive UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine, insert

from flood import store
from flood.cap import CapAlert, build_cap
from flood.impact import rt_in_zones
from flood.messages import rt_message
from flood.models import Alert, Rt, WarningDelivery
from flood.warn import zones_for_level
from geo.crs import AMBON_UTM, WGS84
from store.layers import read_admin_areas, read_features, write_features
from store.models import FloodZone


@dataclass(frozen=True)
class Night:
    """What was written: counts, and the ids of the alerts left open (on the board)."""

    rts: int
    alerts: int
    warnings: int
    open_alert_ids: list[int]


def _more_rts(engine: Engine, count: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """`count` RT points spread over the flood zones, with made-up contacts (+62 811-9xxx-xxxx)."""
    zones = read_features(engine, FloodZone).to_crs(AMBON_UTM)
    desa = read_admin_areas(engine, "desa").to_crs(AMBON_UTM)
    region = shapely.union_all(zones.geometry.to_numpy())
    shapely.prepare(region)
    minx, miny, maxx, maxy = region.bounds
    found = np.empty((0, 2))
    while len(found) < count:
        trial = rng.uniform((minx, miny), (maxx, maxy), size=(4 * count, 2))
        found = np.vstack([found, trial[shapely.contains_xy(region, trial[:, 0], trial[:, 1])]])
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(found[:count, 0], found[:count, 1]), crs=AMBON_UTM)
    in_desa = gpd.sjoin_nearest(points, desa[["code", "name", "geometry"]], how="left")
    in_desa = in_desa[~in_desa.index.duplicated()]
    known = store.read_rts(engine)
    first_id = int(known.id.max()) + 1 if len(known) else 1
    ids = np.arange(first_id, first_id + count)
    return gpd.GeoDataFrame({
        "id": ids,
        "code": [f"{c}.9{i // 1000 % 10}.{i % 1000:03d}"[:24] for c, i in zip(in_desa.code, ids)],
        "name": [f"RT {i % 1000:03d}/RW 9{i // 1000 % 10}" for i in ids],
        "desa_code": in_desa.code.to_numpy(),
        "contact_name": [f"Ketua RT {i % 1000:03d} {n}" for i, n in zip(ids, in_desa.name)],
        "phone": [f"+62 811-9{i // 10000:03d}-{i % 10000:04d}" for i in ids],
    }, geometry=points.geometry.to_numpy(), crs=AMBON_UTM).to_crs(WGS84)


def seed_flood_night(engine: Engine, now: datetime, *, alerts: int = 200, rts: int = 2000, closed_share: float = 0.25,
                     seed: int = 11) -> Night:
    """Bring the store's RT to `rts` and add `alerts` alerts raised over the hours before `now`
    (every 5 minutes, cycling through the gauges and the levels Waspada, Siaga, Awas); every
    1/`closed_share`-th is closed by staff, the others stay on the board, cleared or not.
    """
    rng = np.random.default_rng(seed)
    existing = len(store.read_rts(engine))
    if rts > existing:
        write_features(engine, Rt, _more_rts(engine, rts - existing, rng))
    gauges = store.read_gauges(engine)
    zones = read_features(engine, FloodZone)
    all_rts = store.read_rts(engine)
    desa_names = read_admin_areas(engine, "desa").set_index("code")["name"]
    readings = [{"gauge_id": int(g.id), "time": now - timedelta(minutes=10 * k), "level_cm": float(g.normal_cm + 20 * (1 + np.sin(k / 9))),
                 "source": "api", "received_at": now, "scenario": 0} for g in gauges.itertuples() for k in range(288)]
    store.insert_readings(engine, "level", readings)
    close_every = round(1 / closed_share) if closed_share > 0 else 0
    warned_by_zone_set: dict[tuple, pd.DataFrame] = {}
    open_ids, warnings = [], 0
    for n in range(alerts):
        gauge = gauges.iloc[n % len(gauges)]
        level = 1 + (n // len(gauges)) % 3
        raised = now - timedelta(minutes=5 * (alerts - n))
        cleared = raised + timedelta(hours=1) if n < alerts - 2 * len(gauges) else None
        closed = close_every and n % close_every == 0
        warned = zones_for_level(zones, gauge.river_id, level)
        level_cm = float((gauge.waspada_cm, gauge.siaga_cm, gauge.awas_cm)[level - 1] + 5)
        with engine.begin() as conn:
            alert_id = conn.execute(insert(Alert).returning(Alert.id), {
                "gauge_id": int(gauge.id), "level": level, "raised_at": raised, "cleared_at": cleared, "level_cm": level_cm,
                "zone_ids": [int(i) for i in warned.id], "exercise": False, "scenario": 0,
                "closed_at": now if closed else None, "closed_by": "bpbd" if closed else None,
            }).scalar_one()
        store.update_alert(engine, alert_id, cap_xml=build_cap(CapAlert(alert_id, gauge["name"], gauge.river or "", level, level_cm, raised, warned, raised)))
        key = tuple(sorted(int(i) for i in warned.id))
        if key not in warned_by_zone_set:
            warned_by_zone_set[key] = rt_in_zones(warned, all_rts)
        rows = [{"alert_id": alert_id, "rt_id": int(rt.id),
                 "message": rt_message(rt_name=rt.name, desa_name=desa_names.get(rt.desa_code, ""), level=level, river_name=gauge.river or "",
                                       level_cm=level_cm, at=raised)} for rt in warned_by_zone_set[key].itertuples()]
        if rows:
            with engine.begin() as conn:
                conn.execute(insert(WarningDelivery), rows)
        warnings += len(rows)
        if not closed:
            open_ids.append(alert_id)
    return Night(len(all_rts), alerts, warnings, open_ids)
