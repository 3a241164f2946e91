"""Tables of the flood early-warning system, on the store's `Base` (registered in `store.db.MODEL_MODULES`).

Units: water level in cm above the gauge's zero, rain in mm/h, times naive UTC, points WGS 84 lon/lat.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, PointMixin

LEVEL_NAMES = ("Normal", "Waspada", "Siaga", "Awas")
REAL = 0
"""The scenario of real measurements and alerts; a drill's scenario is its `SimulationRun.id` (> 0)."""
"""Indonesian alert levels by number: 0 Normal, 1 Waspada (alert), 2 Siaga (standby), 3 Awas (danger)."""


class Gauge(PointMixin, Base):
    """A river water-level gauge (AWLR), with the thresholds of the alert levels in cm.

    `normal_cm` is the usual dry-weather level (a reference line on the chart); a reading at or
    above `waspada_cm`, `siaga_cm`, `awas_cm` means level 1, 2, 3.
    """

    __tablename__ = "flood_gauges"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    river_id: Mapped[int | None] = mapped_column(ForeignKey("rivers.id"), index=True)
    normal_cm: Mapped[float] = mapped_column(Float)
    waspada_cm: Mapped[float] = mapped_column(Float)
    siaga_cm: Mapped[float] = mapped_column(Float)
    awas_cm: Mapped[float] = mapped_column(Float)


class Reading(Base):
    """One water-level reading; (gauge, time, scenario) is unique so a resent reading is detected, not
    doubled, while a drill's reading never stands in the way of a real one at the same time."""

    __tablename__ = "flood_readings"
    __table_args__ = (UniqueConstraint("gauge_id", "time", "scenario", name="uq_flood_readings_gauge_time_scenario"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    gauge_id: Mapped[int] = mapped_column(ForeignKey("flood_gauges.id"), index=True)
    time: Mapped[datetime] = mapped_column(DateTime, index=True)
    level_cm: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))
    """"csv", "api" or "simulator"."""
    received_at: Mapped[datetime] = mapped_column(DateTime)
    scenario: Mapped[int] = mapped_column(Integer, default=REAL, server_default="0", index=True)
    """`REAL` (0), or the id of the drill (`SimulationRun`) the reading belongs to."""


class RainReading(Base):
    """Rain intensity (mm/h) measured at a gauge station; unique per (gauge, time) like `Reading`."""

    __tablename__ = "flood_rain_readings"
    __table_args__ = (UniqueConstraint("gauge_id", "time", "scenario", name="uq_flood_rain_gauge_time_scenario"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    gauge_id: Mapped[int] = mapped_column(ForeignKey("flood_gauges.id"), index=True)
    time: Mapped[datetime] = mapped_column(DateTime, index=True)
    rain_mm_h: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    scenario: Mapped[int] = mapped_column(Integer, default=REAL, server_default="0", index=True)


class Alert(Base):
    """One upward crossing of a threshold at a gauge: raised at `level`, cleared when the level falls back,
    closed when staff say its follow-up is done (until then it stays on the board, whatever the readings do).

    `zone_ids` lists the flood zones warned; `cap_xml` holds the CAP 1.2 message sent.
    """

    __tablename__ = "flood_alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    gauge_id: Mapped[int] = mapped_column(ForeignKey("flood_gauges.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    raised_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    level_cm: Mapped[float] = mapped_column(Float)
    """The reading that raised it."""
    zone_ids: Mapped[list] = mapped_column(JSON, default=list)
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    """True for a drill's alert (scenario other than REAL; CAP status "Exercise")."""
    cap_xml: Mapped[str | None] = mapped_column(Text)
    scenario: Mapped[int] = mapped_column(Integer, default=REAL, server_default="0", index=True)
    """`REAL` (0), or the id of the drill (`SimulationRun`) whose readings raised it."""
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    closed_by: Mapped[str | None] = mapped_column(String(80))
    """When and by whom (user name) the alert's follow-up was closed; None while it is on the board."""


class Rt(PointMixin, Base):
    """A neighbourhood unit (Rukun Tetangga) and its head, the person warned."""

    __tablename__ = "flood_rt"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    """Desa code + RW + RT, e.g. "81.71.02.2003.02.003"."""
    name: Mapped[str] = mapped_column(String(80))
    desa_code: Mapped[str] = mapped_column(String(16), index=True)
    contact_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(24))


class WarningDelivery(Base):
    """The warning of one alert to one RT: its message, when it was sent and acknowledged."""

    __tablename__ = "flood_warning_deliveries"
    __table_args__ = (UniqueConstraint("alert_id", "rt_id", name="uq_flood_delivery_alert_rt"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("flood_alerts.id"), index=True)
    rt_id: Mapped[int] = mapped_column(ForeignKey("flood_rt.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(16))
    """"whatsapp", "sms" or "telepon" once sent."""
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_by: Mapped[str | None] = mapped_column(String(80))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))
    """Who recorded the sending / the acknowledgement (the operator's user name)."""


class SimulationRun(Base):
    """One drill: a play of the demo rain event in a scenario of its own (scenario = this row's id), kept
    in the database so every worker and browser sees the same run.

    The event's readings cover [event_start, event_end] (past times: readings are never in the future);
    they are played in accelerated time from `started_at` at `speed` simulated seconds per real second.
    `played_until` is the last simulated time recorded; the run is over when it reaches `event_end` or
    staff end it (`ended_at`). `cleared_at`: when its readings, alerts and warnings were removed.
    """

    __tablename__ = "flood_simulation_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    event_start: Mapped[datetime] = mapped_column(DateTime)
    event_end: Mapped[datetime] = mapped_column(DateTime)
    speed: Mapped[float] = mapped_column(Float)
    played_until: Mapped[datetime | None] = mapped_column(DateTime)
    readings: Mapped[int] = mapped_column(Integer, default=0)
    """Measurements stored so far (level and rain)."""
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    """Measurements refused by ingest."""
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_by: Mapped[str | None] = mapped_column(String(80))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime)
