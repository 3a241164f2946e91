"""A camera's recent past from its status changes: the 24-hour strip of the health page, its uptime,
and its outages (when it went down and for how long).

`changes` are (time, status) pairs, oldest first, times as unix seconds; a status holds from its
time until the next change. Time before the first change is unknown (not counted as up or down).
`HistoryRecorder` is the thread that turns published health into such changes.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable, Iterable, Sequence

from .health import DAY, OFFLINE, SEVERITY

log = logging.getLogger(__name__)

UNKNOWN = "unknown"
Change = tuple[float, str]


def _spans(changes: Sequence[Change], start: float, end: float) -> list[tuple[float, float, str]]:
    """(from, to, status) pieces of [start, end] covered by the changes."""
    spans = []
    for i, (at, status) in enumerate(changes):
        until = changes[i + 1][0] if i + 1 < len(changes) else end
        lo, hi = max(at, start), min(until, end)
        if hi > lo:
            spans.append((lo, hi, status))
    return spans


def strip(changes: Sequence[Change], now: float, window_s: float = DAY, slots: int = 48) -> list[str]:
    """The window ending `now` cut into `slots` equal slots (48: half an hour each), oldest first;
    each slot gets the worst status seen in it, UNKNOWN where nothing was recorded."""
    size = window_s / slots
    start = now - window_s
    worst = [UNKNOWN] * slots
    for lo, hi, status in _spans(changes, start, now):
        first, last = int((lo - start) // size), min(slots - 1, int((hi - start - 1e-9) // size))
        for slot in range(max(0, first), last + 1):
            if worst[slot] == UNKNOWN or SEVERITY.get(status, 2) < SEVERITY.get(worst[slot], 2):
                worst[slot] = status
    return worst


def time_by_status(changes: Sequence[Change], start: float, end: float) -> dict[str, float]:
    """Seconds of [start, end] (unix seconds) spent in each status; time before the first change is
    in none of them (unknown). The health page's uptime and the leaders' board's camera-hours both
    come from this."""
    seconds: dict[str, float] = {}
    for lo, hi, status in _spans(changes, start, end):
        seconds[status] = seconds.get(status, 0.0) + hi - lo
    return seconds


def uptime(changes: Sequence[Change], now: float, window_s: float = DAY) -> float | None:
    """Share (0..1) of the recorded time within the window that the camera was not offline (degraded
    counts as up); None when nothing was recorded in it."""
    seconds = time_by_status(changes, now - window_s, now)
    total = sum(seconds.values())
    if total <= 0:
        return None
    return (total - seconds.get(OFFLINE, 0.0)) / total


def observed(changes: Sequence[Change], now: float, window_s: float = DAY) -> float:
    """Seconds of the window ending `now` covered by recorded changes (the rest is unknown)."""
    return sum(time_by_status(changes, now - window_s, now).values())


def outages(changes: Sequence[Change], now: float, window_s: float = DAY) -> list[dict]:
    """The offline periods touching the window, newest first: {"start", "end" (None while still
    down), "duration_s"} in unix seconds."""
    found = []
    for i, (at, status) in enumerate(changes):
        if status != OFFLINE:
            continue
        end = next((t for t, s in changes[i + 1:] if s != OFFLINE), None)
        if end is not None and end < now - window_s:
            continue
        if i and changes[i - 1][1] == OFFLINE:
            continue  # the same outage, recorded twice
        found.append({"start": at, "end": end, "duration_s": (end if end is not None else now) - at})
    return found[::-1]


def new_changes(last_known: dict[int, str], records: Iterable[dict]) -> list[tuple[int, float, str]]:
    """(camera id, time, status) for each published health record whose status differs from the
    last one recorded for that camera. The time is when the reader says the status began."""
    found = []
    for record in records:
        cid, status = record.get("camera_id"), record.get("status")
        if not isinstance(cid, int) or status is None or last_known.get(cid) == status:
            continue
        at = record.get("status_since") or record.get("published_ts")
        if at is None:
            continue
        found.append((cid, float(at), status))
    return found


class HistoryRecorder:
    """Every `period_s`, reads the published health (`read_records`), and hands the status changes
    since the last look to `write` (which returns the last status now stored per camera)."""

    def __init__(self, read_records: Callable[[], list[dict]], write: Callable[[list], dict[int, str]],
                 last_known: Callable[[], dict[int, str]], period_s: float = 10.0):
        self.read_records, self.write, self.period_s = read_records, write, period_s
        self._last_known_source = last_known
        self._last: dict[int, str] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="health-history", daemon=True)  # the app's, not a camera reader: lives until exit

    def record_once(self) -> int:
        """One look: returns how many changes were written."""
        if self._last is None:
            self._last = self._last_known_source()
        changes = new_changes(self._last, self.read_records())
        if changes:
            self._last = self.write(changes)
        return len(changes)

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            try:
                self.record_once()
            except Exception:  # the store may be down for a moment: try again next period
                log.exception("camera history: recording failed")
                self._last = None

    def start(self) -> "HistoryRecorder":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
