"""Settings, read once from the environment at start-up. Every setting has an embedded default."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cameras.config import CameraSettings

ROOT = Path(__file__).resolve().parent

DEFAULT_SECRET_KEY = "demo-only-secret-change-me"

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    redis_url: str | None
    """When set, flask-caching uses Redis (shared by every gunicorn worker); otherwise an in-process cache."""
    tile_url: str
    """Basemap tiles; empty means vector basemap only."""
    tile_attribution: str
    demo_data: bool
    host: str
    port: int
    secret_key: str
    cache_key_prefix: str
    """Prefix of every Redis key, so several deployments can share one Redis."""
    camera_readers: bool
    """Whether this process decodes the cameras (and so can serve live views and snapshots).
    Off in web-only workers, which serve thumbnails and health from the shared (Redis) cache."""
    media_dir: Path
    """Local video files used as camera sources must live here."""
    celery_broker_url: str | None = None
    """When set, background jobs (the coverage analysis) run on Celery workers through this broker
    (`celery -A celery_worker worker`); otherwise in local processes with a diskcache queue."""
    production: bool = False
    """APP_MODE=production: no demo users, Secure cookies, and no start with the default SECRET_KEY."""
    login_rate_limit: str = "5 per minute; 20 per hour"
    """Failed logins allowed per user name and address (flask-limiter syntax)."""
    flood_sim_speed: float = 600.0
    """Simulated seconds per real second of the BPBD page's demo rain event (600: a 10-minute step each second)."""
    trusted_proxies: int = 0
    """How many reverse proxies (nginx, a load balancer) stand in front of the app. Their X-Forwarded-For,
    -Proto and -Host headers are believed for that many hops, so that the login rate limit and the audit log
    see the user's address, not the proxy's. 0: no proxy, the headers are ignored (a client could forge them)."""
    alert_poll_s: float = 5.0
    """How often every open page asks the alert centre for new alerts (seconds)."""
    camera_offline_after_s: float = 30.0
    """A camera whose last good frame is older than this (seconds) is offline, and raises an alert."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("INSTANCE_DIR", ROOT / "instance"))
        return cls(
            instance_dir=instance_dir,
            database_url=env.get("DATABASE_URL", f"sqlite:///{instance_dir / 'ambon.db'}"),
            redis_url=env.get("REDIS_URL") or None,
            tile_url=env.get("TILE_URL", OSM_TILES),
            tile_attribution=env.get("TILE_ATTRIBUTION", OSM_ATTRIBUTION),
            demo_data=env.get("DEMO_DATA", "1") not in ("0", "false", "no"),
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", "8050")),
            secret_key=env.get("SECRET_KEY", DEFAULT_SECRET_KEY),
            cache_key_prefix=env.get("CACHE_KEY_PREFIX", "ambon:"),
            camera_readers=env.get("CAMERA_READERS", "1") not in ("0", "false", "no"),
            media_dir=Path(env.get("MEDIA_DIR", instance_dir / "media")),
            celery_broker_url=env.get("CELERY_BROKER_URL") or None,
            production=env.get("APP_MODE", "demo") == "production",
            login_rate_limit=env.get("LOGIN_RATE_LIMIT", "5 per minute; 20 per hour"),
            flood_sim_speed=float(env.get("FLOOD_SIM_SPEED", "600")),
            trusted_proxies=int(env.get("TRUSTED_PROXIES", "0")),
            alert_poll_s=float(env.get("ALERT_POLL_S", "5")),
            camera_offline_after_s=float(env.get("CAMERA_OFFLINE_AFTER_S", "30")),
        )

    def camera_settings(self) -> CameraSettings:
        return CameraSettings(media_root=self.media_dir, snapshot_dir=self.instance_dir / "snapshots",
                              offline_after_s=self.camera_offline_after_s)

    def cache_config(self) -> dict:
        """flask-caching configuration: Redis when REDIS_URL is set, else in-process."""
        if self.redis_url:
            return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": self.redis_url, "CACHE_KEY_PREFIX": self.cache_key_prefix,
                    "CACHE_DEFAULT_TIMEOUT": 300}
        return {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300, "CACHE_THRESHOLD": 2000}
