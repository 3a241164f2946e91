"""The one place where flood data moves between the database and Python.

Geometries go through `store.layers` (gauges and RT are point features); readings, alerts and
deliveries are plain rows read as DataFrames. Units: cm, mm/h, naive UTC times.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, and_, delete, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from flood.models import REAL, Alert, Gauge, RainReading, Reading, Rt, WarningDelivery
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


def stored_values(engine: Engine, kind: str, keys: Iterable[tuple[int, datetime]], scenario: int = REAL) -> dict[tuple[int, datetime], float]:
    """Values already stored in `scenario` for the given (gauge id, time) keys of a `kind` ("level" or "rain")."""
    model, column = SERIES_MODELS[kind]
    keys = list(dict.fromkeys(keys))
    found: dict[tuple[int, datetime], float] = {}
    with engine.connect() as conn:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            statement = select(model.gauge_id, model.time, getattr(model, column)).where(
                tuple_(model.gauge_id, model.time).in_(chunk), model.scenario == scenario)
            found.update({(g, t): v for g, t, v in conn.execute(statement)})
    return found


def latest_times(engine: Engine, kind: str, scenario: int = REAL) -> dict[int, datetime]:
    """Time of the newest stored reading of each gauge in `scenario`."""
    model, _ = SERIES_MODELS[kind]
    with engine.connect() as conn:
        return dict(conn.execute(select(model.gauge_id, func.max(model.time)).where(model.scenario == scenario).group_by(model.gauge_id)).all())


def insert_readings(engine: Engine, kind: str, rows: Sequence[dict]) -> int:
    """Insert readings (gauge_id, time, value column, source, received_at, scenario); a (gauge, time)
    already stored in the same scenario is skipped, not doubled. Returns how many rows were new."""
    if not rows:
        return 0
    model, _ = SERIES_MODELS[kind]
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[engine.dialect.name]
    statement = dialect.insert(model).on_conflict_do_nothing(index_elements=["gauge_id", "time", "scenario"]).returning(model.id)
    with engine.begin() as conn:
        return len(conn.execute(statement, list(rows)).all())


def read_series(engine: Engine, gauge_id: int, *, kind: str = "level", since: datetime | None = None, until: datetime | None = None,
                scenario: int = REAL) -> pd.DataFrame:
    """One gauge's readings in `scenario` (the real series by default), oldest first: columns time and level_cm (or rain_mm_h)."""
    model, column = SERIES_MODELS[kind]
    statement = select(model.time, getattr(model, column)).where(model.gauge_id == gauge_id, model.scenario == scenario)
    if since is not None:
        statement = statement.where(model.time >= since)
    if until is not None:
        statement = statement.where(model.time <= until)
    with engine.connect() as conn:
        return pd.read_sql(statement.order_by(model.time), conn)


