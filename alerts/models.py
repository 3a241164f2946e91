"""Tables of the operators' room: who acknowledged which alert, each user's screen preferences and
each camera's status changes (its history for the health page's 24-hour strips). On the store's
`Base`, listed in store.db.MODEL_MODULES. Times are naive UTC."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base


class AlertAck(Base):
    """An operator saying "seen": that alert no longer counts in their top bar."""

    __tablename__ = "alert_acks"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    alert_key: Mapped[str] = mapped_column(String(160), primary_key=True)
    acked_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class UserPreference(Base):
    """How one user wants the screens they sit at: theme ("terang" or "gelap") and the alert sound."""

    __tablename__ = "user_preferences"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    theme: Mapped[str] = mapped_column(String(12), default="terang")
    alert_sound: Mapped[bool] = mapped_column(Boolean, default=False)


class CameraStatusChange(Base):
    """A camera's status from `at` on (online, degraded, offline), as its reader judged it."""

    __tablename__ = "camera_status_changes"
    __table_args__ = (UniqueConstraint("camera_id", "at", "status", name="uq_camera_status_change"),
                      Index("ix_camera_status_changes_camera_at", "camera_id", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
