"""The cache key scheme: what the readers publish and the web layer reads.

With prefix P (default "ambon:cam:"):

=====================  =====================================================================
P + "thumb:<id>"       dict: jpeg (bytes, ~320 px wide), ts (capture time, unix s), seq (int),
                       width, height. Written by the camera's reader every thumbnail period.
P + "health:<id>"      dict: see cameras.health.HealthTracker.snapshot() (status, fps, last
                       frame time, uptime_24h/7d, last_error, ...). Written about every second.
P + "index"            list of dicts: every configured camera (public spec, no passwords) and
                       its config_error (str or None). Written by the manager after each sync.
P + "monitor:<id>"     str: the process that makes this camera's thumbnails and health, for
                       readers of one camera in several processes sharing a cache without a
                       camera service (a lease renewed every thumbnail period, lapsing after two).
=====================  =====================================================================

With Redis the camera service (cameras/service.py) decides instead which instance runs a camera at
all (raw Redis keys "lease:<id>" and "instances", cameras/leases.py) and relays live view to web
workers ("viewers" and the channel "live:<id>", cameras/relay.py).

Entries never expire on their own (timeout 0): a thumbnail keeps its capture time, so a reader that
died shows up as an old frame, which the routes turn into an "OFFLINE sejak ..." card.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CacheKeys:
    prefix: str = "ambon:cam:"

    def thumb(self, camera_id: int) -> str:
        return f"{self.prefix}thumb:{int(camera_id)}"

    def health(self, camera_id: int) -> str:
        return f"{self.prefix}health:{int(camera_id)}"

    def monitor(self, camera_id: int) -> str:
        return f"{self.prefix}monitor:{int(camera_id)}"

    @property
    def index(self) -> str:
        return f"{self.prefix}index"