def read_alerts(engine: Engine, *, gauge_id: int | None = None, active_only: bool = False, below_level: int | None = None,
                scenario: int | None = REAL, open_only: bool = False, closed_only: bool = False,
                limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Alerts, newest first (columns of `Alert` without the CAP text).

    `active_only`: not cleared by the readings; `open_only` / `closed_only`: not yet / already closed by
    staff; `below_level` keeps lower levels only; `scenario` one scenario (the real one unless told: a
    drill's alerts are asked for by name, never met by surprise; None: every scenario);
    `limit`/`offset` a page of them."""
    columns = [c for c in Alert.__table__.columns if c.name != "cap_xml"]
    statement = select(*columns).order_by(Alert.raised_at.desc(), Alert.level.desc(), Alert.id.desc())
    if gauge_id is not None:
        statement = statement.where(Alert.gauge_id == gauge_id)
    if active_only:
        statement = statement.where(Alert.cleared_at.is_(None))
    if open_only:
        statement = statement.where(Alert.closed_at.is_(None))
    if closed_only:
        statement = statement.where(Alert.closed_at.is_not(None))
    if below_level is not None:
        statement = statement.where(Alert.level < below_level)
    if scenario is not None:
        statement = statement.where(Alert.scenario == scenario)
    if limit is not None:
        statement = statement.limit(limit).offset(offset)
    with engine.connect() as conn:
        return pd.read_sql(statement, conn)


def count_alerts(engine: Engine, *, closed_only: bool = False) -> int:
    """How many alerts are stored (`closed_only`: closed by staff)."""
    statement = select(func.count(Alert.id))
    if closed_only:
        statement = statement.where(Alert.closed_at.is_not(None))
    with engine.connect() as conn:
        return conn.execute(statement).scalar_one()


def delivery_counts(engine: Engine, alert_ids: Sequence[int]) -> pd.DataFrame:
    """Per alert id (the index): warned, sent and acknowledged, counts of its RT warnings."""
    statement = (select(WarningDelivery.alert_id, func.count(WarningDelivery.id).label("warned"), func.count(WarningDelivery.sent_at).label("sent"),
                        func.count(WarningDelivery.acknowledged_at).label("acknowledged"))
                 .where(WarningDelivery.alert_id.in_([int(i) for i in alert_ids])).group_by(WarningDelivery.alert_id))
    with engine.connect() as conn:
        return pd.read_sql(statement, conn).set_index("alert_id")


def alert_peaks(engine: Engine, alert_ids: Sequence[int]) -> dict[int, float]:
    """Highest level (cm) read in its own scenario while each alert was active (raised to cleared)."""
    statement = (
        select(Alert.id, func.max(Reading.level_cm))
        .join(Reading, and_(Reading.gauge_id == Alert.gauge_id, Reading.scenario == Alert.scenario, Reading.time >= Alert.raised_at,
                            Reading.time <= func.coalesce(Alert.cleared_at, Alert.closed_at, Alert.raised_at)))
        .where(Alert.id.in_([int(i) for i in alert_ids])).group_by(Alert.id)
    )
    with engine.connect() as conn:
        return dict(conn.execute(statement).all())


def warned_rt_ids(engine: Engine, alert_ids: Sequence[int]) -> set[int]:
    """RT already warned by any of `alert_ids`."""
    if not alert_ids:
        return set()
    with engine.connect() as conn:
        return set(conn.execute(select(WarningDelivery.rt_id).where(WarningDelivery.alert_id.in_([int(i) for i in alert_ids]))).scalars())


def close_alert(engine: Engine, alert_id: int, at: datetime, by: str | None) -> bool:
    """Record that staff closed the alert's follow-up at `at` (UTC); False when there is no such open alert."""
    with engine.begin() as conn:
        result = conn.execute(update(Alert).where(Alert.id == alert_id, Alert.closed_at.is_(None)).values(closed_at=at, closed_by=by))
    return result.rowcount == 1


def delete_scenario(engine: Engine, scenario: int) -> None:
    """Remove every reading, alert and warning of a drill's `scenario` (never the real one)."""
    if scenario == REAL:
        raise ValueError("the real scenario is never deleted")
    alerts = select(Alert.id).where(Alert.scenario == scenario)
    with engine.begin() as conn:
        conn.execute(delete(WarningDelivery).where(WarningDelivery.alert_id.in_(alerts)))
        conn.execute(delete(Alert).where(Alert.scenario == scenario))
        for model, _ in SERIES_MODELS.values():
            conn.execute(delete(model).where(model.scenario == scenario))


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


def read_deliveries(engine: Engine, *, alert_id: int | None = None, alert_ids: Sequence[int] | None = None,
                    delivery_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Warnings per RT with the RT's contact, still-unacknowledged first (unsent before sent), then by RT code.

    `alert_id` keeps one alert's warnings, `alert_ids` those of several, `delivery_ids` the given ones."""
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
    if delivery_ids is not None:
        statement = statement.where(WarningDelivery.id.in_([int(i) for i in delivery_ids]))
    with engine.connect() as conn:
        frame = pd.read_sql(statement, conn)
    frame["_acked"] = frame.acknowledged_at.notna()
    frame["_sent"] = frame.sent_at.notna()
    frame = frame.sort_values(["_acked", "_sent", "level", "rt_code"], ascending=[True, True, False, True], kind="stable")
    return frame.drop(columns=["_acked", "_sent"]).reset_index(drop=True)


def mark_sent(engine: Engine, delivery_id: int, channel: str, at: datetime, by: str | None = None) -> bool:
    """Record that the warning went out by `channel` ("whatsapp", "sms" or "telepon") at `at` (UTC),
    recorded by user `by`. The first sending is kept: the time the RT was told does not move when
    the button is pressed again. False when there is no such warning."""
    with engine.begin() as conn:
        result = conn.execute(update(WarningDelivery).where(WarningDelivery.id == delivery_id).values(
            channel=func.coalesce(WarningDelivery.channel, channel), sent_at=func.coalesce(WarningDelivery.sent_at, at),
            sent_by=func.coalesce(WarningDelivery.sent_by, by)))
    return result.rowcount == 1


def mark_acknowledged(engine: Engine, delivery_id: int, at: datetime, by: str | None = None) -> bool:
    """Record the RT head's acknowledgement, recorded by user `by` (a sent warning stays sent; an unsent
    one counts as sent then, by the same user). The first acknowledgement is kept. False when there is
    no such warning."""
    with engine.begin() as conn:
        result = conn.execute(
            update(WarningDelivery)
            .where(WarningDelivery.id == delivery_id)
            .values(acknowledged_at=func.coalesce(WarningDelivery.acknowledged_at, at),
                    acknowledged_by=func.coalesce(WarningDelivery.acknowledged_by, by),
                    sent_at=func.coalesce(WarningDelivery.sent_at, at), sent_by=func.coalesce(WarningDelivery.sent_by, by))
        )
    return result.rowcount == 1
