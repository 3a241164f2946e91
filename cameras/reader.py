"""One thread per camera: decode loop, bounded reads, backoff with jitter, fan-out, idle stop.

The reader owns the stream. It publishes the latest frame (for live viewers and snapshots, in
process), a thumbnail every thumbnail period and its health (through the cache). Viewers never
touch the stream: they wait on the reader's condition variable for a newer frame, so ten viewers
cost one decode. When nobody needs frames (no thumbnail due, no viewer, no snapshot asked) the
reader closes push streams and sleeps; pull sources (demo, HTTP snapshot) simply stop reading.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from config.cameras import CameraSettings, CameraSpec
from .health import HealthTracker
from .sources import Source, SourceError, open_source
from .thumbnails import Publisher, encode_jpeg

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Frame:
    """A decoded frame, shared read-only by every viewer. Its JPEG is encoded once, on first use."""

    seq: int
    ts: float  # wall-clock capture time (unix s)
    image: np.ndarray
    _jpeg: dict[int, bytes] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def jpeg(self, quality: int) -> bytes:
        with self._lock:
            data = self._jpeg.get(quality)
            if data is None:
                data = self._jpeg[quality] = encode_jpeg(self.image, quality)
            return data


class Viewer:
    """One live viewer of a reader. Use as a context manager; close() releases it."""

    def __init__(self, reader: "CameraReader", counted: bool = True):
        self.reader = reader
        self.last_seq = 0
        self.closed = not counted  # an uncounted viewer (the service's relay) holds no demand of its own

    def next_frame(self, timeout: float) -> Frame | None:
        """The next frame newer than the last one returned, or None after timeout / reader stop."""
        r = self.reader
        with r._cond:
            r._cond.wait_for(lambda: r._stopping or (r._frame is not None and r._frame.seq > self.last_seq), timeout)
            f = r._frame
            if r._stopping or f is None or f.seq <= self.last_seq:
                return None
            self.last_seq = f.seq
            return f

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.reader._release_viewer()

    def __enter__(self) -> "Viewer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random = random._inst) -> float:  # type: ignore[attr-defined]
    """Exponential backoff with jitter: uniformly between half and all of min(cap, base * 2^(n-1))."""
    d = min(cap, base * (2 ** max(0, failures - 1)))
    return d * rng.uniform(0.5, 1.0)


class CameraReader:
    def __init__(
        self,
        spec: CameraSpec,
        settings: CameraSettings,
        publisher: Publisher | None = None,
        *,
        source_factory: Callable[[CameraSpec, CameraSettings], Source] = open_source,
    ):
        self.spec = spec
        self.settings = settings
        self.publisher = publisher
        self.source_factory = source_factory
        self.health = HealthTracker(spec.id, settings)
        self._cond = threading.Condition()
        self._viewers = 0
        self.remote_viewers = 0
        """Viewers in other processes (web workers relaying through Redis), set by cameras.service."""
        self._wanted = 0  # one-shot frame requests (snapshots)
        self._frame: Frame | None = None
        self._seq = 0
        self._stopping = False
        self._next_thumb = time.monotonic()  # first thumbnail at once
        self._monitor = settings.thumbnail_period_s is None
        """Whether this process makes the camera's thumbnails and health (see Publisher.holds_monitor)."""
        self._thumbs = 0
        self._retry_at = 0.0
        self._failures = 0
        self._next_pull = 0.0
        self._next_health = 0.0
        self.source_open = False
        self._idle_stopped = False  # the last close was an idle stop: the next open is no reconnect
        # counters for tests and the benchmark
        self.decoded = 0  # pictures read from the source
        self.grabbed = 0  # frames drained without conversion
        self.opens = 0
        self.frames_decoded = 0  # what the sources' decoders made, key frames or not
        self.key_frames_decoded = 0
        self._counted = (0, 0)  # the open source's counters already added
        self._thread = threading.Thread(target=self._run, name=f"camera-{spec.id}", daemon=True)

    # ------------------------------------------------------------------ public
    def start(self) -> "CameraReader":
        self._thread.start()
        return self

    def stop(self, join: bool = True, timeout: float | None = None) -> None:
        """Ask the thread to end (it finishes its current bounded read), wake viewers, join."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if join:
            self.join(timeout)

    def join(self, timeout: float | None = None) -> bool:
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(self.settings.open_timeout_s + self.settings.read_timeout_s + 2 if timeout is None else timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def viewers(self) -> int:
        """Live viewers of this camera: in this process and, through the service, in every web worker."""
        return self._viewers + self.remote_viewers

    def set_remote_viewers(self, n: int) -> None:
        with self._cond:
            if n != self.remote_viewers:
                self.remote_viewers = n
                self._cond.notify_all()

    def relay_viewer(self) -> Viewer:
        """A viewer that follows the frames without counting as demand (the service's Redis relay,
        whose demand is remote_viewers)."""
        return Viewer(self, counted=False)

    def open_viewer(self) -> Viewer:
        with self._cond:
            self._viewers += 1
            self._cond.notify_all()
        return Viewer(self)

    def _release_viewer(self) -> None:
        with self._cond:
            self._viewers -= 1
            self._cond.notify_all()

    def latest(self) -> Frame | None:
        return self._frame

    def fresh_frame(self, timeout: float, max_age_s: float = 1.0) -> Frame | None:
        """A frame at most max_age_s old, asking the reader for one if needed (snapshots)."""
        with self._cond:
            f = self._frame
            if f is not None and time.time() - f.ts <= max_age_s:
                return f
            start = self._seq
            self._wanted += 1
            self._cond.notify_all()
            try:
                self._cond.wait_for(lambda: self._stopping or self._seq > start, timeout)
            finally:
                self._wanted -= 1
            return self._frame if self._seq > start else None

    def health_snapshot(self) -> dict:
        rec = self.health.snapshot()
        rec["viewers"] = self.viewers
        return rec

    # ------------------------------------------------------------------ loop
    def _publish_health(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self._next_health:
            return
        self._next_health = now + self.settings.health_publish_s
        if self.publisher is not None and self._monitor:
            self.publisher.publish_health(self.spec.id, self.health_snapshot())

    def _close(self, src: Source | None) -> None:
        if src is not None:
            try:
                src.close()
            except Exception:  # pragma: no cover - closing must never raise out of the loop
                log.exception("camera %s: close failed", self.spec.id)
        self.source_open = False

    def _fail(self, message: str, code: str = "unexpected") -> None:
        self._failures += 1
        delay = backoff_delay(self._failures, self.settings.backoff_base_s, self.settings.backoff_max_s)
        self._retry_at = time.monotonic() + delay
        self.health.on_error(message, code)
        log.info("camera %s: %s (retry in %.1f s)", self.spec.id, message, delay)
        self._publish_health(force=True)

    def _run(self) -> None:
        src: Source | None = None
        s = self.settings
        period = s.thumbnail_period_s
        try:
            while True:
                if period is not None and self.publisher is not None and time.monotonic() >= self._next_thumb:
                    self._monitor = self.publisher.holds_monitor(self.spec.id)  # cache I/O: outside the lock
                    if not self._monitor:  # another process makes this camera's thumbnails; ask again next period
                        self._next_thumb = time.monotonic() + period
                with self._cond:
                    if self._stopping:
                        return
                    now = time.monotonic()
                    viewers, wanted = self._viewers + self.remote_viewers, self._wanted
                    # only the thumbnail maker counts a due thumbnail as demand (a non-holder's next
                    # thumbnail time is only when it asks for the lease again)
                    thumbing = period is not None and self._monitor
                    thumb_due = thumbing and now >= self._next_thumb
                    need = viewers > 0 or wanted > 0 or thumb_due
                    push_open = src is not None and not src.pull
                    # the open window never outlasts the period: an idle camera is not decoded continuously
                    lead = min(s.keep_open_s, period / 4) if push_open and period else 0.0
                    soon = thumbing and self._next_thumb - now <= lead
                    wait: float | None = None
                    if not need and not (push_open and soon):
                        action = "idle"
                        wait = (self._next_thumb - lead - now) if period is not None else s.health_publish_s
                    elif src is None:
                        action = "open"
                        if now < self._retry_at:
                            wait = self._retry_at - now
                    elif src.pull:
                        action = "read"
                        if viewers and not thumb_due and not wanted and now < self._next_pull:
                            wait = self._next_pull - now
                    else:
                        action = "read" if need else "grab"
                    if wait is not None and wait > 0:
                        self.health.set_mode(
                            streaming=push_open or viewers > 0,
                            idle=period is None and not need,
                            expected_interval_s=self._expected_interval(src, viewers),
                        )
                        if action == "idle" and push_open:
                            pass  # closed below, outside the lock
                        else:
                            self._cond.wait(min(wait, s.health_publish_s))
                            self._publish_health()
                            continue
                if action == "idle":
                    if push_open:
                        self._close(src)  # idle stop: nobody needs this stream now
                        src = None
                        self._idle_stopped = True
                    self._publish_health()
                    continue
                if action == "open":
                    try:
                        src = self.source_factory(self.spec, s)
                    except SourceError as exc:
                        self._fail(str(exc), exc.code)
                        continue
                    except Exception as exc:  # never let a camera kill its thread
                        log.exception("camera %s: open failed", self.spec.id)
                        self._fail(f"unexpected error opening the stream: {exc}")
                        continue
                    self.opens += 1
                    self._counted = (0, 0)
                    self.source_open = True
                    self.health.on_connect(planned=self._idle_stopped)
                    self._idle_stopped = False
                    continue
                assert src is not None
                # a thumbnail needs one picture, and a key frame is the one that decodes alone
                src.key_frames_only = not (viewers or wanted)
                try:
                    if action == "grab":
                        src.grab()
                        self.grabbed += 1
                        img = None
                    else:
                        img = src.read()
                        self.decoded += 1
                except SourceError as exc:
                    self._close(src)
                    src = None
                    self._idle_stopped = False
                    self._fail(str(exc), exc.code)
                    continue
                except Exception as exc:
                    self._idle_stopped = False
                    log.exception("camera %s: read failed", self.spec.id)
                    self._close(src)
                    src = None
                    self._fail(f"unexpected error reading the stream: {exc}")
                    continue
                frames, keys = src.frames_decoded, src.key_frames_decoded
                self.frames_decoded += frames - self._counted[0]
                self.key_frames_decoded += keys - self._counted[1]
                self._counted = (frames, keys)
                self._on_frame(src, img, viewers)
        finally:
            self._close(src)
            with self._cond:
                self._stopping = True
                self._cond.notify_all()

    def _expected_interval(self, src: Source | None, viewers: int) -> float | None:
        if src is not None and src.nominal_fps and (viewers or not src.pull):
            return 1.0 / src.nominal_fps
        return self.settings.thumbnail_period_s

    def _on_frame(self, src: Source, img: np.ndarray | None, viewers: int) -> None:
        ts = time.time()
        now = time.monotonic()
        self._failures = 0
        self.health.on_frame(ts)
        self.health.set_mode(
            streaming=(not src.pull) or viewers > 0,
            idle=False,
            expected_interval_s=self._expected_interval(src, viewers),
        )
        if src.pull and src.nominal_fps:
            self._next_pull = now + 1.0 / min(src.nominal_fps, self.settings.live_max_fps)
        if img is not None:
            with self._cond:
                self._seq += 1
                frame = self._frame = Frame(self._seq, ts, img)
                self._cond.notify_all()
            period = self.settings.thumbnail_period_s
            if period is not None and now >= self._next_thumb:
                self._thumbs += 1
                # the second thumbnail comes after a random part of the period: cameras started
                # together spread out instead of all encoding in the same instant
                step = period * (random.uniform(0.5, 1.0) if self._thumbs == 1 else 1.0)
                self._next_thumb = max(self._next_thumb + step, now + step / 2)
                if self.publisher is not None:
                    try:
                        self.publisher.publish_thumbnail(self.spec.id, frame.image, ts, frame.seq)
                    except Exception:
                        log.exception("camera %s: thumbnail failed", self.spec.id)
        self._publish_health()
