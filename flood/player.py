"""The thread that plays drills forward, so that a drill advances whether or not a page is open.

Every process may run one: `advance_simulation` claims each step with a compare-and-set in the
database, so several workers playing the same drill record every step once. Plain Python; the
period is in seconds.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from flood.simulation import advance_simulation

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


class DrillPlayer:
    """Calls `advance_simulation` every `period_s` seconds on a daemon thread until `stop()`."""

    def __init__(self, engine: Engine, period_s: float = 1.0, clock: Callable[[], datetime] = _utcnow):
        self.engine, self.period_s, self.clock = engine, period_s, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flood-drill-player", daemon=True)

    def start(self) -> DrillPlayer:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            try:
                advance_simulation(self.engine, self.clock())
            except Exception:  # noqa: BLE001 - a failed step (database away) is retried at the next period
                log.exception("flood drill step failed")

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
