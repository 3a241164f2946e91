"""The alert sources of the Command Center itself: cameras that went down, flood levels raised
(real ones, and drills' apart).

Each `*_source(...)` returns a zero-argument function for `AlertCentre.add`; the work per call is
one read of the published camera health (cache) or one small indexed query.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

from sqlalchemy import Engine, select

from alerts import Alert
from alerts.camera_history import naive_utc
from cameras.health import OFFLINE
from flood.models import REAL, Alert as FloodAlert, Gauge, SimulationRun
from monitor.store import incident_alerts
from store.models import Camera


def camera_groups(engine: Engine) -> dict[int, str | None]:
    """Camera id -> its group (who may watch it)."""
    with engine.connect() as conn:
        return dict(conn.execute(select(Camera.id, Camera.group)).all())


def camera_down_source(board, engine: Engine) -> Callable[[], list[Alert]]:
    """Alerts for every camera that is offline now (cameras.board.CameraBoard health). The key
    carries its last good frame (or, never having had one, when it went down): that stays put while
    the reader keeps retrying a dead source, so an acknowledgement holds, and a camera that comes
    back and goes down again alerts anew."""
    def camera_down() -> list[Alert]:
        down = [r for r in board.all_health() if r.get("status") == OFFLINE]
        if not down:
            return []
        groups = camera_groups(engine)
        alerts = []
        for record in down:
            since = record.get("last_frame_ts") or record.get("status_since")
            cid = record["camera_id"]
            alerts.append(Alert(
                kind="camera", key=f"camera:{cid}:{int(since or 0)}", severity="warning",
                title_key="alert.camera_down", params={"camera": record.get("name") or f"#{cid}"},
                link=f"/kamera/langsung?id={cid}", raised_at=naive_utc(since) if since else None,
                camera_group=groups.get(cid) or "",
            ))
        return alerts
    return camera_down


def flood_raised_source(engine: Engine) -> Callable[[], list[Alert]]:
    """Alerts for every real flood alert level raised at a gauge and not yet closed by staff (flood.models.Alert):
    an alert stays actionable until BPBD closes it, whatever the river does meanwhile. Siaga and Awas
    are critical, Waspada a warning; drills are `flood_drill_source`'s."""
    def flood_raised() -> list[Alert]:
        statement = (select(FloodAlert.id, FloodAlert.level, FloodAlert.raised_at, FloodAlert.level_cm, Gauge.name)
                     .join(Gauge, Gauge.id == FloodAlert.gauge_id).where(FloodAlert.closed_at.is_(None), FloodAlert.scenario == REAL))
        with engine.connect() as conn:
            rows = conn.execute(statement).all()
        return [Alert(kind="flood", key=f"flood:{row.id}", severity="critical" if row.level >= 2 else "warning",
                      title_key="alert.flood_raised", params={"gauge": row.name, "level_key": f"flood.level.{row.level}", "cm": round(row.level_cm)},
                      link="/banjir", raised_at=row.raised_at, rank=int(row.level))
                for row in rows]
    return flood_raised


def flood_drill_source(engine: Engine) -> Callable[[], list[Alert]]:
    """Alerts of drills (exercises, marked LATIHAN) not yet closed: low severity ("info"), whatever the
    level, and raised at the real time the drill played them (a drill replays the past at its speed,
    so its own times are simulated ones). Meant for BPBD only (register with the "flood" permission)."""
    def flood_drill() -> list[Alert]:
        statement = (select(FloodAlert.id, FloodAlert.level, FloodAlert.raised_at, FloodAlert.level_cm, Gauge.name,
                            SimulationRun.started_at, SimulationRun.event_start, SimulationRun.speed)
                     .join(Gauge, Gauge.id == FloodAlert.gauge_id).join(SimulationRun, SimulationRun.id == FloodAlert.scenario)
                     .where(FloodAlert.closed_at.is_(None), FloodAlert.scenario != REAL))
        with engine.connect() as conn:
            rows = conn.execute(statement).all()
        return [Alert(kind="flood", key=f"flood:{row.id}", severity="info", title_key="alert.flood_exercise",
                      params={"gauge": row.name, "level_key": f"flood.level.{row.level}", "cm": round(row.level_cm)}, link="/banjir",
                      raised_at=row.started_at + max(row.raised_at - row.event_start, timedelta(0)) / row.speed, rank=int(row.level))
                for row in rows]
    return flood_drill


def service_down_source(engine: Engine) -> Callable[[], list[Alert]]:
    """Alerts for every city e-service the monitor finds down (an open incident, monitor.store)."""
    def services_down() -> list[Alert]:
        return [Alert(**record) for record in incident_alerts(engine)]
    return services_down
