"""What the web layer knows about the cameras, read from what the readers published in the cache.

Any web worker can build the board (the cache is shared when Redis is configured); the process
that owns the readers also falls back to asking its CameraManager directly.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from config.cameras import CameraSettings
from .health import OFFLINE, refresh, worst_first
from .keys import CacheKeys
from .manager import CameraManager

DESCRIBED_FIELDS = ("name", "kind", "kecamatan", "heading_deg", "fov_deg", "range_m")


@dataclass(frozen=True)
class CameraBoard:
    cache: Any
    """A cachelib-style backend (see cameras.thumbnails.resolve_cache)."""
    settings: CameraSettings
    keys: CacheKeys = CacheKeys()
    manager: CameraManager | None = None

    def index(self) -> list[dict[str, Any]]:
        """Every configured camera (public spec, no credentials) with its config_error."""
        if self.manager is not None:
            return self.manager.cameras()
        return self.cache.get(self.keys.index) or []

    def camera(self, camera_id: int) -> dict[str, Any] | None:
        return next((c for c in self.index() if c.get("id") == camera_id), None)

    def by_id(self) -> dict[int, dict[str, Any]]:
        """The index keyed by camera id (one read for a whole page of cameras)."""
        return {c["id"]: c for c in self.index() if isinstance(c.get("id"), int)}

    def health(self, camera_id: int, now: float | None = None) -> dict[str, Any] | None:
        """The camera's last published health, re-judged now (a silent reader turns offline)."""
        record = self.cache.get(self.keys.health(camera_id))
        if record is None and self.manager is not None:
            record = self.manager.health(camera_id)
        return refresh(record, self.settings, now) if record else None

    def thumbnail(self, camera_id: int) -> dict[str, Any] | None:
        return self.cache.get(self.keys.thumb(camera_id))

    def describe(self, camera_id: int, camera: dict[str, Any] | None = None, now: float | None = None) -> dict[str, Any]:
        """Health joined with the camera's spec; a camera that never reported is offline."""
        now = time.time() if now is None else now
        record = dict(self.health(camera_id, now) or {"camera_id": camera_id, "status": OFFLINE, "reason": "no_report"})
        camera = camera if camera is not None else self.camera(camera_id)
        for field in DESCRIBED_FIELDS:
            record.setdefault(field, (camera or {}).get(field))
        if record.get("last_frame_ts"):
            record["last_frame_age_s"] = round(now - record["last_frame_ts"], 1)
        return record

    def all_health(self) -> list[dict[str, Any]]:
        """Every camera described, worst first."""
        now = time.time()
        return worst_first([self.describe(c["id"], c, now) for c in self.index() if isinstance(c.get("id"), int)])
