"""The board's background work: every hour the day's roll-up; at start
and on each new day the catch-up of missing days; every Monday from 07:00 WIT last week's report.

Exactly one process does it (the holder of a lease, as for the service monitor) when the app runs
it in-process; with Celery the beat schedule (`celery_worker.py`) calls `hourly` and `weekly`
instead. Every process writes its own count of public requests each minute, whoever holds the lease.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine

from complaints.deadlines import WorkingCalendar
from leaders import rollup
from leaders.report import last_week

log = logging.getLogger(__name__)
REPORT_HOUR_WIT = 7
"""The Monday report is made from this hour (WIT) on."""


class LeadersJob:
    """`make_report(monday)`: makes and stores that week's report; `report_exists(monday)`; `take_counts()`: public requests
    counted since the last call; `lease`: an object with hold() and release()."""

    def __init__(self, engine: Engine, lease, *, calendar: Callable[[], WorkingCalendar],
                 make_report: Callable[[date], None], report_exists: Callable[[date], bool], take_counts: Callable[[], dict[str, int]],
                 scheduled: bool = True, clock: Callable[[], datetime] = datetime.utcnow, period_s: float = 60.0):
        self.engine, self.lease, self.calendar = engine, lease, calendar
        self.make_report, self.report_exists, self.take_counts = make_report, report_exists, take_counts
        self.scheduled, self.clock, self.period_s = scheduled, clock, period_s
        self._last_hour: datetime | None = None
        self._last_day: date | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def flush_counts(self, now: datetime) -> None:
        rollup.record_public_counts(self.engine, self.take_counts(), now)

    def hourly(self, now: datetime) -> None:
        """Catch up missing days (at start and on a new day), roll up today."""
        today = rollup.wit_day(now)
        if self._last_day != today:
            rollup.catch_up(self.engine, now=now, calendar=self.calendar())
            self._last_day = today
        else:
            rollup.rollup(self.engine, [today], now=now, calendar=self.calendar())

    def weekly(self, now: datetime) -> date | None:
        """Make last week's report when it is Monday 07:00 WIT or later and none is stored yet; its Monday, or None."""
        local = now + rollup.WIT
        monday = last_week(local.date())
        if local.weekday() == 0 and local.hour < REPORT_HOUR_WIT:
            monday -= timedelta(weeks=1)
        if self.report_exists(monday):
            return None
        self.make_report(monday)
        return monday

    def tick(self, now: datetime) -> None:
        self.flush_counts(now)
        if not self.scheduled or not self.lease.hold():
            return
        hour = now.replace(minute=0, second=0, microsecond=0)
        if hour != self._last_hour:
            self.hourly(now)
            self._last_hour = hour
        self.weekly(now)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick(self.clock())
            except Exception:  # noqa: BLE001 - a failed run is logged and tried again next minute
                log.exception("leaders' board job failed")
            self._stop.wait(self.period_s)

    def start(self) -> LeadersJob:
        self._thread = threading.Thread(target=self._run, name="leaders-job", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            self.flush_counts(self.clock())
        finally:
            self.lease.release()
