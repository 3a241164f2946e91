"""What the web layer knows about the cameras, read from what the readers published in the cache.

Any web worker can build the board (the cache is shared when Redis is configured); the process
that owns the readers also falls back to asking its CameraManager directly.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from config.cameras import CameraSettings
from .health import OFFLINE, refresh, worst_first
from .keys import CacheKeys
from .manager import CameraManager

DESCRIBED_FIELDS = ("name", "kind", "kecamatan", "heading_deg", "fov_deg", "range_m")


def offline_since(record: dict[str, Any]) -> float | None:
    """When an offline camera went down, as everything shows it: its ongoing outage's start in the
    status history (`offline_since`, see CameraBoard.outage_starts), before the history has it its
    last frame's time; None for a camera that never had a picture."""
    return record.get("offline_since") or record.get("last_frame_ts")


@dataclass(frozen=True)
class CameraBoard:
    cache: Any
    """A cachelib-style backend (see cameras.thumbnails.resolve_cache)."""
    settings: CameraSettings
    keys: CacheKeys = CacheKeys()
    manager: CameraManager | None = None
    outage_starts: Callable[[list[int]], dict[int, float]] | None = None
    """Camera ids -> when each one's ongoing outage began, from the recorded status history
    (alerts.camera_history.outage_starts); described offline cameras carry it as `offline_since`.
    A reader's own record cannot say it: a new reader (the camera edited, moved to another process,
    the app restarted) has no last frame of its own."""

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

    def _read_many(self, keys: list[str]) -> list[Any]:
        """The cache's values of `keys` in one round trip when it can (Redis MGET)."""
        get_many = getattr(self.cache, "get_many", None)
        return list(get_many(*keys)) if get_many is not None and keys else [self.cache.get(k) for k in keys]

    def health(self, camera_id: int, now: float | None = None) -> dict[str, Any] | None:
        """The camera's last published health, re-judged now (a silent reader turns offline)."""
        return self.healths([camera_id], now).get(camera_id)

    def healths(self, camera_ids: Sequence[int], now: float | None = None) -> dict[int, dict[str, Any]]:
        """The published health of many cameras, re-judged now, read from the cache at once (one
        round trip to Redis, not one per camera: every open page asks for it every few seconds)."""
        records = self._read_many([self.keys.health(c) for c in camera_ids])
        found = {}
        for camera_id, record in zip(camera_ids, records):
            if record is None and self.manager is not None:
                record = self.manager.health(camera_id)
            if record:
                found[camera_id] = refresh(record, self.settings, now)
        return found

    def thumbnail(self, camera_id: int) -> dict[str, Any] | None:
        return self.cache.get(self.keys.thumb(camera_id))

    def fresh(self, thumbnail: dict[str, Any] | None, now: float) -> bool:
        """Whether a published thumbnail may still be shown at `now` (unix s): its frame is at most
        offline_after_s old. An older one is never shown: the camera gets its OFFLINE card."""
        return thumbnail is not None and now - thumbnail["ts"] <= self.settings.offline_after_s

    def fresh_thumbnails(self, camera_ids: Sequence[int], now: float | None = None) -> dict[int, dict[str, Any]]:
        """Camera id -> its published thumbnail (jpeg, ts, seq, ...), for those of `camera_ids` whose
        thumbnail is fresh, read from the cache at once."""
        now = time.time() if now is None else now
        thumbnails = self._read_many([self.keys.thumb(c) for c in camera_ids])
        return {c: thumb for c, thumb in zip(camera_ids, thumbnails) if self.fresh(thumb, now)}

    def describe(self, camera_id: int, camera: dict[str, Any] | None = None, now: float | None = None) -> dict[str, Any]:
        """Health joined with the camera's spec; a camera that never reported is offline."""
        return self.describe_many([camera_id], {camera_id: camera} if camera is not None else None, now)[0]

    def describe_many(self, camera_ids: Sequence[int], cameras: dict[int, dict[str, Any]] | None = None,
                      now: float | None = None) -> list[dict[str, Any]]:
        """`describe` for each of `camera_ids`, in that order, with one read of the health records
        (and of the index, unless `cameras`, camera id -> spec, is given)."""
        now = time.time() if now is None else now
        healths = self.healths(camera_ids, now)
        cameras = self.by_id() if cameras is None else cameras
        described = []
        for camera_id in camera_ids:
            record = dict(healths.get(camera_id) or {"camera_id": camera_id, "status": OFFLINE, "reason": "no_report"})
            camera = cameras.get(camera_id) or {}
            for field in DESCRIBED_FIELDS:
                record.setdefault(field, camera.get(field))
            if record.get("last_frame_ts"):
                record["last_frame_age_s"] = round(now - record["last_frame_ts"], 1)
            described.append(record)
        if self.outage_starts is not None:
            starts = self.outage_starts([r["camera_id"] for r in described if r.get("status") == OFFLINE])
            for record in described:
                if record["camera_id"] in starts:
                    record["offline_since"] = starts[record["camera_id"]]
        return described

    def all_health(self) -> list[dict[str, Any]]:
        """Every camera described, worst first."""
        cameras = self.by_id()
        return worst_first(self.describe_many(list(cameras), cameras))
