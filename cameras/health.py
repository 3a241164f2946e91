"""Honest health per camera: online / degraded / offline, measured fps, last frame, uptime.

`classify` is a pure function (the routes call it again with the current time, so a reader that
died or hangs still shows up as offline). `HealthTracker` is fed by one reader thread and records
status intervals to compute uptime over 24 h and 7 days (of the time this process watched it).
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable

from config.cameras import CameraSettings

ONLINE, DEGRADED, OFFLINE = "online", "degraded", "offline"
REASONS = ("no_frame_yet", "no_frame", "stalled", "low_fps", "reconnected", "idle", "no_report", "bad_config")
"""Why a camera has its status (the `reason` of a health record)."""
SEVERITY = {OFFLINE: 0, DEGRADED: 1, ONLINE: 2}  # sort key: worst first
DAY = 86400.0
WEEK = 7 * DAY


def classify(
    *,
    now: float,
    last_frame_ts: float | None,
    fps: float | None,
    streaming: bool,
    expected_interval_s: float | None,
    last_reconnect_ts: float | None,
    settings: CameraSettings,
) -> tuple[str, str | None]:
    """(status, reason code). Offline: no good frame for offline_after_s. Degraded: a stall, a low
    frame rate while streaming, or a reconnect within degraded_window_s. The codes (REASONS) are
    put into words by the UI, in the user's language, with the record's own figures."""
    if last_frame_ts is None:
        return OFFLINE, "no_frame_yet"
    age = now - last_frame_ts
    if age > settings.offline_after_s:
        return OFFLINE, "no_frame"
    stall = max(settings.stall_after_s, 2.5 * (expected_interval_s or 0.0))
    if age > stall:
        return DEGRADED, "stalled"
    if streaming and fps is not None and fps < settings.min_fps:
        return DEGRADED, "low_fps"
    if last_reconnect_ts is not None and now - last_reconnect_ts < settings.degraded_window_s:
        return DEGRADED, "reconnected"
    return ONLINE, None


class HealthTracker:
    """Health of one camera. Methods are called by its reader; snapshot() by anyone."""

    def __init__(self, camera_id: int, settings: CameraSettings, clock: Callable[[], float] = time.time):
        self.camera_id = camera_id
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self.started_ts = clock()
        self.last_frame_ts: float | None = None
        self.last_error: str | None = None
        self.last_error_code: str | None = None
        """What kind of trouble last_error is (cameras.sources.ERROR_CODES), for operators' words."""
        self.last_error_ts: float | None = None
        self.connected_ts: float | None = None
        self.last_reconnect_ts: float | None = None
        self.connects = 0
        self.frames = 0
        self.streaming = False
        self.idle = False
        self.expected_interval_s: float | None = None
        self._frame_times: deque[float] = deque(maxlen=64)
        # (start_ts, status) transitions, oldest first; pruned to a week
        self._intervals: list[tuple[float, str]] = [(self.started_ts, OFFLINE)]
        self._status_since = self.started_ts

    # -- fed by the reader
    def on_connect(self, planned: bool = False) -> None:
        """A stream opened; `planned` when it reopens after an idle stop (not a reconnect after trouble)."""
        with self._lock:
            now = self.clock()
            if self.connects and not planned:
                self.last_reconnect_ts = now
            self.connects += 1
            self.connected_ts = now

    def on_frame(self, ts: float | None = None) -> None:
        with self._lock:
            ts = self.clock() if ts is None else ts
            self.last_frame_ts = ts
            self.frames += 1
            self._frame_times.append(ts)

    def on_error(self, message: str, code: str = "unexpected") -> None:
        with self._lock:
            self.last_error = message
            self.last_error_code = code
            self.last_error_ts = self.clock()
            self.connected_ts = None
            self._frame_times.clear()

    def set_mode(self, *, streaming: bool, idle: bool, expected_interval_s: float | None) -> None:
        with self._lock:
            if streaming != self.streaming:
                self._frame_times.clear()  # fps of a new regime only
            self.streaming, self.idle, self.expected_interval_s = streaming, idle, expected_interval_s

    # -- measurements
    def _fps(self, now: float) -> float | None:
        window = 5.0
        times = [t for t in self._frame_times if now - t <= window]
        if len(times) < 2:
            return None
        span = max(times[-1] - times[0], now - times[-1])  # a stall lowers the rate at once
        return (len(times) - 1) / span if span > 0 else None

    def _record(self, status: str, now: float) -> None:
        if self._intervals[-1][1] != status:
            at = now
            if status == OFFLINE and self.last_frame_ts is not None:
                # it went offline when frames stopped, not when somebody looked
                at = max(self._intervals[-1][0], min(now, self.last_frame_ts + self.settings.offline_after_s))
            self._intervals.append((at, status))
            self._status_since = at
        cutoff = now - WEEK
        while len(self._intervals) > 1 and self._intervals[1][0] <= cutoff:
            self._intervals.pop(0)

    def uptime(self, window_s: float, now: float) -> float | None:
        """Share of the watched time within the window that the camera was online or degraded."""
        start = max(now - window_s, self.started_ts)
        total = now - start
        if total <= 0:
            return None
        up = 0.0
        iv = self._intervals
        for i, (t0, status) in enumerate(iv):
            t1 = iv[i + 1][0] if i + 1 < len(iv) else now
            lo, hi = max(t0, start), min(t1, now)
            if hi > lo and status != OFFLINE:
                up += hi - lo
        return up / total

    def snapshot(self) -> dict[str, Any]:
        """The published health record (plain JSON-able dict)."""
        with self._lock:
            now = self.clock()
            fps = self._fps(now)
            if self.idle:  # nobody asked for frames: keep the last judged status, not a false offline
                status, reason = self._intervals[-1][1], "idle"
            else:
                status, reason = classify(
                    now=now,
                    last_frame_ts=self.last_frame_ts,
                    fps=fps,
                    streaming=self.streaming,
                    expected_interval_s=self.expected_interval_s,
                    last_reconnect_ts=self.last_reconnect_ts,
                    settings=self.settings,
                )
                self._record(status, now)
            return {
                "camera_id": self.camera_id,
                "status": status,
                "reason": reason,
                "status_since": self._status_since,
                "last_frame_ts": self.last_frame_ts,
                "fps": round(fps, 2) if fps is not None else None,
                "streaming": self.streaming,
                "idle": self.idle,
                "expected_interval_s": self.expected_interval_s,
                "last_error": self.last_error,
                "last_error_code": self.last_error_code,
                "last_error_ts": self.last_error_ts,
                "connected_since": self.connected_ts,
                "last_reconnect_ts": self.last_reconnect_ts,
                "connects": self.connects,
                "frames": self.frames,
                "uptime_24h": self.uptime(DAY, now),
                "uptime_7d": self.uptime(WEEK, now),
                "watched_since_ts": self.started_ts,  # uptimes count only the time since then
                "published_ts": now,
            }


def refresh(record: dict[str, Any], settings: CameraSettings, now: float | None = None) -> dict[str, Any]:
    """Re-judge a published record at `now`: a reader that stopped publishing turns offline."""
    now = time.time() if now is None else now
    if record.get("idle") or record.get("config_error"):
        return record
    status, reason = classify(
        now=now,
        last_frame_ts=record.get("last_frame_ts"),
        fps=record.get("fps"),
        streaming=bool(record.get("streaming")),
        expected_interval_s=record.get("expected_interval_s"),
        last_reconnect_ts=record.get("last_reconnect_ts"),
        settings=settings,
    )
    if SEVERITY[status] < SEVERITY.get(record.get("status", ONLINE), 2):
        record = {**record, "status": status, "reason": reason}
    return record


def worst_first(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Offline, then degraded, then online; broken ones longest-broken first, online ones by id (a
    list that reshuffled with every new frame would move rows under the operator's pointer)."""
    def key(record: dict[str, Any]) -> tuple:
        status = record.get("status", OFFLINE)
        since = 0.0 if status == ONLINE else record.get("last_frame_ts") or 0.0
        return SEVERITY.get(status, 0), since, record.get("camera_id", 0)

    return sorted(records, key=key)
