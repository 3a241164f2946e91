"""Tables of the service monitor, on the store's `Base` (registered in `store.db.MODEL_MODULES`).

Times are naive UTC; response times in milliseconds; intervals and timeouts in seconds.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base

KINDS = ("http", "tcp", "dns")


class MonitoredService(Base):
    """One of the city's e-services and how it is checked.

    `target` is what the monitor checks: an http(s) URL, "host:port" for tcp, a host name for dns
    (or a "demo:<endpoint>" of the demo). `link` is the address citizens are sent to (the directory).
    A service counts as down after `failures_before_down` failed checks in a row.
    """

    __tablename__ = "monitor_services"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(8), default="http")
    target: Mapped[str] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(500))
    keyword: Mapped[str | None] = mapped_column(String(200))
    """For http: text that must appear in the answer's body."""
    interval_s: Mapped[int] = mapped_column(Integer, default=60)
    timeout_s: Mapped[float] = mapped_column(Float, default=10.0)
    failures_before_down: Mapped[int] = mapped_column(Integer, default=3)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    """Shown on the public portal; internal services only to operators."""
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    purpose_id: Mapped[str | None] = mapped_column(Text)
    purpose_en: Mapped[str | None] = mapped_column(Text)
    audience_id: Mapped[str | None] = mapped_column(Text)
    audience_en: Mapped[str | None] = mapped_column(Text)
    steps_id: Mapped[str | None] = mapped_column(Text)
    steps_en: Mapped[str | None] = mapped_column(Text)
    """Directory texts in Bahasa Indonesia and English (steps: one per line)."""
    contact: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)


class ServiceCheck(Base):
    """One check of a service. Kept for `monitor.store.RAW_DAYS` days; older ones live on in daily roll-ups."""

    __tablename__ = "monitor_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("monitor_services.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(24))
    """"ok", "slow", "cert_expiring", or why it failed: "timeout", "refused", "http_status", "keyword_missing",
    "tls_invalid", "tls_expired", "redirect_loop", "bad_response", "dns_failed", "refused_target", "error"."""
    http_status: Mapped[int | None] = mapped_column(Integer)
    response_ms: Mapped[float | None] = mapped_column(Float)
    cert_days_left: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[str | None] = mapped_column(String(300))


Index("ix_monitor_checks_service_time", ServiceCheck.service_id, ServiceCheck.checked_at)


class DailyRollup(Base):
    """A service's checks of one UTC day, summed: what a year of history keeps."""

    __tablename__ = "monitor_daily"
    __table_args__ = (UniqueConstraint("service_id", "day", name="uq_monitor_daily_service_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("monitor_services.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    checks: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    mean_ms: Mapped[float | None] = mapped_column(Float)
    p95_ms: Mapped[float | None] = mapped_column(Float)
    downtime_s: Mapped[float] = mapped_column(Float, default=0.0)
    """Seconds of that day inside an incident and outside maintenance."""
    monitored_s: Mapped[float] = mapped_column(Float, default=0.0)
    """Seconds of that day the service was watched, outside maintenance (the uptime denominator)."""


class Incident(Base):
    """A time a service was down: opened by the monitor after `failures_before_down` failures, closed by
    the first good check. `started_at` is the first failed check of the run."""

    __tablename__ = "monitor_incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("monitor_services.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    reason: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(String(300))


class IncidentNote(Base):
    """What an operator wrote about an incident; public notes appear on the status board."""

    __tablename__ = "monitor_incident_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("monitor_incidents.id", ondelete="CASCADE"), index=True)
    written_at: Mapped[datetime] = mapped_column(DateTime)
    author: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=True)


class Maintenance(Base):
    """A planned maintenance window of a service: no downtime is counted inside it."""

    __tablename__ = "monitor_maintenance"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("monitor_services.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    note: Mapped[str | None] = mapped_column(String(300))
    author: Mapped[str | None] = mapped_column(String(80))


class Webhook(Base):
    """A URL told when a service goes down or comes back (a Telegram bot, a WhatsApp gateway)."""

    __tablename__ = "monitor_webhooks"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
