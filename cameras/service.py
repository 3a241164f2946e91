"""The camera service: the one place cameras are decoded, as in Frigate and go2rtc.

A CameraService owns the readers of the cameras it holds (one connection to each camera source,
whatever the number of web workers and viewers) and publishes their thumbnails and health through
the cache (cameras/keys.py). With Redis it also

- shares the cameras with the other service instances through leases (cameras/leases.py): each
  instance holds about its share, renews it every third of a lease, and takes over the cameras of
  an instance that stopped once their leases lapse (a lease lasts one thumbnail period, so a stopped
  instance's cameras show new thumbnails within two periods);
- relays live view to web workers: a worker's viewer announces itself in a sorted set
  (cameras/relay.py) and the instance holding the camera publishes each frame's JPEG, once, on the
  camera's channel. The health record's `viewers` counts the viewers of every worker.

Without Redis (`python app.py` on one machine) the service runs inside the web process and live view
takes the in-process channel: the routes ask its CameraManager directly.

Run alone: ``python -m cameras.service`` (settings from the environment like the app; REDIS_URL
shares the work; ``--demo N`` runs N synthetic cameras and ``--specs FILE`` the cameras of a JSON
file instead of the database's, for benchmarks and tests).
"""
from __future__ import annotations

import argparse
import collections
import logging
import os
import signal
import socket
import threading
import time
import uuid
from typing import Any, Callable, Iterable

from config.cameras import CameraSettings
from .keys import CacheKeys
from .leases import Leases
from .manager import CameraManager
from .relay import channel, demand_key
from .sources import open_source
from .thumbnails import make_default_cache

log = logging.getLogger(__name__)

DEMAND_POLL_S = 0.5
"""How often the service reads which cameras web workers are watching (s)."""


