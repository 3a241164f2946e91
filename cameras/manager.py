"""Keeps one reader per configured camera in step with the camera list of the data store.

`specs_provider` is a callable returning the current camera rows (mappings or objects with id, name,
kind, stream_url, heading_deg, fov_deg, range_m, kecamatan). sync() — run every sync_interval_s by
start(), or called directly after an edit — starts readers for new cameras, restarts those whose
stream changed, updates metadata in place, and stops removed ones. A bad row is reported (health
record with config_error), never fatal to the others. stop() joins every thread it started.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from config.cameras import CameraSettings, CameraSpec, ConfigError, parse_spec, spec_field
from .health import OFFLINE, refresh, worst_first
from .keys import CacheKeys
from .live import mjpeg_stream
from .reader import CameraReader, Viewer
from .snapshots import SnapshotRecord, SnapshotStore
from .sources import open_source
from .thumbnails import Publisher, make_default_cache

log = logging.getLogger(__name__)


class UnknownCamera(KeyError):
    pass


class NoFrame(RuntimeError):
    pass


@dataclass
class SyncResult:
    added: list[int] = field(default_factory=list)
    restarted: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    errors: dict[Any, str] = field(default_factory=dict)  # camera id (or "row N") -> message
    error_names: dict[Any, str] = field(default_factory=dict)  # the same keys -> the row's name, where it has one
    error_places: dict[Any, dict[str, str]] = field(default_factory=dict)
    """The same keys -> the row's kind and kecamatan, where it has them: the video wall's filters
    keep a refused camera in sight by them."""


def _needs_restart(old: CameraSpec, new: CameraSpec) -> bool:
    if old.stream_url != new.stream_url:
        return True
    # the demo scene draws the camera's name and colours by kind
    return new.stream_url.startswith("demo://") and (old.name, old.kind) != (new.name, new.kind)


class CameraManager:
    def __init__(
        self,
        specs_provider: Callable[[], Iterable[Any]],
        cache: Any = None,
        settings: CameraSettings | None = None,
        *,
        keys: CacheKeys | None = None,
        source_factory=open_source,
        claim: Callable[[list[int]], set[int]] | None = None,
    ):
        """`claim(camera ids)` answers which of them this process runs readers for (cameras.service
        shares cameras between instances through leases); None runs every camera."""
        self.specs_provider = specs_provider
        self.claim = claim
        self._specs: dict[int, CameraSpec] = {}
        self.settings = settings or CameraSettings()
        self.keys = keys or CacheKeys()
        self.cache = cache if cache is not None else make_default_cache()
        self.publisher = Publisher(self.cache, self.settings, self.keys)
        self.snapshots = SnapshotStore(self.settings.snapshot_dir)
        self.source_factory = source_factory
        self._lock = threading.RLock()
        self._readers: dict[int, CameraReader] = {}
        self._errors: dict[Any, str] = {}
        self._error_names: dict[Any, str] = {}
        self._error_places: dict[Any, dict[str, str]] = {}
        self._retiring: list[CameraReader] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_sync_error: str | None = None
        self.last_sync_ts: float | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "CameraManager":
        self.sync()
        if self._thread is None and self.settings.sync_interval_s:
            self._thread = threading.Thread(target=self._sync_loop, name="camera-sync", daemon=True)
            self._thread.start()
        return self

    def _sync_loop(self) -> None:
        while not self._stop.wait(self.settings.sync_interval_s):
            try:
                self.sync()
            except Exception:  # pragma: no cover - sync() already guards the provider
                log.exception("camera sync failed")

    def stop(self, timeout: float | None = None) -> None:
        """Stop every reader and the sync thread; returns when all threads have ended."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            readers = list(self._readers.values()) + self._retiring
            self._readers.clear()
            self._retiring.clear()
        for r in readers:  # signal all first, then join: shutdown takes one read timeout, not N
            r.stop(join=False)
        for r in readers:
            if not r.join(timeout):
                log.warning("camera %s: reader thread did not end in time", r.spec.id)

    def __enter__(self) -> "CameraManager":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ sync
    def sync(self) -> SyncResult:
        result = SyncResult()
        try:
            rows = list(self.specs_provider())
        except Exception as exc:  # store down: keep what runs, say so
            self.last_sync_error = f"camera list unavailable: {exc}"
            log.warning(self.last_sync_error)
            return result
        self.last_sync_error = None
        specs: dict[int, CameraSpec] = {}
        for i, row in enumerate(rows):
            try:
                spec = parse_spec(row, self.settings)
            except ConfigError as exc:
                key = exc.camera_id if exc.camera_id is not None else f"row {i}"
                result.errors[key] = exc.message
                name = spec_field(row, "name")
                if isinstance(name, str) and name.strip():
                    result.error_names[key] = name.strip()  # operators know a refused camera by its name too
                places = {f: spec_field(row, f) for f in ("kind", "kecamatan")}
                result.error_places[key] = {f: v for f, v in places.items() if isinstance(v, str)}
                continue
            if spec.id in specs:
                result.errors[spec.id] = f"duplicate camera id {spec.id} (row {i})"
                continue
            specs[spec.id] = spec
        with self._lock:
            for cid in [c for c in result.errors if isinstance(c, int)]:
                specs.pop(cid, None)  # a duplicate id runs neither copy: the store must be fixed
            self._specs = dict(specs)
            if self.claim is not None:
                owned = self.claim(sorted(specs))
                specs = {cid: spec for cid, spec in specs.items() if cid in owned}
            for cid in list(self._readers):
                if cid not in specs:
                    self._retire(self._readers.pop(cid))
                    if cid not in result.errors and cid not in self._specs:  # handed over to another instance: keep its records
                        self.publisher.forget(cid)
                    result.removed.append(cid)
            for cid, spec in specs.items():
                old = self._readers.get(cid)
                if old is None:
                    self._readers[cid] = self._new_reader(spec)
                    result.added.append(cid)
                elif _needs_restart(old.spec, spec):
                    self._retire(old)
                    self._readers[cid] = self._new_reader(spec, health=old.health)  # an edited URL keeps its history
                    result.restarted.append(cid)
                elif old.spec != spec:
                    old.spec = spec
                    result.updated.append(cid)
            self._errors, self._error_names, self._error_places = result.errors, result.error_names, result.error_places
            self._retiring = [r for r in self._retiring if r.alive]
            for cid, message in result.errors.items():
                if isinstance(cid, int):
                    self.publisher.publish_health(cid, self._config_error_record(cid, message, result.error_names.get(cid)))
            self.publisher.publish_index(self.cameras())
        self.last_sync_ts = time.time()
        if any((result.added, result.restarted, result.updated, result.removed, result.errors)):
            log.info("camera sync: %s", result)
        return result

    def _new_reader(self, spec: CameraSpec, health=None) -> CameraReader:
        reader = CameraReader(spec, self.settings, self.publisher, source_factory=self.source_factory)
        if health is not None:
            reader.health = health  # uptime and "since when" describe the camera, not one URL of it
        return reader.start()

    def _retire(self, reader: CameraReader) -> None:
        reader.stop(join=False)  # it ends after its current bounded read; joined in stop()/next sync
        self._retiring.append(reader)

    @staticmethod
    def _config_error_record(cid: int, message: str, name: str | None = None) -> dict[str, Any]:
        return {
            "camera_id": cid, "name": name, "status": OFFLINE, "reason": "bad_config",
            "config_error": message, "last_error": message, "last_error_code": "config", "last_frame_ts": None, "fps": None,
            "uptime_24h": None, "uptime_7d": None, "published_ts": time.time(),
        }

    # ------------------------------------------------------------------ queries
    def reader(self, camera_id: int) -> CameraReader | None:
        with self._lock:
            return self._readers.get(int(camera_id))

    def spec(self, camera_id: int) -> CameraSpec | None:
        with self._lock:
            return self._specs.get(int(camera_id))

    def cameras(self) -> list[dict[str, Any]]:
        """Every configured camera (public spec) plus cameras whose row is invalid."""
        with self._lock:
            out = [dict(spec.public_dict(), config_error=None) for spec in self._specs.values()]
            out += [{"id": c, "name": self._error_names.get(c), **self._error_places.get(c, {}), "config_error": m}
                    for c, m in self._errors.items()]
        return sorted(out, key=lambda d: (isinstance(d["id"], str), str(d["id"]) if isinstance(d["id"], str) else d["id"]))

    def health(self, camera_id: int) -> dict[str, Any] | None:
        r = self.reader(camera_id)
        if r is not None:
            return refresh(r.health_snapshot(), self.settings)
        msg = self._errors.get(int(camera_id))
        return self._config_error_record(int(camera_id), msg, self._error_names.get(int(camera_id))) if msg else None

    def health_all(self) -> list[dict[str, Any]]:
        with self._lock:
            readers = list(self._readers.values())
            errors = dict(self._errors)
        records = [refresh(r.health_snapshot(), self.settings) for r in readers]
        records += [self._config_error_record(c, m, self._error_names.get(c)) for c, m in errors.items() if isinstance(c, int)]
        return worst_first(records)

    # ------------------------------------------------------------------ live & snapshots
    def open_viewer(self, camera_id: int) -> Viewer:
        r = self.reader(camera_id)
        if r is None:
            raise UnknownCamera(camera_id)
        return r.open_viewer()

    def live_stream(self, camera_id: int, **kwargs: Any):
        """MJPEG parts for one viewer of this camera (see cameras.live.mjpeg_stream)."""
        if self.reader(camera_id) is None:
            raise UnknownCamera(camera_id)
        return mjpeg_stream(lambda: self.reader(camera_id), self.settings, **kwargs)

    def first_thumbnail(self, camera_id: int, timeout: float = 1.5) -> dict[str, Any] | None:
        """A thumbnail made and published now from the reader's current frame, waiting at most
        `timeout` seconds for one: for a camera nobody asked for yet, whose first thumbnail is not
        published, so a wall opening shows its picture at once. None when no frame came in time."""
        r = self.reader(camera_id)
        if r is None:
            return None
        frame = r.fresh_frame(timeout, max_age_s=self.settings.offline_after_s)
        if frame is None:
            return None
        return self.publisher.publish_thumbnail(camera_id, frame.image, frame.ts, frame.seq)

    def snapshot(self, camera_id: int, timeout: float | None = None) -> SnapshotRecord:
        """Store the current frame as evidence. NoFrame when the camera gives none in time."""
        r = self.reader(camera_id)
        if r is None:
            raise UnknownCamera(camera_id)
        frame = r.fresh_frame(timeout if timeout is not None else self.settings.read_timeout_s)
        if frame is None:
            err = r.health.last_error
            raise NoFrame(f"camera {camera_id} gave no current frame" + (f": {err}" if err else ""))
        return self.snapshots.save(r.spec, frame.image, frame.ts)
