"""Writes the demo city into an empty store."""
from __future__ import annotations

import logging
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, insert

from complaints.models import ComplaintEvent
from demo.complaint_history import anchor, with_lifecycle
from demo.flood import seed_flood_demo
from demo.generator import DEMO_END, DemoCity, build_demo_city
from tax.demo import seed_tax_demo
from store.layers import is_empty, write_features
from store.models import AdminArea, Business, Camera, Complaint, FloodZone, River, Road, TpsSite, Watershed

log = logging.getLogger(__name__)


def write_demo_city(engine: Engine, city: DemoCity, now: datetime | None = None) -> None:
    """Insert every layer of `city` (the store must not hold them yet), and the restaurant tax of
    its businesses up to `now` (naive UTC; default: the present, so tapping boxes are live).
    The complaints are moved to end at `now` too, with their whole life cycle and timeline."""
    now = now or datetime.utcnow()
    complaints, events = with_lifecycle(anchor(city.complaints, DEMO_END, now), now)
    admin = pd.concat([city.kecamatan, city.desa], ignore_index=True)
    write_features(engine, AdminArea, admin)
    for model, layer in (
        (River, city.rivers),
        (Watershed, city.watersheds),
        (FloodZone, city.flood_zones),
        (TpsSite, city.tps),
        (Camera, city.cameras),
        (Complaint, complaints),
        (Business, city.businesses),
        (Road, city.roads),
    ):
        write_features(engine, model, layer)
    with engine.begin() as conn:
        conn.execute(insert(ComplaintEvent), events.astype(object).where(events.notna(), None).to_dict("records"))
    seed_tax_demo(engine, city.businesses, now)
    seed_flood_demo(engine, city)


def seed_if_empty(engine: Engine, seed: int = 7) -> bool:
    """Fill a fresh store with the demo city; returns True when it did."""
    if not is_empty(engine):
        return False
    log.info("Empty store: writing the Ambon demo data (seed %s)", seed)
    write_demo_city(engine, build_demo_city(seed))
    return True