class CameraService:
    """Readers for the cameras this instance holds, thumbnails, health and (with Redis) live relay.

    `redis` is a redis-py client or None (single process); `prefix` is the raw Redis key prefix
    (the cache's key prefix + CacheKeys.prefix). stop() joins every thread it started.
    """

    def __init__(
        self,
        specs_provider: Callable[[], Iterable[Any]],
        cache: Any = None,
        settings: CameraSettings | None = None,
        *,
        redis: Any = None,
        prefix: str = "ambon:ambon:cam:",
        keys: CacheKeys | None = None,
        source_factory=open_source,
        lease_s: float | None = None,
    ):
        self.settings = settings or CameraSettings()
        self.redis = redis
        self.prefix = prefix
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        period = self.settings.thumbnail_period_s or 5.0
        self.lease_s = lease_s if lease_s is not None else max(1.0, period)
        self.leases = Leases(redis, prefix, self.token, self.lease_s) if redis is not None else None
        self._owned: set[int] = set()
        self._leases_down = False
        self.manager = CameraManager(
            specs_provider, cache if cache is not None else make_default_cache(), self.settings, keys=keys,
            source_factory=source_factory, claim=self._claim if self.leases else None,
        )
        self.manager.publisher.token = self.token
        if self.leases is not None:  # the instance lease decides who makes thumbnails, not a second lease
            self.manager.publisher.holds_monitor = lambda camera_id: camera_id in self._owned  # type: ignore[method-assign]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._relays: dict[int, threading.Thread] = {}
        self._demand: dict[int, int] = {}
        self.relayed_frames = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "CameraService":
        self.manager.start()
        if self.redis is not None:
            for target, name in ((self._lease_loop, "camera-leases"), (self._demand_loop, "camera-demand")):
                t = threading.Thread(target=target, name=name, daemon=True)
                t.start()
                self._threads.append(t)
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop relays, readers and loops; hand the leases back so another instance takes over at once."""
        self._stop.set()
        for t in self._threads + list(self._relays.values()):
            t.join(timeout)
        self.manager.stop(timeout)
        if self.leases is not None:
            try:
                self.leases.release(self._owned)
                self.leases.leave()
            except Exception:
                log.warning("camera service: could not hand back leases (they lapse on their own)")

    def __enter__(self) -> "CameraService":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def owned(self) -> set[int]:
        return set(self._owned)

    # ------------------------------------------------------------------ leases
    def _claim(self, camera_ids: list[int]) -> set[int]:
        """Called by the manager's sync: the cameras this instance runs (renewed and newly taken)."""
        try:
            self._owned = self.leases.claim(camera_ids)  # type: ignore[union-attr]
        except Exception as exc:
            # Redis away: every process then serves from its own cache, so it runs every camera (a
            # duplicate decode is better than no picture); the leases sort it out when Redis answers
            if not self._leases_down:
                log.warning("camera leases unavailable, running every camera here until Redis answers: %s", exc)
            self._leases_down = True
            self._owned = set(camera_ids)
            return set(self._owned)
        self._leases_down = False
        return set(self._owned)

    def _lease_loop(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            before = set(self._owned)
            ids = [c["id"] for c in self.manager.cameras() if isinstance(c.get("id"), int)]
            if set(self._claim(ids)) != before:
                self.manager.sync()  # start the cameras taken over, stop those handed on

    # ------------------------------------------------------------------ live relay
    def _demand_loop(self) -> None:
        key = demand_key(self.prefix)
        while not self._stop.wait(DEMAND_POLL_S):
            try:
                pipe = self.redis.pipeline()
                pipe.zremrangebyscore(key, "-inf", time.time())
                pipe.zrange(key, 0, -1)
                members = pipe.execute()[1]
            except Exception as exc:
                log.warning("camera viewers unavailable: %s", exc)
                continue
            demand = collections.Counter(int(m.split(b":", 1)[0]) for m in members)
            self._demand = dict(demand)
            for cid in self._owned | set(self._relays):
                reader = self.manager.reader(cid)
                n = demand.get(cid, 0)
                if reader is not None:
                    reader.set_remote_viewers(n)
                relay = self._relays.get(cid)
                if n and reader is not None and (relay is None or not relay.is_alive()):
                    t = threading.Thread(target=self._relay, args=(cid,), name=f"camera-relay-{cid}", daemon=True)
                    self._relays[cid] = t
                    t.start()
            self._relays = {c: t for c, t in self._relays.items() if t.is_alive()}

    def _relay(self, camera_id: int) -> None:
        """Publish the camera's frames on its channel while web workers watch it (one JPEG per frame)."""
        min_interval = 1.0 / self.settings.live_max_fps if self.settings.live_max_fps > 0 else 0.0
        ch = channel(self.prefix, camera_id)
        next_at = 0.0
        reader = self.manager.reader(camera_id)
        viewer = reader.relay_viewer() if reader is not None else None
        while viewer is not None and not self._stop.is_set() and self._demand.get(camera_id) and camera_id in self._owned:
            current = self.manager.reader(camera_id)
            if current is not reader:  # camera edited: follow its new reader
                reader = current
                viewer = reader.relay_viewer() if reader is not None else None
                continue
            frame = viewer.next_frame(timeout=1.0)
            now = time.monotonic()
            if frame is None or now < next_at:
                continue
            # at most live_max_fps on average; a frame a little early (jitter) still goes
            next_at = max(next_at + min_interval, now - min_interval / 2)
            try:
                self.redis.publish(ch, frame.jpeg(self.settings.live_quality))
                self.relayed_frames += 1
            except Exception as exc:
                log.warning("camera %s: live relay failed: %s", camera_id, exc)
                self._stop.wait(1.0)


def demo_specs(n: int) -> list[dict[str, Any]]:
    """n synthetic cameras (demo://), for benchmarks and tests of the service alone."""
    return [{"id": i, "name": f"Demo {i}", "kind": "road", "stream_url": f"demo://{i}"} for i in range(1, n + 1)]


def redis_prefix(cache_key_prefix: str, keys: CacheKeys | None = None) -> str:
    """The raw Redis prefix of the camera keys (the cache's key prefix + the camera keys' prefix)."""
    return cache_key_prefix + (keys or CacheKeys()).prefix


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cameras.service", description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo", type=int, default=0, help="run N synthetic cameras instead of the database's")
    parser.add_argument("--specs", help="run the cameras of this JSON file (a list of camera rows) instead of the database's")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from config import Settings  # the app's one home of configuration; imported here, not by the domain code

    settings = Settings.from_env()
    if args.demo:
        provider: Callable[[], Iterable[Any]] = lambda: demo_specs(args.demo)  # noqa: E731
    elif args.specs:
        import json
        from pathlib import Path

        provider = lambda: json.loads(Path(args.specs).read_text())  # noqa: E731  (re-read: edits show)
    else:
        from functools import partial

        from store.cameras import camera_specs
        from store.db import make_engine

        provider = partial(camera_specs, make_engine(settings.database_url, 2))
    redis_client, cache = None, None
    if settings.redis_url:
        import redis
        from cachelib import RedisCache

        redis_client = redis.Redis.from_url(settings.redis_url)
        cache = RedisCache(host=redis_client, key_prefix=settings.cache_key_prefix, default_timeout=0)
    service = CameraService(provider, cache, settings.camera_settings(), redis=redis_client,
                            prefix=redis_prefix(settings.cache_key_prefix))
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    service.start()
    log.info("camera service %s started (%s)", service.token, "shared through Redis" if redis_client else "alone")
    while not done.wait(None if redis_client is None else 60):
        log.info("camera service %s: %d cameras held", service.token, len(service.owned))
    service.stop()


if __name__ == "__main__":
    main()
