"""A small hand-made flood world in metres (EPSG:32752), whose impact can be worked out by hand.

Desa A: square x 0..1000, y 0..1000 (1 km², 1000 people); desa B: x 1000..2000 (population unknown).
Zone 10 (hazard 3): x 500..1500, y 0..200. Zone 11 (hazard 1): x 0..600, y 100..300; they overlap
on x 500..600, y 100..200 (10,000 m²). Offsets put it near Ambon.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from flood.models import Gauge, Rt
from geo.crs import AMBON_UTM
from store.layers import write_features
from store.models import AdminArea, Business, Complaint, FloodZone, River, TpsSite

X0, Y0 = 410_000.0, 9_590_000.0


def box(x1, y1, x2, y2):
    return shapely.box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


def point(x, y):
    return shapely.Point(X0 + x, Y0 + y)


def frame(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=[r.pop("geometry") for r in rows], crs=AMBON_UTM)


def desa():
    return frame([
        {"code": "81.71.99.0001", "name": "Desa A", "level": "desa", "parent_code": "81.71.99", "population": 1000, "geometry": box(0, 0, 1000, 1000)},
        {"code": "81.71.99.0002", "name": "Desa B", "level": "desa", "parent_code": "81.71.99", "population": None, "geometry": box(1000, 0, 2000, 1000)},
    ])


def zones():
    return frame([
        {"id": 10, "name": "Zona <dekat> & sungai", "river_id": 1, "hazard": 3, "geometry": box(500, 0, 1500, 200)},
        {"id": 11, "name": "Zona luar", "river_id": 1, "hazard": 1, "geometry": box(0, 100, 600, 300)},
    ])


def rts():
    return frame([
        {"id": 1, "code": "81.71.99.0001.01.001", "name": "RT 001/RW 01", "desa_code": "81.71.99.0001", "contact_name": "Ketua RT 001 Desa A", "phone": "+62 811-0000-0001", "geometry": point(700, 100)},
        {"id": 2, "code": "81.71.99.0001.01.002", "name": "RT 002/RW 01", "desa_code": "81.71.99.0001", "contact_name": "Ketua RT 002 Desa A", "phone": "+62 811-0000-0002", "geometry": point(550, 150)},
        {"id": 3, "code": "81.71.99.0002.01.001", "name": "RT 001/RW 01", "desa_code": "81.71.99.0002", "contact_name": "Ketua RT 001 Desa B", "phone": "+62 811-0000-0003", "geometry": point(1200, 500)},
    ])


def tps():
    return frame([{"id": 1, "name": "TPS B 1", "geometry": point(1400, 50)}, {"id": 2, "name": "TPS A 1", "geometry": point(300, 800)}])


def businesses():
    return frame([{"id": 1, "name": "Kafe Pala", "category": "kafe", "tax_id": "P1", "geometry": point(100, 250)},
                  {"id": 2, "name": "RM Sagu", "category": "restoran", "tax_id": "P2", "geometry": point(900, 900)}])


def complaints():
    when = pd.Timestamp("2026-10-01").to_pydatetime()
    base = {"created_at": when, "channel": "web", "category": "banjir", "description": "Air masuk rumah", "agency": "BPBD"}
    return frame([
        {**base, "id": 1, "ticket": "T1", "status": "baru", "geometry": point(800, 50)},
        {**base, "id": 2, "ticket": "T2", "status": "selesai", "geometry": point(810, 60)},
        {**base, "id": 3, "ticket": "T3", "status": "diproses", "geometry": point(1900, 900)},
    ])


def gauges():
    return frame([{"id": 1, "code": "G1", "name": "AWLR Uji", "river_id": 1, "normal_cm": 50.0, "waspada_cm": 100.0,
                   "siaga_cm": 150.0, "awas_cm": 200.0, "geometry": point(800, 100)}])


def write_world(engine) -> None:
    """Store the whole small world."""
    write_features(engine, AdminArea, desa())
    write_features(engine, River, frame([{"id": 1, "name": "Wai Uji", "geometry": shapely.LineString([(X0, Y0 + 100), (X0 + 2000, Y0 + 100)])}]))
    for model, layer in ((FloodZone, zones()), (TpsSite, tps()), (Business, businesses()), (Complaint, complaints()), (Gauge, gauges()), (Rt, rts())):
        write_features(engine, model, layer)
