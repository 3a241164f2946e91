"""The one place where flood data moves between the database and Python.

Geometries go through `store.layers` (gauges and RT are point features); readings, alerts and
deliveries are plain rows read as DataFrames. Units: cm, mm/h, naive UTC times.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from flood.models import Alert, Gauge, RainReading, Reading, Rt, WarningDelivery
from store.layers import read_features
from store.models import River

SERIES_MODELS = {"level": (Reading, "level_cm"), "rain": (RainReading, "rain_mm_h")}
"""Kind of measurement -> (table, value column)."""


def read_gauges(engine: Engine) -> gpd.GeoDataFrame:
    """Gauges as points (EPSG:4326) with their thresholds in cm and their river's name (`river`)."""
    gauges = read_features(engine, Gauge)
    with engine.connect() as conn:
        rivers = dict(conn.execute(select(River.id, River.name)).all())
    gauges["river"] = gauges.river_id.map(rivers)
    return gauges


def gauge_ids_by_code(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Gauge.code, Gauge.id)).all())


def stored_values(engine: Engine, kind: str, keys: Iterable[tuple[int, datetime]]) -> dict[tuple[int, datetime], float]:
    """Values already stored for the given (gauge id, time) keys of a `kind` ("level" or "rain")."""
    model, column = SERIES_MODELS[kind]
    keys = list(dict.fromkeys(keys))
    found: dict[tuple[int, datetime], float] = {}
    with engine.connect() as conn:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            statement = select(model.gauge_id, model.time, getattr(model, column)).where(tuple_(model.gauge_id, model.time).in_(chunk))
            found.update({(g, t): v for g, t, v in conn.execute(statement)})
    return found


def latest_times(engine: Engine, kind: str) -> dict[int, datetime]:
    """Time of the newest stored reading of each gauge."""
    model, _ = SERIES_MODELS[kind]
    with engine.connect() as conn:
        return dict(conn.execute(select(model.gauge_id, func.max(model.time)).group_by(model.gauge_id)).all())


def insert_readings(engine: Engine, kind: str, rows: Sequence[dict]) -> int:
    """Insert readings (gauge_id, time, value column, source, received_at); a (gauge, time) already
    stored is skipped, not doubled. Returns how many rows were new."""
    if not rows:
        return 0
    model, _ = SERIES_MODELS[kind]
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[engine.dialect.name]
    statement = dialect.insert(model).on_conflict_do_nothing(index_elements=["gauge_id", "time"]).returning(model.id)
    with engine.begin() as conn:
        return len(conn.execute(statement, list(rows)).all())


def read_series(engine: Engine, gauge_id: int, *, kind: str = "level", since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
    """One gauge's readings, oldest first: columns time and level_cm (or rain_mm_h)."""
    model, column = SERIES_MODELS[kind]
    statement = select(model.time, getattr(model, column)).where(model.gauge_id == gauge_id)
    if since is not None:
        statement = statement.where(model.time >= since)
    if until is not None:
        statement = statement.where(model.time <= until)
    with engine.connect() as conn:
        return pd.read_sql(statement.order_by(model.time), conn)


def reading_sources(engine: Engine, gauge_id: int, *, since: datetime) -> set[str]:
    """Sources of a gauge's level readings since `since`."""
    with engine.connect() as conn:
        return set(conn.execute(select(Reading.source).where(Reading.gauge_id == gauge_id, Reading.time >= since).distinct()).scalars())


def read_alerts(engine: Engine, *, gauge_id: int | None = None, active_only: bool = False, below_level: int | None = None) -> pd.DataFrame:
    """Alerts, newest first (columns of `Alert` without the CAP text); `below_level` keeps lower levels only."""
    columns = [c for c in Alert.__table__.columns if c.name != "cap_xml"]
    statement = select(*columns).order_by(Alert.raised_at.desc(), Alert.level.desc())
    if gauge_id is not None:
        statement = statement.where(Alert.gauge_id == gauge_id)
    if active_only:
        statement = statement.where(Alert.cleared_at.is_(None))
    if below_level is not None:
        statement = statement.where(Alert.level < below_level)
    with engine.connect() as conn:
        return pd.read_sql(statement, conn)


def read_cap(engine: Engine, alert_id: int) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(Alert.cap_xml).where(Alert.id == alert_id)).scalar_one_or_none()


