"""Live view in a web worker whose process does not run the camera's reader: relayed through Redis
from the camera service instance that does (cameras/service.py).

Keys (raw Redis, prefix P as in cameras/leases.py):

=====================  =====================================================================
P + "viewers"          sorted set: one member "<camera id>:<viewer uuid>" per live viewer of any
                       web worker, scored by when it lapses (renewed every second while the
                       viewer is connected, removed when it leaves).
P + "live:<id>"        pub/sub channel: each frame's JPEG (live quality), published once by the
                       instance running the camera while anyone watches it.
=====================  =====================================================================
"""
from __future__ import annotations

import time
import uuid
from typing import Any, Callable, Iterator

from config.cameras import CameraSettings
from .live import part
from .thumbnails import offline_card

VIEWER_TTL_S = 3.0
"""A viewer not renewed for this long (its worker died) no longer keeps the camera decoding (s)."""


def demand_key(prefix: str) -> str:
    return f"{prefix}viewers"


def channel(prefix: str, camera_id: int) -> str:
    return f"{prefix}live:{int(camera_id)}"


class RedisLive:
    """A web worker's side of the relay: MJPEG parts and single frames of any camera."""

    def __init__(self, redis: Any, prefix: str, settings: CameraSettings, clock: Callable[[], float] = time.time):
        self.redis, self.prefix, self.settings, self.clock = redis, prefix, settings, clock

    def _frames(self, camera_id: int, deadline: float | None) -> Iterator[bytes | None]:
        """JPEGs of the camera as published (None each second without one) while registered as a viewer."""
        member = f"{int(camera_id)}:{uuid.uuid4().hex}"
        key = demand_key(self.prefix)
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(channel(self.prefix, camera_id))
        renewed = 0.0
        try:
            while deadline is None or time.monotonic() < deadline:
                if time.monotonic() - renewed >= 1.0:
                    self.redis.zadd(key, {member: self.clock() + VIEWER_TTL_S})
                    renewed = time.monotonic()
                message = pubsub.get_message(timeout=1.0)
                yield message["data"] if message and message.get("type") == "message" else None
        finally:
            try:
                self.redis.zrem(key, member)
            finally:
                pubsub.close()

    def stream(self, camera_id: int, name: str, *, fps: float | None = None, max_seconds: float | None = 3600.0,
               on_frame: Callable[[int], None] | None = None) -> Iterator[bytes]:
        """Multipart JPEG parts for one viewer, like cameras.live.mjpeg_stream: frames at most `fps`
        per second (later ones skipped, not queued), an OFFLINE card every couple of seconds without."""
        rate = min(fps or self.settings.live_max_fps, self.settings.live_max_fps)
        min_interval = 1.0 / rate if rate > 0 else 0.0
        next_at = 0.0
        last_frame = last_card = time.monotonic()
        last_card -= 2.0
        deadline = time.monotonic() + max_seconds if max_seconds else None
        for data in self._frames(camera_id, deadline):
            now = time.monotonic()
            if data is None:
                if now - last_frame > self.settings.stall_after_s and now - last_card >= 2.0:
                    last_card = now
                    yield part(offline_card(name, None, width=480))
                continue
            last_frame = now
            if now < next_at:
                continue
            next_at = max(next_at + min_interval, now - min_interval / 2)  # a rate on average: jitter does not halve it
            if on_frame is not None:
                on_frame(len(data))
            yield part(data)

    def frame(self, camera_id: int, timeout: float) -> bytes | None:
        """One current JPEG of the camera (for evidence snapshots), None when none comes in time."""
        frames = self._frames(camera_id, time.monotonic() + timeout)
        try:
            return next((data for data in frames if data is not None), None)
        finally:
            frames.close()
