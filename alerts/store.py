"""Acknowledgements and screen preferences, per user, in the store (every worker sees the same)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError

from alerts.models import AlertAck, UserPreference

THEMES = ("terang", "gelap")
"""Light (desks) and dark high-contrast (wall screens)."""
DEFAULT_THEME = "terang"


def acknowledged(engine: Engine, username: str, keys: Iterable[str]) -> set[str]:
    """Which of `keys` the user has acknowledged."""
    keys = list(keys)
    if not keys:
        return set()
    with engine.connect() as conn:
        return set(conn.scalars(select(AlertAck.alert_key).where(AlertAck.username == username, AlertAck.alert_key.in_(keys))))


def acknowledge(engine: Engine, username: str, keys: Iterable[str], at: datetime | None = None) -> int:
    """Record that the user has seen the alerts `keys`; returns how many were new."""
    at = at or datetime.utcnow()
    new = 0
    for key in set(keys):
        try:
            with engine.begin() as conn:
                conn.execute(AlertAck.__table__.insert().values(username=username, alert_key=key[:160], acked_at=at))
            new += 1
        except IntegrityError:  # acknowledged already (or by another worker just now)
            pass
    return new


def forget_acknowledgements(engine: Engine, older_than: timedelta = timedelta(days=30), now: datetime | None = None) -> None:
    """Drop acknowledgements older than `older_than` (their alerts closed long ago)."""
    cutoff = (now or datetime.utcnow()) - older_than
    with engine.begin() as conn:
        conn.execute(delete(AlertAck).where(AlertAck.acked_at < cutoff))


def preferences(engine: Engine, username: str) -> dict:
    """{"theme": "terang" | "gelap", "alert_sound": bool} of the user (defaults when never set)."""
    with engine.connect() as conn:
        row = conn.execute(select(UserPreference.theme, UserPreference.alert_sound).where(UserPreference.username == username)).first()
    if row is None:
        return {"theme": DEFAULT_THEME, "alert_sound": False}
    return {"theme": row.theme if row.theme in THEMES else DEFAULT_THEME, "alert_sound": bool(row.alert_sound)}


def set_preferences(engine: Engine, username: str, *, theme: str | None = None, alert_sound: bool | None = None) -> dict:
    """Change the user's theme and/or alert sound; an unknown theme is refused with ValueError."""
    if theme is not None and theme not in THEMES:
        raise ValueError(f"theme must be one of {THEMES}")
    current = preferences(engine, username)
    current.update({k: v for k, v in (("theme", theme), ("alert_sound", alert_sound)) if v is not None})
    with engine.begin() as conn:
        exists = conn.scalar(select(UserPreference.username).where(UserPreference.username == username))
        if exists:
            conn.execute(UserPreference.__table__.update().where(UserPreference.username == username).values(**current))
        else:
            conn.execute(UserPreference.__table__.insert().values(username=username, **current))
    return current