def insert_alert(engine: Engine, values: dict) -> int:
    with engine.begin() as conn:
        return conn.execute(insert(Alert).returning(Alert.id), values).scalar_one()


def update_alert(engine: Engine, alert_id: int, **values) -> None:
    with engine.begin() as conn:
        conn.execute(update(Alert).where(Alert.id == alert_id).values(**values))


def read_rts(engine: Engine) -> gpd.GeoDataFrame:
    """RT units as points (EPSG:4326) with their contact person and phone."""
    return read_features(engine, Rt)


def insert_deliveries(engine: Engine, rows: Sequence[dict]) -> None:
    """One row per (alert_id, rt_id) with its message; not yet sent."""
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(WarningDelivery), list(rows))


def read_deliveries(engine: Engine, *, alert_id: int | None = None, alert_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Warnings per RT with the RT's contact, still-unacknowledged first (unsent before sent), then by RT code.

    `alert_id` keeps one alert's warnings, `alert_ids` those of several."""
    statement = (
        select(
            WarningDelivery.id, WarningDelivery.alert_id, WarningDelivery.rt_id, Rt.code.label("rt_code"), Rt.name.label("rt_name"),
            Rt.desa_code, Rt.contact_name, Rt.phone, WarningDelivery.message, WarningDelivery.channel,
            WarningDelivery.sent_at, WarningDelivery.sent_by, WarningDelivery.acknowledged_at, WarningDelivery.acknowledged_by, Alert.level,
        )
        .join(Rt, Rt.id == WarningDelivery.rt_id)
        .join(Alert, Alert.id == WarningDelivery.alert_id)
    )
    if alert_id is not None:
        statement = statement.where(WarningDelivery.alert_id == alert_id)
    if alert_ids is not None:
        statement = statement.where(WarningDelivery.alert_id.in_([int(i) for i in alert_ids]))
    with engine.connect() as conn:
        frame = pd.read_sql(statement, conn)
    frame["_acked"] = frame.acknowledged_at.notna()
    frame["_sent"] = frame.sent_at.notna()
    frame = frame.sort_values(["_acked", "_sent", "level", "rt_code"], ascending=[True, True, False, True], kind="stable")
    return frame.drop(columns=["_acked", "_sent"]).reset_index(drop=True)


def mark_sent(engine: Engine, delivery_id: int, channel: str, at: datetime, by: str | None = None) -> bool:
    """Record that the warning went out by `channel` ("whatsapp", "sms" or "telepon") at `at` (UTC),
    recorded by user `by`. False when there is no such warning."""
    with engine.begin() as conn:
        result = conn.execute(update(WarningDelivery).where(WarningDelivery.id == delivery_id).values(channel=channel, sent_at=at, sent_by=by))
    return result.rowcount == 1


def mark_acknowledged(engine: Engine, delivery_id: int, at: datetime, by: str | None = None) -> bool:
    """Record the RT head's acknowledgement, recorded by user `by` (a sent warning stays sent; an unsent
    one counts as sent then, by the same user). False when there is no such warning."""
    with engine.begin() as conn:
        result = conn.execute(
            update(WarningDelivery)
            .where(WarningDelivery.id == delivery_id)
            .values(acknowledged_at=at, acknowledged_by=by, sent_at=func.coalesce(WarningDelivery.sent_at, at),
                    sent_by=func.coalesce(WarningDelivery.sent_by, by))
        )
    return result.rowcount == 1
